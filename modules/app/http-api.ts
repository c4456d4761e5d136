import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { ROUTE_KEYS } from "../../contracts/api";
import type { BundledFunction } from "../bundled-function";

export interface HttpApiProps {
  readonly names: Names;
  readonly region: string;
  readonly accountId: string;
  /** The API function behind every route. */
  readonly handler: BundledFunction;
  /** Cognito user pool id and the web client id (the JWT audience). */
  readonly userPoolId: string;
  readonly webClientId: string;
  /** Origins of the web front end allowed by CORS. */
  readonly corsOrigins: readonly string[];
  /** KMS key (ARN) of the access-log group. */
  readonly logKmsKeyArn: string;
  readonly logRetentionDays: number;
  readonly rateLimitPerSecond: number;
  readonly burstLimit: number;
  /** @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * Fields of the access-log line (JSON): who called which route, the outcome and the latency.
 * "Who" is the token's `sub` ($context.authorizer.claims.sub, "Customize HTTP API access logs":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html):
 * the one identity claim both Cognito tokens carry. `username` is only in access tokens and
 * `cognito:username` only in ID tokens, and in this pool either is an opaque generated UUID; the
 * email would put personal data in the logs. `tokenUse` shows access tokens the API refuses (401).
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  sub: "$context.authorizer.claims.sub",
  tokenUse: "$context.authorizer.claims.token_use",
});

/**
 * API Gateway v2 HTTP API: one route per operation of functions/api/router.ts, every one behind the
 * Cognito JWT authorizer (no route without it, no $default route), one Lambda proxy integration,
 * a $default stage with stage-wide throttling and JSON access logs to a KMS-encrypted log group.
 */
export class HttpApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly authorizer: Apigatewayv2Authorizer;
  readonly stage: Apigatewayv2Stage;
  readonly routes: Apigatewayv2Route[];
  readonly accessLogs: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { names, provider } = props;
    this.api = new Apigatewayv2Api(this, "api", {
      provider,
      name: names.httpApi,
      protocolType: "HTTP",
      description: "FinOps application API (Cognito JWT on every route)",
      corsConfiguration: {
        allowOrigins: [...new Set(props.corsOrigins)],
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        allowHeaders: ["authorization", "content-type"],
        maxAge: 600,
      },
    });
    this.authorizer = new Apigatewayv2Authorizer(this, "jwt", {
      provider,
      apiId: this.api.id,
      name: "cognito",
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      // The audience is checked against `aud` (ID tokens) or, without `aud`, `client_id` (access
      // tokens): both tokens of the web client pass. The function accepts only the ID token
      // (functions/api/router.ts callerFromClaims, docs/api.md "Tokens and identity").
      jwtConfiguration: {
        audience: [props.webClientId],
        issuer: `https://cognito-idp.${props.region}.amazonaws.com/${props.userPoolId}`,
      },
    });
    const integration = new Apigatewayv2Integration(this, "lambda", {
      provider,
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: props.handler.function.arn,
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 29_000,
    });
    this.routes = ROUTE_KEYS.map(
      (routeKey) =>
        new Apigatewayv2Route(this, `route-${routeKey.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "")}`, {
          provider,
          apiId: this.api.id,
          routeKey,
          target: `integrations/${integration.id}`,
          authorizationType: "JWT",
          authorizerId: this.authorizer.id,
        }),
    );
    this.accessLogs = new CloudwatchLogGroup(this, "access-logs", {
      provider,
      name: names.apiAccessLogGroup,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.stage = new Apigatewayv2Stage(this, "stage", {
      provider,
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.rateLimitPerSecond,
        throttlingBurstLimit: props.burstLimit,
        detailedMetricsEnabled: true,
      },
      accessLogSettings: { destinationArn: this.accessLogs.arn, format: ACCESS_LOG_FORMAT },
    });
    new LambdaPermission(this, "invoke", {
      provider,
      statementId: "HttpApiInvoke",
      action: "lambda:InvokeFunction",
      functionName: props.handler.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:${props.region}:${props.accountId}:${this.api.id}/*/*`,
    });
  }
}
