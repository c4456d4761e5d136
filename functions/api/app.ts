/**
 * The FinOps API function over its dependencies: `apiHandler(deps)` answers API Gateway's HTTP API
 * events (payload format 2.0), whose Cognito JWT authorizer has already verified the token on every
 * route. handler.ts is the Lambda entry (dependencies from the environment, once per container);
 * the local API front (local/api-front.ts) runs the same `apiHandler` behind its own JWT check.
 * Each request writes one EMF record: ApiLatency (ms) and Api5xx (1 for a 5xx answer, else 0), by
 * service and route.
 */
import { randomUUID } from "node:crypto";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod";
import { MEMBER_CONFIG_BUCKET_ENV, MEMBER_CONFIG_KEY_ENV } from "../../contracts/member-config";
import { appTableNames, appTablesEnvSchema, documentClient } from "../shared/app-tables-env";
import { lambdaHandler, logger, MetricUnit, metrics } from "../shared/observability";
import { CognitoDirectory, StepFunctionsWorkflow } from "./adapters";
import { ApiError } from "./domain";
import { DynamoRepository } from "./dynamo-repository";
import { type MemberConfigSource, S3MemberConfig } from "./member-config-source";
import type { ApiDeps } from "./repository";
import { callerFromClaims, route } from "./router";

/** The API function's environment (set by modules/app/index.ts): the app tables and its own. */
export const apiEnvSchema = appTablesEnvSchema.extend({
  USER_POOL_ID: z.string().min(3),
  APPROVAL_STATE_MACHINE_ARN: z.string().regex(/^arn:aws[\w-]*:states:/),
  APPROVAL_THRESHOLD_USD: z.coerce.number().nonnegative(),
  /** Where the member config document is (contracts/member-config.ts, modules/app/member-config.ts). */
  [MEMBER_CONFIG_BUCKET_ENV]: z.string().min(3),
  [MEMBER_CONFIG_KEY_ENV]: z.string().min(1),
});

/**
 * The API's dependencies, and where the accounts config's member budgets and environments come
 * from: with `memberConfig`, each request's `configBudgets` and `configEnvironments` are the
 * document it currently holds (read through its cache); a document that cannot be read fails the
 * request with a logged 500, never an answer without them.
 */
export type ApiHandlerDeps = ApiDeps & { readonly memberConfig?: MemberConfigSource };

export function depsFromEnv(env: z.output<typeof apiEnvSchema>): ApiHandlerDeps {
  return {
    repo: new DynamoRepository(documentClient(), appTableNames(env)),
    users: new CognitoDirectory(new CognitoIdentityProviderClient({}), env.USER_POOL_ID),
    approvals: new StepFunctionsWorkflow(new SFNClient({}), env.APPROVAL_STATE_MACHINE_ARN),
    approvalThresholdUsd: env.APPROVAL_THRESHOLD_USD,
    memberConfig: new S3MemberConfig(new S3Client({}), {
      bucket: env[MEMBER_CONFIG_BUCKET_ENV],
      key: env[MEMBER_CONFIG_KEY_ENV],
    }),
    now: () => new Date(),
    newId: () => randomUUID(),
  };
}

/** An answer of the function: always with a status code (the 5xx metric reads it). */
type Answer = APIGatewayProxyStructuredResultV2 & { statusCode: number };

function respond(status: number, body: unknown): Answer {
  return {
    statusCode: status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify(body),
  };
}

/** One request to its answer: ApiErrors become their status, anything else a logged 500. */
async function answer(
  { memberConfig, ...base }: ApiHandlerDeps,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<Answer> {
  const requestId = event.requestContext?.requestId;
  try {
    const config = memberConfig ? await memberConfig.current() : undefined;
    const deps: ApiDeps = config
      ? { ...base, configBudgets: config.budgets, configEnvironments: config.environments }
      : base;
    const caller = callerFromClaims(event.requestContext?.authorizer?.jwt?.claims ?? {});
    const body =
      event.body === undefined
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, "base64").toString("utf8")
          : event.body;
    const res = await route(deps, {
      routeKey: event.routeKey,
      pathParameters: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      body,
      caller,
    });
    logger.info("request", {
      routeKey: event.routeKey,
      status: res.status,
      sub: caller.sub,
      requestId,
    });
    return respond(res.status, res.body);
  } catch (e) {
    if (e instanceof ApiError) return respond(e.status, { error: e.code, message: e.message });
    logger.error("request failed", { routeKey: event.routeKey, requestId, error: e as Error });
    return respond(500, {
      error: "InternalError",
      message: `internal error; request id ${requestId ?? "unknown"}`,
    });
  }
}

/** The API's entry over the given dependencies (the handler's are built from the environment). */
export function apiHandler(deps: ApiHandlerDeps) {
  return lambdaHandler(
    async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
      const started = performance.now();
      const res = await answer(deps, event);
      metrics.addDimension("route", event.routeKey);
      metrics.addMetric("ApiLatency", MetricUnit.Milliseconds, performance.now() - started);
      metrics.addMetric("Api5xx", MetricUnit.Count, res.statusCode >= 500 ? 1 : 0);
      return res;
    },
  );
}
