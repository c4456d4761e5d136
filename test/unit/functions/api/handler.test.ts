import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from "aws-lambda";
import type * as ApiHandler from "../../../../functions/api/handler";
import type { MemberConfigSource } from "../../../../functions/api/member-config-source";
import { MemberConfigUnavailable } from "../../../../functions/api/member-config-source";
import { idTokenClaims } from "../../../support/cognito-tokens";
import { captureStdout, coldStart } from "../../../support/emf";
import { fixture } from "./memory-repository";

/** The API function's entry: what it answers, and the EMF record each request writes to stdout. */
const { apiHandler } = coldStart<typeof ApiHandler>(require.resolve("../../../../functions/api/handler"), {
  POWERTOOLS_SERVICE_NAME: "api",
  AWS_REGION: "eu-west-1",
  ACCOUNTS_TABLE: "finops-accounts",
  BUDGETS_TABLE: "finops-budgets",
  ALLOCATIONS_TABLE: "finops-allocations",
  SPEND_TABLE: "finops-spend",
  INGESTION_RUNS_TABLE: "finops-ingestion-runs",
  SPEND_CARDS_TABLE: "finops-spend-cards",
  BUDGET_CHANGES_TABLE: "finops-budget-changes",
  USER_POOL_ID: "eu-west-1_Ab1Cd2Ef3",
  APPROVAL_STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:222222222222:stateMachine:finops-approvals",
  APPROVAL_THRESHOLD_USD: "10000",
  MEMBER_CONFIG_BUCKET: "finops-app-config-222222222222",
  MEMBER_CONFIG_KEY: "config/members.json",
});

function event(routeKey: string, email: string, groups: string[], requestId = "req-1") {
  return {
    routeKey,
    pathParameters: {},
    queryStringParameters: {},
    requestContext: { requestId, authorizer: { jwt: { claims: idTokenClaims(email, groups), scopes: [] } } },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

const context = {
  functionName: "finops-api",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:222222222222:function:finops-api",
  memoryLimitInMB: "512",
  awsRequestId: "lambda-req-1",
  logGroupName: "/aws/lambda/finops-api",
  logStreamName: "stream",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

describe("the API handler's metrics", () => {
  it("writes one EMF record per request: latency and a 0 5xx count by service and route", async () => {
    const handler = apiHandler(fixture().deps);
    const out = await captureStdout(() =>
      handler(event("GET /budgets", "fin@example.com", ["FinancialAdmins"]), context),
    );
    expect(out.result.statusCode).toBe(200);
    expect(out.emf).toHaveLength(1);
    const [record] = out.emf;
    expect(record!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "FinOpsLanding",
        Dimensions: [["service", "route"]],
        Metrics: [
          { Name: "ApiLatency", Unit: "Milliseconds" },
          { Name: "Api5xx", Unit: "Count" },
        ],
      },
    ]);
    expect(record).toMatchObject({ service: "api", route: "GET /budgets", Api5xx: 0 });
    expect(typeof record!.ApiLatency).toBe("number");
    expect(record!.ApiLatency as number).toBeGreaterThanOrEqual(0);
  });

  it("counts a 5xx answer, by its route", async () => {
    const { deps, repo } = fixture();
    repo.listBudgets = async () => {
      throw new Error("DynamoDB is down");
    };
    const out = await captureStdout(() =>
      apiHandler(deps)(event("GET /budgets", "fin@example.com", ["FinancialAdmins"], "req-500"), context),
    );
    expect(out.result).toMatchObject({ statusCode: 500 });
    expect(JSON.parse(out.result.body as string)).toEqual({
      error: "InternalError",
      message: "internal error; request id req-500",
    });
    expect(out.emf).toHaveLength(1);
    expect(out.emf[0]).toMatchObject({ route: "GET /budgets", Api5xx: 1 });
    expect(out.errorLines).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "request failed",
        requestId: "req-500",
        error: expect.objectContaining({ message: "DynamoDB is down" }),
      }),
    ]);
  });

  it("does not count a refusal (4xx) as a 5xx", async () => {
    const out = await captureStdout(() =>
      apiHandler(fixture().deps)(event("GET /users", "pm@example.com", ["PortfolioManagers"]), context),
    );
    expect(out.result.statusCode).toBe(403);
    expect(out.emf.map((r) => [r.route, r.Api5xx])).toEqual([["GET /users", 0]]);
  });

  it("keeps each request's route to its own record", async () => {
    const handler = apiHandler(fixture().deps);
    const fin: [string, string[]] = ["fin@example.com", ["FinancialAdmins"]];
    const out = await captureStdout(async () => {
      await handler(event("GET /budgets", ...fin), context);
      await handler(event("GET /accounts", ...fin), context);
    });
    expect(out.emf.map((r) => r.route)).toEqual(["GET /budgets", "GET /accounts"]);
    expect(out.emf.map((r) => r._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([
      [["service", "route"]],
      [["service", "route"]],
    ]);
  });

  it("puts the Lambda context in its log lines", async () => {
    const out = await captureStdout(() =>
      apiHandler(fixture().deps)(event("GET /budgets", "fin@example.com", ["FinancialAdmins"]), context),
    );
    const request = out.lines.find((l) => l.message === "request");
    expect(request).toMatchObject({
      service: "api",
      function_name: "finops-api",
      function_request_id: "lambda-req-1",
      routeKey: "GET /budgets",
      status: 200,
    });
  });
});

