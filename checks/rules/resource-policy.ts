import type { Finding, Rule } from "../engine";
import { parsePolicy } from "../policy";
import { publicStatements, setString, unparseable } from "./helpers";

/** Resource policies: who else may use a resource. (Key policies have their own rule.) */
const RESOURCE_POLICY_ATTRS: Array<[string, string]> = [
  ["aws_s3_bucket_policy", "policy"],
  ["aws_sns_topic", "policy"],
  ["aws_sns_topic_policy", "policy"],
  ["aws_sqs_queue", "policy"],
  ["aws_sqs_queue_policy", "policy"],
  ["aws_cloudwatch_event_bus_policy", "policy"],
  ["aws_secretsmanager_secret", "policy"],
  ["aws_secretsmanager_secret_policy", "policy"],
  ["aws_glue_resource_policy", "policy"],
  ["aws_cloudwatch_log_resource_policy", "policy_document"],
  ["aws_vpc_endpoint", "policy"],
  ["aws_vpc_endpoint_policy", "policy"],
  ["aws_lambda_layer_version_permission", "principal"],
];

/** Resource policies (who else may use a resource) and Lambda permissions and function URLs. */
export const RESOURCE_POLICY_RULES: readonly Rule[] = [
  {
    id: "resource-policy.no-public",
    title:
      'no resource policy (bucket, topic, queue, bus, secret, endpoint, Lambda permission) allows "*" unconditionally',
    check: (v) => {
      const findings: Finding[] = [];
      for (const [type, attr] of RESOURCE_POLICY_ATTRS) {
        for (const r of v.ofType(type)) {
          const value = r.body[attr];
          if (value === undefined) continue;
          if (attr === "principal") {
            if (value === "*") findings.push({ resource: r, message: 'is shared with principal "*"' });
            continue;
          }
          const parsed = parsePolicy(value, v.data);
          if (!parsed.ok) findings.push(unparseable(r, attr, parsed.reason));
          else if (publicStatements(parsed.statements).length > 0)
            findings.push({ resource: r, message: `${attr} allows "*" without a restricting condition` });
        }
      }
      for (const p of v.ofType("aws_lambda_permission")) {
        const principal = String(p.body.principal);
        const scoped =
          setString(p.body.source_arn) ||
          setString(p.body.source_account) ||
          setString(p.body.principal_org_id);
        if (principal === "*" || (principal.endsWith(".amazonaws.com") && !scoped))
          findings.push({
            resource: p,
            message: `lets ${principal} invoke the function without source_arn/source_account (confused deputy)`,
          });
        if (p.body.function_url_auth_type === "NONE")
          findings.push({ resource: p, message: "opens a function URL without authentication" });
      }
      for (const u of v.ofType("aws_lambda_function_url")) {
        if (u.body.authorization_type === "NONE")
          findings.push({ resource: u, message: "function URL has authorization_type NONE" });
      }
      return findings;
    },
  },
];
