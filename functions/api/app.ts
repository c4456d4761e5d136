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
import { SFNClient } from "@aws-sdk/client-sfn";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod";
import { CONFIG_ENVIRONMENTS_ENV, parseConfigEnvironments } from "../../contracts/account-environments";
import { CONFIG_BUDGETS_ENV, parseConfigBudgets } from "../../contracts/budgets";
import { appTableNames, appTablesEnvSchema, documentClient } from "../shared/app-tables-env";
import { lambdaHandler, logger, MetricUnit, metrics } from "../shared/observability";
import { CognitoDirectory, StepFunctionsWorkflow } from "./adapters";
import { ApiError } from "./domain";
import { DynamoRepository } from "./dynamo-repository";
import type { ApiDeps } from "./repository";
import { callerFromClaims, route } from "./router";

/** The API function's environment (set by modules/app/index.ts): the app tables and its own. */
export const apiEnvSchema = appTablesEnvSchema.extend({
  USER_POOL_ID: z.string().min(3),
  APPROVAL_STATE_MACHINE_ARN: z.string().regex(/^arn:aws[\w-]*:states:/),
  APPROVAL_THRESHOLD_USD: z.coerce.number().nonnegative(),
  /** Member budgets of the accounts config (contracts/budgets.ts); absent = none. */
  [CONFIG_BUDGETS_ENV]: z.string().optional(),
  /** Environments of the accounts config's members (contracts/account-environments.ts); absent = none. */
  [CONFIG_ENVIRONMENTS_ENV]: z.string().optional(),
});

export function depsFromEnv(env: z.output<typeof apiEnvSchema>): ApiDeps {
  return {
    repo: new DynamoRepository(documentClient(), appTableNames(env)),
    users: new CognitoDirectory(new CognitoIdentityProviderClient({}), env.USER_POOL_ID),
    approvals: new StepFunctionsWorkflow(new SFNClient({}), env.APPROVAL_STATE_MACHINE_ARN),
    approvalThresholdUsd: env.APPROVAL_THRESHOLD_USD,
    configBudgets: parseConfigBudgets(env[CONFIG_BUDGETS_ENV]),
    configEnvironments: parseConfigEnvironments(env[CONFIG_ENVIRONMENTS_ENV]),
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
async function answer(deps: ApiDeps, event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<Answer> {
  const requestId = event.requestContext?.requestId;
  try {
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
export function apiHandler(deps: ApiDeps) {
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
