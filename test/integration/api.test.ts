import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { StackOutcome } from "../../deploy/apply";
import { DynamoApprovalStore } from "../../functions/approvals/dynamo-store";
import { runStep } from "../../functions/approvals/workflow";
import { DynamoCardStore } from "../../functions/spend-cards/dynamo-store";
import { runCards } from "../../functions/spend-cards/run";
import { createDemoUsers, demoUsername } from "../../local/demo-users";
import { accessTokenClaims, idTokenClaims, subOf } from "../support/cognito-tokens";
import { asAccount, deployLocal, emulatorEndpoint } from "../support/local-org";
import { emptyTables } from "../support/tables";

/**
 * The admin stack applied with Terraform to the emulated organization (tables, user pool, HTTP
 * API, approval state machine through the gap-filler's ValidateStateMachineDefinition), then the
 * API handler run in-process with the real SDK against moto's DynamoDB, Cognito and Step Functions.
 * Not covered here: API Gateway invoking the function and the JWT authorizer (moto runs no Lambda
 * code and does not verify tokens), so the verified claims are given to the handler as API Gateway would.
 * The claims are shaped as AWS documents Cognito's tokens (test/support/cognito-tokens.ts cites the
 * pages), not as moto happens to name users: `sub` and `cognito:username` are UUIDs, not the email.
 */
