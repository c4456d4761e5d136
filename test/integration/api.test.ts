import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { StackOutcome } from "../../deploy/apply";
import { CognitoDirectory } from "../../functions/api/adapters";
import { apiHandler } from "../../functions/api/app";
import { DynamoRepository } from "../../functions/api/dynamo-repository";
import { DynamoCardStore } from "../../functions/spend-cards/dynamo-store";
import { runCards } from "../../functions/spend-cards/run";
import { type ApiFront, apiFrontOptionsFromEmulator, startApiFront } from "../../local/api-front";
import type { LocalApprovalWorkflow } from "../../local/approval-workflow";
import { createDemoUsers, DEMO_PASSWORD, demoUsername } from "../../local/demo-users";
import { signIn, type Tokens } from "../../local/sign-in";
import { accessTokenClaims, idTokenClaims, subOf } from "../support/cognito-tokens";
import { asAccount, deployLocal, emulatorEndpoint } from "../support/local-org";
import { emptyTables } from "../support/tables";

/**
 * The FinOps API on the emulated admin account (tables, user pool, approval state machine applied
 * with Terraform), called as a browser or curl calls it on AWS: users sign in through the Cognito API
 * (InitiateAuth against the emulated pool, local/sign-in.ts) and call the API over HTTP through the
 * local API front (local/api-front.ts), which does what API Gateway's JWT authorizer does and runs
 * the real API function in-process against moto's DynamoDB and Cognito. Budget changes above the
 * threshold run the approval state machine as deployed (its definition read back from the emulator)
 * on aws-local-stepfunctions, with its Lambda tasks bound to the approvals function's entry.
 *
 * One gap keeps some calls on the handler with injected claims (shaped as AWS documents Cognito's
 * tokens, test/support/cognito-tokens.ts): moto puts in an ID token only the attributes the app
 * client lists in ReadAttributes, and the web client lists none (AWS then gives every readable
 * attribute, `email_verified` included), so moto's ID tokens carry no `email_verified` and the API
 * scopes no budget manager by email. Calls that need a verified email (a BU manager's scope, an
 * owner's spend-card approval) therefore go to the handler directly (docs/local-emulator-gaps.md).
 */
