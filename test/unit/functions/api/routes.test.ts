import { ROUTE_KEYS } from "../../../../contracts/api";
import { ApiError } from "../../../../functions/api/domain";
import { applyPatch } from "../../../../functions/api/operations/budgets";
import { callerFromClaims } from "../../../../functions/api/router";
import { accessTokenClaims, idTokenClaims, subOf, usernameOf } from "../../../support/cognito-tokens";
import { fixture } from "./memory-repository";
import { admin, call, fin, fin2, nobody } from "./route-call";

describe("the route table", () => {
  it("lists every operation of the issue exactly once", () => {
    expect(new Set(ROUTE_KEYS).size).toBe(ROUTE_KEYS.length);
    expect(ROUTE_KEYS).toHaveLength(19);
  });

  it("answers 404 naming an unknown route", async () => {
    const { deps } = fixture();
    const res = await call(deps, admin, "GET /nope");
    expect(res).toEqual({ status: 404, body: { error: "NotFound", message: "no route GET /nope" } });
  });

  it.each(ROUTE_KEYS)("refuses %s to a user in no FinOps group", async (routeKey) => {
    const { deps } = fixture();
    const res = await call(deps, nobody, routeKey, {
      path: {
        accountId: "111111111111",
        budgetId: "retail",
        year: "2026",
        periodId: "2026-03-P1",
        changeId: "change-0001",
        username: "some-user",
      },
      query: routeKey === "GET /spend" ? { month: "2026-03" } : {},
      body: routeKey.startsWith("POST /users")
        ? { email: "x@example.com", groups: ["Admins"] }
        : routeKey.startsWith("PUT /users")
          ? { groups: ["Admins"] }
          : routeKey.includes("decision")
            ? { decision: "approve" }
            : routeKey.endsWith("change-requests")
              ? { amountUsd: 1, reason: "why not" }
              : routeKey.startsWith("POST /budgets")
                ? {
                    budgetId: "x1",
                    year: 2026,
                    name: "x",
                    amountUsd: 1,
                    owner: "o@example.com",
                    scope: { level: "product", name: "p" },
                  }
                : routeKey.startsWith("PATCH")
                  ? { amountUsd: 1, reason: "why not" }
                  : routeKey.endsWith("comments")
                    ? { text: "hi" }
                    : routeKey.startsWith("PUT")
                      ? { budgetId: "retail" }
                      : undefined,
    });
    expect(res.status).toBe(403);
    expect((res.body as { message: string }).message).toMatch(/no FinOps group|only/);
  });
});