describe("the FinOps API against the emulated admin account", () => {
  const config = loadAccountConfig("accounts/local.yaml");
  const names = new Names(config);
  const admin = config.admin.id;
  let outcome: StackOutcome;
  let handler: (
    e: APIGatewayProxyEventV2WithJWTAuthorizer,
  ) => Promise<{ statusCode?: number; body?: string }>;
  let ddb: DynamoDBDocumentClient;
  let tables: ConstructorParameters<typeof DynamoCardStore>[1];

  beforeAll(async () => {
    const { outcomes } = await deployLocal(config, ["admin"]);
    outcome = outcomes[0]!;
    const client = await asAccount(admin, config.organization.homeRegion);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: emulatorEndpoint(),
      AWS_REGION: client.region,
      AWS_ACCESS_KEY_ID: client.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: client.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: client.credentials.sessionToken ?? "",
      AWS_MAX_ATTEMPTS: "1",
    });
    const pools = await new CognitoIdentityProviderClient(client).send(
      new ListUserPoolsCommand({ MaxResults: 60 }),
    );
    const pool = pools.UserPools?.find((p) => p.Name === names.userPool);
    const machines = await new SFNClient(client).send(new ListStateMachinesCommand({}));
    const machine = machines.stateMachines?.find((m) => m.name === names.approvalStateMachine);
    tables = {
      accounts: names.dataTable("accounts"),
      budgets: names.dataTable("budgets"),
      allocations: names.dataTable("allocations"),
      spend: names.dataTable("spend"),
      ingestionRuns: names.dataTable("ingestion-runs"),
      spendCards: names.dataTable("spend-cards"),
      budgetChanges: names.dataTable("budget-changes"),
    };
    Object.assign(process.env, {
      ACCOUNTS_TABLE: tables.accounts,
      BUDGETS_TABLE: tables.budgets,
      ALLOCATIONS_TABLE: tables.allocations,
      SPEND_TABLE: tables.spend,
      INGESTION_RUNS_TABLE: tables.ingestionRuns,
      SPEND_CARDS_TABLE: tables.spendCards,
      BUDGET_CHANGES_TABLE: tables.budgetChanges,
      USER_POOL_ID: pool?.Id ?? "missing",
      APPROVAL_STATE_MACHINE_ARN: machine?.stateMachineArn ?? "arn:aws:states:missing",
      APPROVAL_THRESHOLD_USD: "10000",
    });
    ({ handler } = await import("../../functions/api/handler"));
    ddb = DynamoDBDocumentClient.from(new DynamoDBClient(client), {
      marshallOptions: { removeUndefinedValues: true },
    });
    // Start from empty tables (another test file may have run the pipeline on this emulator), then
    // write what account-sync and cur-ingest would have written.
    await emptyTables(ddb, Object.values(tables));
    for (const [accountId, name] of [
      ["333333333333", "retail-web"],
      ["444444444444", "sandbox"],
    ])
      await ddb.send(
        new PutCommand({
          TableName: tables.accounts,
          Item: { accountId, name, allocationStatus: "unallocated" },
        }),
      );
    await ddb.send(
      new PutCommand({
        TableName: tables.ingestionRuns,
        Item: {
          billingPeriod: "2026-03",
          sk: "current",
          version: "v1",
          runId: "r1",
          manifestKey: "m",
          committedAt: "2026-03-09T05:00:00Z",
          items: 2,
        },
      }),
    );
    for (const [sk, usageDate, cost] of [
      ["333333333333#AmazonEC2#2026-03-02", "2026-03-02", 1500],
      ["444444444444#AmazonS3#2026-03-03", "2026-03-03", 7],
    ] as const)
      await ddb.send(
        new PutCommand({
          TableName: tables.spend,
          Item: {
            pk: "2026-03#v1",
            sk,
            accountId: sk.slice(0, 12),
            service: sk.split("#")[1],
            usageDate,
            unblendedCost: cost,
          },
        }),
      );
  }, 1_800_000);

  /** The claims of a verified ID token (the token the API accepts) of the user with this email. */
  const claims = (email: string, ...groups: string[]) => idTokenClaims(email, groups);
  const call = async (
    who: Record<string, string>,
    routeKey: string,
    opts: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
  ) => {
    const res = await handler({
      routeKey,
      pathParameters: opts.path,
      queryStringParameters: opts.query,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      isBase64Encoded: false,
      requestContext: { requestId: "it", authorizer: { jwt: { claims: who, scopes: [] } } },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer);
    return { status: res.statusCode, body: JSON.parse(res.body ?? "null") };
  };
  const fin = claims("fin@example.com", "FinancialAdmins");
  const fin2 = claims("fin2@example.com", "FinancialAdmins");
  const bu = claims("bu@example.com", "BUManagers");

  it("applies the admin stack and plans no change on a second plan", () => {
    expect([outcome.status, outcome.error]).toEqual([
      expect.stringMatching(/^(applied|unchanged)$/),
      undefined,
    ]);
    expect(outcome.clean).toBe(true);
  });

  it("refuses an access token with 401 and accepts the ID token of the same user", async () => {
    const access = await call(accessTokenClaims("fin@example.com", ["FinancialAdmins"]), "GET /budgets");
    expect(access.status).toBe(401);
    expect(access.body).toMatchObject({
      error: "Unauthorized",
      message: expect.stringContaining("ID token"),
    });
    expect((await call(fin, "GET /budgets")).status).toBe(200);
  });

  it("creates a budget, maps an account with history, and scopes what a BU manager sees", async () => {
    const budget = {
      budgetId: "retail",
      year: 2026,
      name: "Retail",
      amountUsd: 365000,
      owner: "bu@example.com",
      scope: { level: "businessUnit", name: "Retail" },
    };
    expect((await call(fin, "POST /budgets", { body: budget })).status).toBe(201);
    expect((await call(fin, "POST /budgets", { body: budget })).status).toBe(409);
    expect((await call(bu, "POST /budgets", { body: { ...budget, budgetId: "x1" } })).status).toBe(403);
    const mapped = await call(fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: { budgetId: "retail", reason: "web shop" },
    });
    expect(mapped).toMatchObject({ status: 200, body: { changed: true } });
    const unallocated = await call(fin, "GET /accounts", { query: { unallocated: "true" } });
    expect(unallocated.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([
      "444444444444",
    ]);
    const mine = await call(bu, "GET /accounts");
    expect(mine.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual(["333333333333"]);
    const history = await call(bu, "GET /accounts/{accountId}/allocations", {
      path: { accountId: "333333333333" },
    });
    expect(history.body.history).toEqual([
      expect.objectContaining({
        budgetId: "retail",
        changedBy: subOf("fin@example.com"),
        changedByEmail: "fin@example.com",
      }),
    ]);
    expect(
      (await call(bu, "GET /accounts/{accountId}/allocations", { path: { accountId: "444444444444" } }))
        .status,
    ).toBe(403);
  });

  it("reads committed spend through the ingestion pointer, scoped by budget", async () => {
    // The account was mapped just now (real clock); March's usage belongs to a budget only if the
    // account was mapped then, so record that it already was mapped from January (history entry).
    await ddb.send(
      new PutCommand({
        TableName: tables.allocations,
        Item: {
          accountId: "333333333333",
          validFrom: "2026-01-01T00:00:00.000Z",
          budgetId: "retail",
          changedBy: subOf("fin@example.com"),
        },
      }),
    );
    const all = await call(fin, "GET /spend", { query: { month: "2026-03" } });
    expect(all.body).toMatchObject({
      totalUsd: 1507,
      groups: [
        { key: "retail", amountUsd: 1500 },
        { key: "(unallocated)", amountUsd: 7 },
      ],
    });
    const scoped = await call(bu, "GET /spend", { query: { month: "2026-03", groupBy: "service" } });
    expect(scoped.body).toMatchObject({ totalUsd: 1500, groups: [{ key: "AmazonEC2", amountUsd: 1500 }] });
    const status = await call(bu, "GET /ingestion");
    expect(status.body.lastProcessed).toMatchObject({ billingPeriod: "2026-03", version: "v1" });
  });

  it("makes spend cards idempotently on DynamoDB's conditions, and the owner approves and comments", async () => {
    const store = new DynamoCardStore(ddb, tables);
    const now = () => new Date("2026-03-09T06:00:00Z");
    const first = await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    expect(first.written).toEqual(["retail/2026-03-P1"]);
    const second = await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    expect(second.unchanged).toEqual(["retail/2026-03-P1"]);
    const path = { budgetId: "retail", periodId: "2026-03-P1" };
    expect(
      (await call(bu, "POST /spend-cards/{budgetId}/{periodId}/approval", { path, body: { note: "ok" } }))
        .status,
    ).toBe(200);
    expect(
      (await call(bu, "POST /spend-cards/{budgetId}/{periodId}/approval", { path, body: {} })).status,
    ).toBe(409);
    expect(
      (await call(fin, "POST /spend-cards/{budgetId}/{periodId}/comments", { path, body: { text: "EC2" } }))
        .status,
    ).toBe(201);
    await runCards(store, { kind: "final", billingPeriod: "2026-03", version: "v1" }, "2026-04-03", now);
    const cards = await call(bu, "GET /spend-cards", { query: { period: "2026-03-P1" } });
    expect(cards.body.cards).toEqual([
      expect.objectContaining({
        final: true,
        spendUsd: 1500,
        approval: expect.objectContaining({ by: subOf("bu@example.com"), byEmail: "bu@example.com" }),
        comments: [expect.objectContaining({ text: "EC2" })],
      }),
    ]);
  });

  it("sends a large budget change to the approval workflow and applies it after another FinancialAdmin approves", async () => {
    const submitted = await call(fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 500000, reason: "new product line" },
    });
    expect(submitted).toMatchObject({
      status: 202,
      body: {
        change: { status: "pending", executionArn: expect.stringContaining(names.approvalStateMachine) },
      },
    });
    const changeId = submitted.body.change.changeId as string;
    const store = new DynamoApprovalStore(ddb, tables);
    // The workflow's first step, as the state machine would invoke it (moto runs no Lambda code).
    await runStep(store, { action: "await", changeId, taskToken: "emulated-task-token" }, () => new Date());
    expect(
      (
        await call(fin, "POST /approvals/{changeId}/decision", {
          path: { changeId },
          body: { decision: "approve" },
        })
      ).status,
    ).toBe(403);
    const decided = await call(fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId },
      body: { decision: "approve" },
    });
    // moto accepts SendTaskSuccess for the token the await step stored (it does not run the workflow).
    expect(decided.status).toBe(200);
    expect((await store.getBudgetChange(changeId))?.status).toBe("approved");
    await runStep(store, { action: "apply", changeId }, () => new Date());
    const budget = await call(bu, "GET /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
    });
    expect(budget.body.budget).toMatchObject({
      amountUsd: 500000,
      version: 2,
      updatedBy: subOf("fin2@example.com"),
    });
  });

  it("lists the pool's users with their groups and scope to Admins only", async () => {
    const cognito = new CognitoIdentityProviderClient(await asAccount(admin, config.organization.homeRegion));
    const pool = process.env.USER_POOL_ID!;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool,
        Username: "bu@example.com",
        UserAttributes: [
          { Name: "email", Value: "bu@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
        MessageAction: "SUPPRESS",
      }),
    );
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: pool,
        Username: "bu@example.com",
        GroupName: "BUManagers",
      }),
    );
    const res = await call(claims("admin@example.com", "Admins"), "GET /users");
    expect(res.status).toBe(200);
    expect(res.body.users).toEqual([
      expect.objectContaining({
        email: "bu@example.com",
        emailVerified: true,
        groups: ["BUManagers"],
        budgets: [{ budgetId: "retail", year: 2026, role: "owner" }],
      }),
    ]);
    expect((await call(fin, "GET /users")).status).toBe(403);
  });

  it("creates one demo user per group for npm run local, and again without failing", async () => {
    const first = await createDemoUsers(config, emulatorEndpoint());
    expect(first.users.map((u) => u.group)).toEqual([
      "Admins",
      "FinancialAdmins",
      "BUManagers",
      "DepartmentManagers",
      "PortfolioManagers",
      "ProductManagers",
    ]);
    const again = await createDemoUsers(config, emulatorEndpoint());
    expect(again.users.every((u) => !u.created)).toBe(true);
    const res = await call(claims("admin@example.com", "Admins"), "GET /users");
    expect(res.body.users.map((u: { email?: string }) => u.email)).toEqual(
      expect.arrayContaining([demoUsername("Admins"), demoUsername("ProductManagers")]),
    );
  });
});