describe("the FinOps API against the emulated admin account", () => {
  const config = loadAccountConfig("accounts/local.yaml");
  const names = new Names(config);
  const admin = config.admin.id;
  const region = config.organization.homeRegion;
  let outcome: StackOutcome;
  let outdir: string;
  let handler: ReturnType<typeof apiHandler>;
  let ddb: DynamoDBDocumentClient;
  let cognito: CognitoIdentityProviderClient;
  let tables: ConstructorParameters<typeof DynamoCardStore>[1];
  let front: ApiFront;
  let workflow: LocalApprovalWorkflow;
  let userPoolId: string;
  let webClientId: string;
  /** ID and access tokens of each test user, from signing in. */
  const tokens: Record<string, Tokens> = {};
  const users = {
    fin: ["fin@example.com", "FinancialAdmins"],
    fin2: ["fin2@example.com", "FinancialAdmins"],
    bu: ["bu@example.com", "BUManagers"],
    admin: ["admin@example.com", "Admins"],
  } as const;
  const PASSWORD = "Test-Passw0rd-Only!";

  const payload = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;

  beforeAll(async () => {
    const deployed = await deployLocal(config, ["admin"]);
    outdir = deployed.outdir;
    outcome = deployed.outcomes[0]!;
    const client = await asAccount(admin, region);
    ddb = DynamoDBDocumentClient.from(new DynamoDBClient(client), {
      marshallOptions: { removeUndefinedValues: true },
    });
    cognito = new CognitoIdentityProviderClient(client);
    const options = await apiFrontOptionsFromEmulator(config, emulatorEndpoint());
    ({ tables, userPoolId, webClientId, approvals: workflow } = options);
    front = await startApiFront({ ...options, port: 0 });
    // The same function the front runs, called with claims directly (the gap above).
    handler = apiHandler({
      repo: new DynamoRepository(ddb, tables),
      users: new CognitoDirectory(cognito, userPoolId),
      approvals: workflow,
      approvalThresholdUsd: config.app.approvalThresholdUsd,
      now: () => new Date(),
      newId: () => randomUUID(),
    });
    for (const [email, group] of Object.values(users)) {
      try {
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: email,
            UserAttributes: [
              { Name: "email", Value: email },
              { Name: "email_verified", Value: "true" },
            ],
            MessageAction: "SUPPRESS",
          }),
        );
      } catch (e) {
        if (!(e instanceof UsernameExistsException)) throw e;
      }
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: email,
          Password: PASSWORD,
          Permanent: true,
        }),
      );
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: group }),
      );
      tokens[email] = await signIn({
        motoEndpoint: emulatorEndpoint(),
        region,
        clientId: webClientId,
        username: email,
        password: PASSWORD,
      });
    }
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

  afterAll(async () => {
    await front?.close();
    ddb?.destroy();
    cognito?.destroy();
  });

  /** A request over HTTP through the front, as `email` (their ID token) or with the given Authorization. */
  const http = async (
    who: string | { authorization?: string },
    method: string,
    apiPath: string,
    body?: unknown,
  ) => {
    const authorization = typeof who === "string" ? `Bearer ${tokens[who]!.idToken}` : who.authorization;
    const res = await fetch(`${front.url}/api${apiPath}`, {
      method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      challenge: res.headers.get("www-authenticate"),
      body: text ? JSON.parse(text) : null,
    };
  };

  /** The handler with the claims of a verified ID token (the gap in the file comment). */
  const direct = async (
    email: string,
    groups: string[],
    routeKey: string,
    opts: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
  ) => {
    const res = await handler({
      routeKey,
      pathParameters: opts.path,
      queryStringParameters: opts.query,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      isBase64Encoded: false,
      requestContext: {
        requestId: "it",
        authorizer: { jwt: { claims: idTokenClaims(email, groups), scopes: [] } },
      },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer);
    return { status: res.statusCode, body: JSON.parse(res.body ?? "null") };
  };

  it("applies the admin stack and plans no change on a second plan", () => {
    expect([outcome.status, outcome.error]).toEqual([
      expect.stringMatching(/^(applied|unchanged)$/),
      undefined,
    ]);
    expect(outcome.clean).toBe(true);
  });

  describe("the JWT authorizer in front of the API", () => {
    /**
     * API Gateway answers a refused token 401 {"message":"Unauthorized"} with a www-authenticate
     * header, "Troubleshooting issues with HTTP API JWT authorizers":
     * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
     * The function is not invoked: the body is API Gateway's, not the function's {error, message}.
     */
    const refused = (description: string) => ({
      status: 401,
      challenge: `Bearer scope="" error="invalid_token" error_description="${description}"`,
      body: { message: "Unauthorized" },
    });

    it("refuses a request without a token, and answers an unknown route 404 before authorizing", async () => {
      expect(await http({}, "GET", "/budgets")).toEqual({
        status: 401,
        challenge: "Bearer",
        body: { message: "Unauthorized" },
      });
      expect(await http({}, "GET", "/nothing-here")).toMatchObject({
        status: 404,
        body: { message: "Not Found" },
      });
    });

    it("refuses an expired token", async () => {
      const { exp } = payload(tokens["fin@example.com"]!.idToken) as { exp: number };
      // The pool's own token, presented after its exp: only Date moves (the sockets keep real timers).
      jest.useFakeTimers({
        now: (exp + 60) * 1000,
        doNotFake: [
          "hrtime",
          "nextTick",
          "performance",
          "queueMicrotask",
          "requestAnimationFrame",
          "cancelAnimationFrame",
          "requestIdleCallback",
          "cancelIdleCallback",
          "setImmediate",
          "clearImmediate",
          "setInterval",
          "clearInterval",
          "setTimeout",
          "clearTimeout",
        ],
      });
      try {
        expect(await http("fin@example.com", "GET", "/budgets")).toEqual(refused("the token has expired"));
      } finally {
        jest.useRealTimers();
      }
    });

    it("refuses forged tokens: claims changed under the pool's signature, or signed with another key", async () => {
      const [header, body, signature] = tokens["bu@example.com"]!.idToken.split(".");
      const claims = { ...payload(tokens["bu@example.com"]!.idToken), "cognito:groups": ["Admins"] };
      const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
      expect(await http({ authorization: `Bearer ${tampered}` }, "GET", "/users")).toEqual(
        refused("the token signature is invalid"),
      );
      // Same header (RS256, the pool's kid) and claims, signed with a key that is not the pool's.
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const signed = `${header}.${body}`;
      const forged = `${signed}.${createSign("RSA-SHA256").update(signed).sign(privateKey).toString("base64url")}`;
      expect(await http({ authorization: `Bearer ${forged}` }, "GET", "/budgets")).toEqual(
        refused("the token signature is invalid"),
      );
    });

    it("refuses a token the pool issued to another app client (wrong audience)", async () => {
      const other = await cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: "not-the-web-client",
          ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
      );
      const clientId = other.UserPoolClient!.ClientId!;
      try {
        const t = await signIn({
          motoEndpoint: emulatorEndpoint(),
          region,
          clientId,
          username: "fin@example.com",
          password: PASSWORD,
        });
        expect(payload(t.idToken).aud).toBe(clientId);
        // The exact description AWS documents for this case.
        expect(await http({ authorization: `Bearer ${t.idToken}` }, "GET", "/budgets")).toEqual(
          refused("the token does not have a valid audience"),
        );
      } finally {
        await cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
      }
    });

    it("passes the web client's access token (client_id is the audience), which the function refuses for an ID token", async () => {
      const res = await http(
        { authorization: `Bearer ${tokens["fin@example.com"]!.accessToken}` },
        "GET",
        "/budgets",
      );
      expect(res).toMatchObject({
        status: 401,
        challenge: null,
        body: { error: "Unauthorized", message: expect.stringContaining("ID token") },
      });
      // The same refusal the function gives the access token's claims as AWS documents them.
      const access = await handler({
        routeKey: "GET /budgets",
        requestContext: {
          requestId: "it",
          authorizer: { jwt: { claims: accessTokenClaims("fin@example.com", ["FinancialAdmins"]) } },
        },
      } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer);
      expect(access.statusCode).toBe(401);
    });
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
    const finSub = payload(tokens["fin@example.com"]!.idToken).sub;
    expect(await http("fin@example.com", "POST", "/budgets", budget)).toMatchObject({
      status: 201,
      body: { budget: { ...budget, version: 1, updatedBy: finSub } },
    });
    expect((await http("fin@example.com", "POST", "/budgets", budget)).status).toBe(409);
    expect((await http("bu@example.com", "POST", "/budgets", { ...budget, budgetId: "x1" })).status).toBe(
      403,
    );
    const mapped = await http("fin@example.com", "PUT", "/accounts/333333333333/budget", {
      budgetId: "retail",
      reason: "web shop",
    });
    expect(mapped).toMatchObject({ status: 200, body: { changed: true } });
    // accounts/local.yaml gives 333333333333 (app-dev) 1500 USD a month, its AWS Budget: the budget
    // holding it shows that, and may not go below 12 × 1500 (docs/budgets.md).
    const reconciled = await http("fin@example.com", "GET", "/budgets/retail/2026");
    expect(reconciled.body.budget.config).toMatchObject({
      annualUsd: 18000,
      accounts: [{ accountId: "333333333333", monthlyUsd: 1500 }],
      status: "ok",
    });
    expect(
      await http("fin@example.com", "PATCH", "/budgets/retail/2026", { amountUsd: 10000, reason: "cut" }),
    ).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining("members[].budget.monthlyUsd") },
    });
    const unallocated = await http("fin@example.com", "GET", "/accounts?unallocated=true");
    expect(unallocated.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([
      "444444444444",
    ]);
    const history = await http("fin@example.com", "GET", "/accounts/333333333333/allocations");
    expect(history.body.history).toEqual([
      expect.objectContaining({ budgetId: "retail", changedBy: finSub, reason: "web shop" }),
    ]);
    // A budget manager's scope comes from their verified email (the gap in the file comment).
    const mine = await direct("bu@example.com", ["BUManagers"], "GET /accounts");
    expect(mine.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual(["333333333333"]);
    expect(
      (
        await direct("bu@example.com", ["BUManagers"], "GET /accounts/{accountId}/allocations", {
          path: { accountId: "444444444444" },
        })
      ).status,
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
    const all = await http("fin@example.com", "GET", "/spend?month=2026-03");
    expect(all).toMatchObject({
      status: 200,
      body: {
        totalUsd: 1507,
        groups: [
          { key: "retail", amountUsd: 1500 },
          { key: "(unallocated)", amountUsd: 7 },
        ],
      },
    });
    const scoped = await direct("bu@example.com", ["BUManagers"], "GET /spend", {
      query: { month: "2026-03", groupBy: "service" },
    });
    expect(scoped.body).toMatchObject({ totalUsd: 1500, groups: [{ key: "AmazonEC2", amountUsd: 1500 }] });
    const status = await http("bu@example.com", "GET", "/ingestion");
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
    const approve = (body: unknown) =>
      direct("bu@example.com", ["BUManagers"], "POST /spend-cards/{budgetId}/{periodId}/approval", {
        path,
        body,
      });
    expect((await approve({ note: "ok" })).status).toBe(200);
    expect((await approve({})).status).toBe(409);
    expect(
      (await http("fin@example.com", "POST", "/spend-cards/retail/2026-03-P1/comments", { text: "EC2" }))
        .status,
    ).toBe(201);
    await runCards(store, { kind: "final", billingPeriod: "2026-03", version: "v1" }, "2026-04-03", now);
    const cards = await http("fin@example.com", "GET", "/spend-cards?period=2026-03-P1");
    expect(cards.body.cards).toEqual([
      expect.objectContaining({
        final: true,
        spendUsd: 1500,
        approval: expect.objectContaining({ by: subOf("bu@example.com"), byEmail: "bu@example.com" }),
        comments: [expect.objectContaining({ text: "EC2" })],
      }),
    ]);
  });

  describe("the approval workflow, executed", () => {
    /** The change as stored, once its workflow's first step has stored the task token. */
    const awaitingDecision = async (changeId: string) => {
      for (let i = 0; i < 100; i++) {
        const { Item } = await ddb.send(
          new GetCommand({ TableName: tables.budgetChanges, Key: { changeId }, ConsistentRead: true }),
        );
        if (Item?.taskToken) return Item;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`change ${changeId} never reached the decision step`);
    };

    it("runs the state machine the admin stack synthesized", () => {
      const synthesized = JSON.parse(
        readFileSync(path.join(outdir, "stacks", "admin", "cdk.tf.json"), "utf8"),
      );
      const machines = Object.values(synthesized.resource.aws_sfn_state_machine) as { definition: string }[];
      const definition = JSON.parse(machines[0]!.definition);
      // The machine the front runs (read back from the emulator) is the one synthesized and applied.
      expect(workflow.definition).toEqual(definition);
      expect(definition.States.ApplyChange.Parameters.FunctionName).toBe(
        `arn:aws:lambda:${region}:${admin}:function:${names.functionName("approvals")}`,
      );
    });

    it("applies a large change after another FinancialAdmin approves it", async () => {
      const submitted = await http("fin@example.com", "PATCH", "/budgets/retail/2026", {
        amountUsd: 500000,
        reason: "new product line",
      });
      expect(submitted).toMatchObject({
        status: 202,
        body: {
          change: { status: "pending", executionArn: expect.stringContaining(names.approvalStateMachine) },
        },
      });
      const changeId = submitted.body.change.changeId as string;
      // The execution's first step (the approvals function) stored its task token; the API's write
      // of the execution ARN did not erase it.
      const stored = await awaitingDecision(changeId);
      expect(stored).toMatchObject({ status: "pending", executionArn: submitted.body.change.executionArn });
      const execution = workflow.execution(changeId)!;
      expect(execution.status).toBe("RUNNING");
      expect(
        (await http("fin@example.com", "POST", `/approvals/${changeId}/decision`, { decision: "approve" }))
          .status,
      ).toBe(403);
      const decided = await http("fin2@example.com", "POST", `/approvals/${changeId}/decision`, {
        decision: "approve",
        note: "fine",
      });
      expect(decided).toMatchObject({ status: 200, body: { change: { status: "approved" } } });
      await execution.done;
      expect([execution.status, execution.states]).toEqual([
        "SUCCEEDED",
        ["AwaitDecision", "Decision", "ApplyChange", "Approved"],
      ]);
      const budget = await http("fin@example.com", "GET", "/budgets/retail/2026");
      expect(budget.body.budget).toMatchObject({
        amountUsd: 500000,
        version: 2,
        updatedBy: payload(tokens["fin2@example.com"]!.idToken).sub,
      });
      const change = await http("fin@example.com", "GET", "/approvals");
      expect(change.body.changes.find((c: { changeId: string }) => c.changeId === changeId)).toMatchObject({
        status: "approved",
        appliedAt: expect.any(String),
      });
    });

    it("leaves the budget as it was when the change is rejected", async () => {
      const submitted = await http("fin2@example.com", "PATCH", "/budgets/retail/2026", {
        amountUsd: 100000,
        reason: "cut",
      });
      expect(submitted.status).toBe(202);
      const changeId = submitted.body.change.changeId as string;
      await awaitingDecision(changeId);
      const decided = await http("fin@example.com", "POST", `/approvals/${changeId}/decision`, {
        decision: "reject",
        note: "not this year",
      });
      expect(decided).toMatchObject({ status: 200, body: { change: { status: "rejected" } } });
      const execution = workflow.execution(changeId)!;
      await execution.done;
      expect([execution.status, execution.states]).toEqual([
        "SUCCEEDED",
        ["AwaitDecision", "Decision", "Rejected"],
      ]);
      const budget = await http("fin@example.com", "GET", "/budgets/retail/2026");
      expect(budget.body.budget).toMatchObject({ amountUsd: 500000, version: 2 });
      // Decided once: a second decision is a conflict, not a second completion of the task.
      expect(
        (await http("fin@example.com", "POST", `/approvals/${changeId}/decision`, { decision: "approve" }))
          .status,
      ).toBe(409);
    });
  });

  it("lists the pool's users with their groups and scope to Admins only", async () => {
    const res = await http("admin@example.com", "GET", "/users");
    expect(res.status).toBe(200);
    expect(res.body.users).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          email: "bu@example.com",
          emailVerified: true,
          groups: ["BUManagers"],
          budgets: [{ budgetId: "retail", year: 2026, role: "owner" }],
        }),
      ]),
    );
    expect((await http("fin@example.com", "GET", "/users")).status).toBe(403);
  });

  it("creates one demo user per group for npm run local, who sign in and call the API", async () => {
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
    const demoAdmin = await signIn({
      motoEndpoint: emulatorEndpoint(),
      region,
      clientId: webClientId,
      username: demoUsername("Admins"),
      password: DEMO_PASSWORD,
    });
    const res = await http({ authorization: `Bearer ${demoAdmin.idToken}` }, "GET", "/users");
    expect(res.status).toBe(200);
    expect(res.body.users.map((u: { email?: string }) => u.email)).toEqual(
      expect.arrayContaining([demoUsername("Admins"), demoUsername("ProductManagers")]),
    );
    await expect(
      signIn({
        motoEndpoint: emulatorEndpoint(),
        region,
        clientId: webClientId,
        username: demoUsername("Admins"),
        password: "wrong-password",
      }),
    ).rejects.toThrow(/refused/);
  });
});