describe("the API handler's member config", () => {
  const fin: [string, string[]] = ["fin@example.com", ["FinancialAdmins"]];

  it("gives every request the budgets and environments of the document the source holds now", async () => {
    let reads = 0;
    const memberConfig: MemberConfigSource = {
      current: async () => {
        reads += 1;
        return {
          budgets: new Map([["111111111111", 2000]]),
          environments: new Map([
            ["111111111111", "prod"],
            ["222222222222", "dev"],
          ]),
        };
      },
    };
    const handler = apiHandler({ ...fixture().deps, memberConfig });
    const out = await captureStdout(() => handler(event("GET /accounts", ...fin), context));
    expect(out.result.statusCode).toBe(200);
    const accounts = JSON.parse(out.result.body as string).accounts as Array<Record<string, unknown>>;
    expect(accounts.find((a) => a.accountId === "111111111111")).toMatchObject({
      environment: "prod",
      configBudget: { monthlyUsd: 2000, field: "members[].budget.monthlyUsd" },
    });
    expect(accounts.find((a) => a.accountId === "222222222222")).toMatchObject({ environment: "dev" });
    expect(accounts.find((a) => a.accountId === "222222222222")).not.toHaveProperty("configBudget");
    expect(reads).toBe(1);
  });

  it("answers 500 and logs the object and the fix when the document cannot be read, never an answer without it", async () => {
    const memberConfig: MemberConfigSource = {
      current: async () => {
        throw new MemberConfigUnavailable(
          "the member config s3://finops-app-config-222222222222/config/members.json could not be read (AccessDenied 403: Access Denied); the admin stack writes it (a missing object is AccessDenied to this function): deploy the admin stack",
        );
      },
    };
    const out = await captureStdout(() =>
      apiHandler({ ...fixture().deps, memberConfig })(event("GET /accounts", ...fin, "req-mc"), context),
    );
    expect(out.result.statusCode).toBe(500);
    expect(out.emf[0]).toMatchObject({ route: "GET /accounts", Api5xx: 1 });
    expect(out.errorLines).toEqual([
      expect.objectContaining({
        message: "request failed",
        requestId: "req-mc",
        error: expect.objectContaining({
          name: "MemberConfigUnavailable",
          message: expect.stringContaining(
            "s3://finops-app-config-222222222222/config/members.json could not be read",
          ),
        }),
      }),
    ]);
    expect(JSON.stringify(out.errorLines)).toContain("deploy the admin stack");
  });
});