/*
 * The caller comes from the claims API Gateway passes after its JWT authorizer verified the token.
 * Claims are built as AWS documents them (test/support/cognito-tokens.ts cites the pages): `sub` and
 * `cognito:username` are UUIDs, distinct from each other and from the email. Sources:
 * - https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 * - https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * - https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
describe("callerFromClaims", () => {
  it("takes sub as the identity and the verified email from an ID token, never the username", () => {
    const claims = idTokenClaims("fin@example.com", ["FinancialAdmins", "Hackers"]);
    expect(claims["cognito:username"]).not.toBe(claims.email);
    expect(claims["cognito:username"]).not.toBe(claims.sub);
    expect(callerFromClaims(claims)).toEqual({
      sub: subOf("fin@example.com"),
      email: "fin@example.com",
      username: usernameOf("fin@example.com"),
      groups: ["FinancialAdmins"],
    });
  });

  it("accepts email_verified as a JSON boolean and groups as a real array", () => {
    const claims = { ...idTokenClaims("a@example.com"), email_verified: true, "cognito:groups": ["Admins"] };
    expect(callerFromClaims(claims)).toMatchObject({ email: "a@example.com", groups: ["Admins"] });
  });

  it.each(["false", false, undefined])("ignores the email when email_verified is %p", (verified) => {
    const { email_verified: _v, ...rest } = idTokenClaims("bu-retail@example.com", ["BUManagers"]);
    const c = callerFromClaims(verified === undefined ? rest : { ...rest, email_verified: verified });
    expect(c.email).toBeUndefined();
    expect(c.sub).toBe(subOf("bu-retail@example.com"));
  });

  it("refuses the access token with 401 saying which token to send", () => {
    // Same user, same client: the authorizer lets it through on client_id (an access token has no aud).
    const claims = accessTokenClaims("fin@example.com", ["FinancialAdmins"]);
    expect(claims).not.toHaveProperty("aud");
    expect(claims).not.toHaveProperty("email");
    let error: unknown;
    try {
      callerFromClaims(claims);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: "Unauthorized" });
    expect((error as Error).message).toBe(
      "this API takes the Cognito ID token, not the access token: send the id_token from sign-in as 'Authorization: Bearer <id_token>'",
    );
  });

  it("refuses a token without token_use or without sub", () => {
    const { token_use: _t, ...noUse } = idTokenClaims("fin@example.com");
    expect(() => callerFromClaims(noUse)).toThrow(
      "the token is not a Cognito ID token (token_use missing); send the id_token from sign-in",
    );
    const { sub: _s, ...noSub } = idTokenClaims("fin@example.com");
    expect(() => callerFromClaims(noSub)).toThrow("the ID token has no sub claim");
  });
});

describe("identity: sub in audit fields, verified email for scope", () => {
  const fromToken = (email: string, groups: string[], opts?: { emailVerified?: boolean }) =>
    callerFromClaims(idTokenClaims(email, groups, opts));

  it("scopes a manager by the verified email of the ID token, whatever the username", async () => {
    const { deps } = fixture();
    const verified = await call(deps, fromToken("BU-Retail@Example.com", ["BUManagers"]), "GET /budgets");
    expect((verified.body as { budgets: { budgetId: string }[] }).budgets.map((b) => b.budgetId)).toEqual([
      "retail",
    ]);
    const unverified = await call(
      deps,
      fromToken("bu-retail@example.com", ["BUManagers"], { emailVerified: false }),
      "GET /budgets",
    );
    expect(unverified.body).toEqual({ budgets: [] });
  });

  it("does not scope a manager whose username happens to be a budget owner's name", async () => {
    const { deps, repo } = fixture();
    const c = fromToken("someone@example.com", ["BUManagers"]);
    const b = repo.budgets.get("retail#2026")!;
    repo.budgets.set("retail#2026", { ...b, owner: c.username!, managers: [c.sub] });
    expect((await call(deps, c, "GET /budgets")).body).toEqual({ budgets: [] });
  });

  it("records the sub, and the email only when verified", async () => {
    const { deps, repo } = fixture();
    const unverifiedFin = fromToken("fin@example.com", ["FinancialAdmins"], { emailVerified: false });
    await call(deps, unverifiedFin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: { budgetId: "retail" },
    });
    expect(repo.allocations.at(-1)).toEqual({
      accountId: "333333333333",
      validFrom: "2026-03-10T12:00:00.000Z",
      budgetId: "retail",
      changedBy: subOf("fin@example.com"),
    });
  });

  it("a changed email does not let the submitter decide their own change; another sub may", async () => {
    const { deps, repo } = fixture();
    const submitter = fromToken("fin@example.com", ["FinancialAdmins"]);
    await call(deps, submitter, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 500_000, reason: "new product line" },
    });
    const c = repo.changes.get("change-0001")!;
    repo.changes.set(c.changeId, { ...c, taskToken: "token-1" });
    // Same sub, email since changed in the pool.
    const renamed = { ...submitter, email: "fin.renamed@example.com" };
    const own = await call(deps, renamed, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "approve" },
    });
    expect(own.status).toBe(403);
    const other = await call(
      deps,
      fromToken("fin2@example.com", ["FinancialAdmins"]),
      "POST /approvals/{changeId}/decision",
      {
        path: { changeId: "change-0001" },
        body: { decision: "reject" },
      },
    );
    expect(other.status).toBe(200);
  });

  it("recognizes a change stored before audit fields held the sub (submittedBy = the username)", async () => {
    const { deps, repo } = fixture();
    const submitter = fromToken("fin@example.com", ["FinancialAdmins"]);
    await repo.putBudgetChange({
      changeId: "change-legacy",
      budgetId: "retail",
      year: 2026,
      baseVersion: 1,
      previousAmountUsd: 365_000,
      changes: { amountUsd: 500_000 },
      submittedBy: usernameOf("fin@example.com"),
      submittedAt: "2026-03-01T00:00:00.000Z",
      reason: "old",
      status: "pending",
      taskToken: "token-legacy",
    });
    const res = await call(deps, submitter, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-legacy" },
      body: { decision: "approve" },
    });
    expect(res.status).toBe(403);
  });

  it("applies a change with the writer's sub and never leaves the previous writer's email", async () => {
    const { deps, repo } = fixture();
    await call(deps, fin2, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { name: "Retail EU", reason: "rename" },
    });
    expect(repo.budgets.get("retail#2026")).toMatchObject({
      updatedBy: fin2.sub,
      updatedByEmail: "fin2@example.com",
    });
    // The approvals workflow applies an approved change with only the decider's sub.
    const applied = applyPatch(repo.budgets.get("retail#2026")!, { amountUsd: 1 }, fin.sub, "t");
    expect(applied.updatedBy).toBe(fin.sub);
    expect(applied).not.toHaveProperty("updatedByEmail");
  });

  it("names a caller in no group by the verified email, or by sub without one", async () => {
    const { deps } = fixture();
    const named = await call(deps, fromToken("x@example.com", []), "GET /budgets");
    expect((named.body as { message: string }).message).toMatch(/^user x@example.com is in no FinOps group/);
    const anon = await call(deps, fromToken("x@example.com", [], { emailVerified: false }), "GET /budgets");
    expect((anon.body as { message: string }).message).toMatch(
      new RegExp(`^user ${subOf("x@example.com")} is in no FinOps group`),
    );
  });
});
