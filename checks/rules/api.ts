import type { Rule } from "../engine";
import { block } from "../stack-view";
import { setString } from "./helpers";

/** API Gateway (HTTP and REST): authorizers and access logs. */
export const API_RULES: readonly Rule[] = [
  {
    id: "api.route-authorized",
    title: "every API route/method has an authorizer (JWT, IAM or custom)",
    check: (v) => [
      ...v
        .ofType("aws_apigatewayv2_route")
        .filter((r) => (r.body.authorization_type ?? "NONE") === "NONE")
        .map((resource) => ({ resource, message: `route ${resource.body.route_key} has no authorizer` })),
      ...v
        .ofType("aws_api_gateway_method")
        .filter((m) => (m.body.authorization ?? "NONE") === "NONE" && m.body.http_method !== "OPTIONS")
        .map((resource) => ({ resource, message: `method ${resource.body.http_method} has no authorizer` })),
    ],
  },
  {
    id: "api.access-logs",
    title: "every API stage writes access logs",
    check: (v) =>
      v
        .ofType("aws_apigatewayv2_stage", "aws_api_gateway_stage")
        .filter((s) => !setString(block(s.body.access_log_settings).destination_arn))
        .map((resource) => ({ resource, message: "has no access log destination" })),
  },
];
