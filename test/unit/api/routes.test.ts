import { ROUTE_KEYS } from "../../../contracts/api";
import { ApiError, type Caller } from "../../../functions/api/domain";
import { applyPatch } from "../../../functions/api/operations";
import { callerFromClaims, route } from "../../../functions/api/router";
import { accessTokenClaims, idTokenClaims, subOf, usernameOf } from "./cognito-tokens";
import { caller, fixture } from "./memory-repository";

const admin = caller("admin@example.com", "Admins");
const fin = caller("fin@example.com", "FinancialAdmins");
const fin2 = caller("fin2@example.com", "FinancialAdmins");
const buRetail = caller("bu-retail@example.com", "BUManagers");
const deptWeb = caller("dept-web@example.com", "DepartmentManagers");
const portfolio = caller("pm@example.com", "PortfolioManagers");
const nobody = caller("nobody@example.com");

function call(
  deps: ReturnType<typeof fixture>["deps"],
  c: Caller,
  routeKey: string,
  opts: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
) {
  return route(deps, {
    routeKey,
    caller: c,
    pathParameters: opts.path ?? {},
    query: opts.query ?? {},
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : JSON.stringify(opts.body),
  });
}

describe("the route table", () => {
  it("lists every operation of the issue exactly once", () => {
    expect(new Set(ROUTE_KEYS).size).toBe(ROUTE_KEYS.length);
    expect(ROUTE_KEYS).toHaveLength(16);
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
      },
      query: routeKey === "GET /spend" ? { month: "2026-03" } : {},
      body: routeKey.includes("decision")
        ? { decision: "approve" }
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

describe("GET /accounts", () => {
  it("gives finance every account and the unallocated ones on request", async () => {
    const { deps } = fixture();
    const all = await call(deps, fin, "GET /accounts");
    expect((all.body as { accounts: unknown[] }).accounts).toHaveLength(3);
    const un = await call(deps, admin, "GET /accounts", { query: { unallocated: "true" } });
    expect((un.body as { accounts: { accountId: string }[] }).accounts.map((a) => a.accountId)).toEqual([
      "333333333333",
    ]);
  });

  it("gives a BU manager only the accounts of the budgets they own", async () => {
    const { deps } = fixture();
    const res = await call(deps, buRetail, "GET /accounts");
    expect((res.body as { accounts: { accountId: string }[] }).accounts.map((a) => a.accountId)).toEqual([
      "111111111111",
    ]);
  });

  it("gives a manager listed on a budget that budget's accounts, and one with no budgets none", async () => {
    const { deps } = fixture();
    const dept = await call(deps, deptWeb, "GET /accounts");
    expect((dept.body as { accounts: unknown[] }).accounts).toHaveLength(1);
    const pm = await call(deps, portfolio, "GET /accounts");
    expect((pm.body as { accounts: unknown[] }).accounts).toEqual([]);
  });

  it("refuses the unallocated list to a scoped manager", async () => {
    const { deps } = fixture();
    const res = await call(deps, buRetail, "GET /accounts", { query: { unallocated: "true" } });
    expect(res.status).toBe(403);
  });

  it("rejects a bad filter value naming the field", async () => {
    const { deps } = fixture();
    const res = await call(deps, fin, "GET /accounts", { query: { unallocated: "yes" } });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toBe(
      'invalid query: unallocated: must be "true" or "false"',
    );
  });

  it("rejects an unknown query parameter", async () => {
    const { deps } = fixture();
    const res = await call(deps, fin, "GET /accounts", { query: { unalocated: "true" } });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(/unalocated/);
  });
});

describe("PUT/DELETE /accounts/{accountId}/budget and the history", () => {
  it("maps an unallocated account, records who and why, and the account becomes allocated", async () => {
    const { deps, repo } = fixture();
    const res = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: { budgetId: "retail", reason: "sandbox of the web team" },
    });
    expect(res).toEqual({
      status: 200,
      body: { accountId: "333333333333", budgetId: "retail", changed: true, previousBudgetId: null },
    });
    expect(repo.accounts.get("333333333333")).toMatchObject({
      allocationStatus: "allocated",
      budgetId: "retail",
    });
    const hist = await call(deps, fin, "GET /accounts/{accountId}/allocations", {
      path: { accountId: "333333333333" },
    });
    expect((hist.body as { history: unknown[] }).history).toEqual([
      {
        accountId: "333333333333",
        validFrom: "2026-03-10T12:00:00.000Z",
        budgetId: "retail",
        changedBy: fin.sub,
        changedByEmail: "fin@example.com",
        reason: "sandbox of the web team",
      },
    ]);
  });

  it("unmaps an account, keeping the earlier mapping in its history", async () => {
    const { deps, repo } = fixture();
    const res = await call(deps, admin, "DELETE /accounts/{accountId}/budget", {
      path: { accountId: "111111111111" },
    });
    expect(res.body).toEqual({ accountId: "111111111111", changed: true, previousBudgetId: "retail" });
    expect(repo.accounts.get("111111111111")).toEqual({
      accountId: "111111111111",
      name: "retail-web",
      allocationStatus: "unallocated",
    });
    expect(await repo.allocationHistory("111111111111")).toHaveLength(2);
  });

  it("does not write a history entry when nothing changes", async () => {
    const { deps, repo } = fixture();
    const res = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "111111111111" },
      body: { budgetId: "retail" },
    });
    expect(res.body).toMatchObject({ changed: false });
    expect(repo.allocations).toHaveLength(2);
  });

  it.each([
    [buRetail, "PUT"],
    [deptWeb, "DELETE"],
  ])("refuses a scoped manager (%#) to %s a mapping", async (who, method) => {
    const { deps, repo } = fixture();
    const res = await call(deps, who, `${method} /accounts/{accountId}/budget`, {
      path: { accountId: "111111111111" },
      body: method === "PUT" ? { budgetId: "retail" } : {},
    });
    expect(res.status).toBe(403);
    expect(repo.allocations).toHaveLength(2);
  });

  it.each([
    [{ budgetId: "Retail!" }, "invalid body: budgetId: must be 2-63 lowercase letters, digits or hyphens"],
    [{}, "invalid body: budgetId: must be a string"],
    [{ budgetId: "retail", extra: 1 }, 'invalid body: input: Unrecognized key: "extra"'],
  ])("rejects the mapping body %j naming the field", async (body, message) => {
    const { deps } = fixture();
    const res = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body,
    });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(message);
  });

  it("rejects a body that is not JSON and an account id that is not 12 digits", async () => {
    const { deps } = fixture();
    const notJson = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: "{budgetId:",
    });
    expect(notJson.status).toBe(400);
    expect((notJson.body as { message: string }).message).toMatch(/not JSON/);
    const badId = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "12345" },
      body: { budgetId: "retail" },
    });
    expect((badId.body as { message: string }).message).toBe(
      "invalid path: accountId: must be a 12-digit AWS account id",
    );
  });

  it("answers 404 for an unknown budget or account", async () => {
    const { deps } = fixture();
    const nb = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: { budgetId: "nope" },
    });
    expect(nb.status).toBe(404);
    expect((nb.body as { message: string }).message).toMatch(/^budgetId: no budget "nope"/);
    const na = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "999999999999" },
      body: { budgetId: "retail" },
    });
    expect(na.status).toBe(404);
  });

  it("shows a manager the history of their account but not of another budget's", async () => {
    const { deps } = fixture();
    const mine = await call(deps, buRetail, "GET /accounts/{accountId}/allocations", {
      path: { accountId: "111111111111" },
    });
    expect(mine.status).toBe(200);
    const other = await call(deps, buRetail, "GET /accounts/{accountId}/allocations", {
      path: { accountId: "222222222222" },
    });
    expect(other.status).toBe(403);
  });
});

describe("budgets", () => {
  const newBudget = {
    budgetId: "data-lake",
    year: 2026,
    name: "Data lake",
    amountUsd: 120000,
    owner: "pm@example.com",
    scope: { level: "portfolio", name: "Data" },
  };

  it("lets finance create a budget (201) and refuses a duplicate (409)", async () => {
    const { deps } = fixture();
    const res = await call(deps, fin, "POST /budgets", { body: newBudget });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      budget: {
        ...newBudget,
        managers: [],
        version: 1,
        updatedAt: "2026-03-10T12:00:00.000Z",
        updatedBy: fin.sub,
        updatedByEmail: "fin@example.com",
      },
    });
    const again = await call(deps, admin, "POST /budgets", { body: newBudget });
    expect(again.status).toBe(409);
  });

  it.each([buRetail, deptWeb, portfolio])("refuses budget creation to a scoped manager (%#)", async (who) => {
    const { deps, repo } = fixture();
    const res = await call(deps, who, "POST /budgets", { body: newBudget });
    expect(res.status).toBe(403);
    expect(repo.budgets.size).toBe(2);
  });

  it.each([
    [{ amountUsd: -5 }, "amountUsd: must be greater than 0"],
    [{ amountUsd: "100" }, "amountUsd: must be a number (USD)"],
    [{ amountUsd: 10.123 }, "amountUsd: must have at most 2 decimals"],
    [{ year: 1999 }, "year: must be 2000 or later"],
    [
      { scope: { level: "team", name: "x" } },
      "scope.level: must be one of businessUnit, department, portfolio, product",
    ],
    [{ owner: "" }, "owner: must not be empty"],
    [{ owner: usernameOf("pm@example.com") }, "owner: must be an email address"],
    [{ managers: ["pm"] }, "managers.0: must be an email address"],
  ])("rejects a budget with %j naming the field", async (patch, message) => {
    const { deps } = fixture();
    const res = await call(deps, fin, "POST /budgets", { body: { ...newBudget, ...patch } });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(message);
  });

  it("lists all budgets for finance and only their own for a BU manager; filters by year", async () => {
    const { deps } = fixture();
    const f = await call(deps, fin, "GET /budgets");
    expect((f.body as { budgets: unknown[] }).budgets).toHaveLength(2);
    const b = await call(deps, buRetail, "GET /budgets");
    expect((b.body as { budgets: { budgetId: string }[] }).budgets.map((x) => x.budgetId)).toEqual([
      "retail",
    ]);
    const y = await call(deps, fin, "GET /budgets", { query: { year: "2027" } });
    expect((y.body as { budgets: unknown[] }).budgets).toEqual([]);
    const bad = await call(deps, fin, "GET /budgets", { query: { year: "next" } });
    expect((bad.body as { message: string }).message).toBe("invalid query: year: must be a year");
  });

  it("gets one budget for its owner and refuses it to another BU's manager", async () => {
    const { deps } = fixture();
    const ok = await call(deps, buRetail, "GET /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
    });
    expect(ok.status).toBe(200);
    const no = await call(deps, buRetail, "GET /budgets/{budgetId}/{year}", {
      path: { budgetId: "logistics", year: "2026" },
    });
    expect(no.status).toBe(403);
    const missing = await call(deps, fin, "GET /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2025" },
    });
    expect(missing.status).toBe(404);
  });

  it("applies a change within the threshold at once, bumping the version", async () => {
    const { deps, repo, workflow } = fixture();
    const res = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 370_000, managers: ["a@example.com"], reason: "new team" },
    });
    expect(res.status).toBe(200);
    expect(repo.budgets.get("retail#2026")).toMatchObject({
      amountUsd: 370_000,
      managers: ["a@example.com"],
      version: 2,
    });
    expect(workflow.started).toEqual([]);
  });

  it("sends an amount change above the threshold to approval (202) and leaves the budget as it was", async () => {
    const { deps, repo, workflow } = fixture();
    const res = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 500_000, reason: "new product line" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      change: {
        changeId: "change-0001",
        status: "pending",
        previousAmountUsd: 365_000,
        changes: { amountUsd: 500_000 },
        submittedBy: fin.sub,
        submittedByEmail: "fin@example.com",
        executionArn: expect.stringContaining("change-0001"),
      },
    });
    expect(workflow.started).toEqual(["change-0001"]);
    expect(repo.budgets.get("retail#2026")?.amountUsd).toBe(365_000);
    const second = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { name: "Retail", reason: "rename" },
    });
    expect(second.status).toBe(409);
  });

  it("treats exactly the threshold as within it", async () => {
    const { deps, workflow } = fixture();
    const res = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 355_000, reason: "trim" },
    });
    expect(res.status).toBe(200);
    expect(workflow.started).toEqual([]);
  });

  it.each([buRetail, deptWeb])("refuses budget changes to a manager of the budget (%#)", async (who) => {
    const { deps } = fixture();
    const res = await call(deps, who, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 1, reason: "more please" },
    });
    expect(res.status).toBe(403);
  });

  it.each([
    [{ amountUsd: 5 }, "reason: must say why the budget changes"],
    [{ reason: "only a reason" }, "body: give at least one of name, amountUsd, owner, managers, scope"],
    [{ reason: "x", amountUsd: 5 }, "reason: must say why the budget changes (at least 3 characters)"],
    [{ reason: "ok!", budgetId: "other" }, 'Unrecognized key: "budgetId"'],
  ])("rejects the change %j naming the field", async (body, message) => {
    const { deps } = fixture();
    const res = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body,
    });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(message);
  });
});

describe("approvals", () => {
  async function pending() {
    const f = fixture();
    await call(f.deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 500_000, reason: "new product line" },
    });
    const c = f.repo.changes.get("change-0001")!;
    f.repo.changes.set(c.changeId, { ...c, taskToken: "token-1" });
    return f;
  }

  it("lets another FinancialAdmin approve: the change is decided and the workflow step completed", async () => {
    const { deps, repo, workflow } = await pending();
    const res = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "approve", note: "fine" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      change: { status: "approved", decidedBy: fin2.sub, decidedByEmail: "fin2@example.com" },
    });
    expect(JSON.stringify(res.body)).not.toContain("token-1");
    expect(workflow.completed).toEqual([{ taskToken: "token-1", decision: "approve", by: fin2.sub }]);
    expect(repo.changes.get("change-0001")?.status).toBe("approved");
    const again = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "reject" },
    });
    expect(again.status).toBe(409);
  });

  it("refuses the submitter's own decision, and Admins or managers who are not FinancialAdmins", async () => {
    const { deps, workflow } = await pending();
    for (const who of [fin, admin, buRetail]) {
      const res = await call(deps, who, "POST /approvals/{changeId}/decision", {
        path: { changeId: "change-0001" },
        body: { decision: "approve" },
      });
      expect(res.status).toBe(403);
    }
    expect(workflow.completed).toEqual([]);
  });

  it("answers 409 while the workflow has not reached the approval step", async () => {
    const { deps, repo } = await pending();
    const c = repo.changes.get("change-0001")!;
    repo.changes.set(c.changeId, { ...c, taskToken: undefined });
    const res = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "approve" },
    });
    expect(res.status).toBe(409);
  });

  it("rejects a bad decision naming the field, and a missing change with 404", async () => {
    const { deps } = await pending();
    const bad = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "maybe" },
    });
    expect((bad.body as { message: string }).message).toBe(
      'invalid body: decision: must be "approve" or "reject"',
    );
    const missing = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-9999" },
      body: { decision: "approve" },
    });
    expect(missing.status).toBe(404);
  });

  it("lists changes for finance without task tokens, and refuses managers", async () => {
    const { deps } = await pending();
    const res = await call(deps, fin, "GET /approvals", { query: { status: "pending" } });
    expect((res.body as { changes: unknown[] }).changes).toHaveLength(1);
    expect(JSON.stringify(res.body)).not.toContain("token-1");
    expect((await call(deps, buRetail, "GET /approvals")).status).toBe(403);
    const bad = await call(deps, fin, "GET /approvals", { query: { status: "open" } });
    expect(bad.status).toBe(400);
  });
});

describe("GET /spend", () => {
  it("groups a month's spend by budget for finance, unallocated spend included", async () => {
    const { deps } = fixture();
    const res = await call(deps, fin, "GET /spend", { query: { month: "2026-03" } });
    expect(res.body).toMatchObject({
      totalUsd: 427.5,
      groups: [
        { key: "logistics", amountUsd: 300 },
        { key: "retail", amountUsd: 120.5 },
        { key: "(unallocated)", amountUsd: 7 },
      ],
    });
  });

  it("gives a BU manager only their budget's spend, by service and by period", async () => {
    const { deps } = fixture();
    const res = await call(deps, buRetail, "GET /spend", { query: { month: "2026-03", groupBy: "service" } });
    expect(res.body).toMatchObject({
      totalUsd: 120.5,
      groups: [
        { key: "AmazonEC2", amountUsd: 100 },
        { key: "AmazonS3", amountUsd: 20.5 },
      ],
    });
    const p1 = await call(deps, buRetail, "GET /spend", {
      query: { month: "2026-03", period: "2026-03-P1", groupBy: "day" },
    });
    expect(p1.body).toMatchObject({ from: "2026-03-01", totalUsd: 120.5 });
  });

  it("attributes spend to the budget an account was mapped to on that day", async () => {
    const { deps, repo } = fixture();
    repo.allocations.push({
      accountId: "111111111111",
      validFrom: "2026-03-02T08:00:00.000Z",
      budgetId: "logistics",
      changedBy: "fin",
    });
    const res = await call(deps, fin, "GET /spend", {
      query: { month: "2026-03", accountId: "111111111111" },
    });
    expect(res.body).toMatchObject({
      groups: [
        { key: "retail", amountUsd: 100 },
        { key: "logistics", amountUsd: 20.5 },
      ],
    });
  });

  it("refuses another budget or account to a manager", async () => {
    const { deps } = fixture();
    expect(
      (await call(deps, buRetail, "GET /spend", { query: { month: "2026-03", budgetId: "logistics" } }))
        .status,
    ).toBe(403);
    expect(
      (await call(deps, buRetail, "GET /spend", { query: { month: "2026-03", accountId: "222222222222" } }))
        .status,
    ).toBe(403);
  });

  it.each([
    [{}, "month: must be a month YYYY-MM"],
    [{ month: "2026-13" }, "month: must be a month YYYY-MM"],
    [{ month: "2026-03", groupBy: "region" }, "groupBy: must be one of budget, account, service, day"],
    [{ month: "2026-03", period: "2026-04-P1" }, "period: 2026-04-P1 is not a period of 2026-03"],
    [{ month: "2026-03", period: "2026-03-P6" }, "period: 2026-03-P6 is not a period of 2026-03"],
  ])("rejects the query %j naming the field", async (q, message) => {
    const { deps } = fixture();
    const res = await call(deps, fin, "GET /spend", { query: q as Record<string, string> });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(message);
  });
});

describe("spend cards", () => {
  it("lists every card for finance and only their budget's for a manager", async () => {
    const { deps } = fixture();
    expect(((await call(deps, fin, "GET /spend-cards")).body as { cards: unknown[] }).cards).toHaveLength(2);
    const mine = await call(deps, deptWeb, "GET /spend-cards");
    expect((mine.body as { cards: { budgetId: string }[] }).cards.map((c) => c.budgetId)).toEqual(["retail"]);
    expect((await call(deps, deptWeb, "GET /spend-cards", { query: { budgetId: "logistics" } })).status).toBe(
      403,
    );
    expect(((await call(deps, portfolio, "GET /spend-cards")).body as { cards: unknown[] }).cards).toEqual(
      [],
    );
    expect((await call(deps, fin, "GET /spend-cards", { query: { period: "March" } })).status).toBe(400);
  });

  it("lets the budget's manager approve a card once", async () => {
    const { deps, repo } = fixture();
    const path = { budgetId: "retail", periodId: "2026-03-P1" };
    const res = await call(deps, deptWeb, "POST /spend-cards/{budgetId}/{periodId}/approval", {
      path,
      body: { note: "expected" },
    });
    expect(res.status).toBe(200);
    expect(repo.cards.get("retail#2026-03-P1")?.approval).toEqual({
      by: deptWeb.sub,
      byEmail: "dept-web@example.com",
      at: "2026-03-10T12:00:00.000Z",
      note: "expected",
    });
    const again = await call(deps, fin, "POST /spend-cards/{budgetId}/{periodId}/approval", {
      path,
      body: {},
    });
    expect(again.status).toBe(409);
  });

  it("refuses approving or commenting another budget's card", async () => {
    const { deps, repo } = fixture();
    const path = { budgetId: "logistics", periodId: "2026-03-P1" };
    expect(
      (await call(deps, buRetail, "POST /spend-cards/{budgetId}/{periodId}/approval", { path, body: {} }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(deps, buRetail, "POST /spend-cards/{budgetId}/{periodId}/comments", {
          path,
          body: { text: "hm" },
        })
      ).status,
    ).toBe(403);
    expect(repo.cards.get("logistics#2026-03-P1")?.approval).toBeUndefined();
  });

  it("appends comments in order and answers 404 for a card that does not exist", async () => {
    const { deps, repo } = fixture();
    const path = { budgetId: "retail", periodId: "2026-03-P1" };
    await call(deps, buRetail, "POST /spend-cards/{budgetId}/{periodId}/comments", {
      path,
      body: { text: "EC2 spike" },
    });
    const res = await call(deps, fin, "POST /spend-cards/{budgetId}/{periodId}/comments", {
      path,
      body: { text: "  reserved instances next month  " },
    });
    expect(res.status).toBe(201);
    expect(repo.cards.get("retail#2026-03-P1")?.comments?.map((c) => [c.by, c.byEmail, c.text])).toEqual([
      [buRetail.sub, "bu-retail@example.com", "EC2 spike"],
      [fin.sub, "fin@example.com", "reserved instances next month"],
    ]);
    const missing = await call(deps, fin, "POST /spend-cards/{budgetId}/{periodId}/comments", {
      path: { budgetId: "retail", periodId: "2026-02-P1" },
      body: { text: "x" },
    });
    expect(missing.status).toBe(404);
  });

  it.each([
    ["empty", { text: "" }, "text: must not be empty"],
    ["missing", {}, "text: must be a string"],
    ["too long", { text: "x".repeat(2001) }, "text: must be at most 2000 characters"],
  ])("rejects a comment whose text is %s, naming the field", async (_label, body, message) => {
    const { deps } = fixture();
    const res = await call(deps, fin, "POST /spend-cards/{budgetId}/{periodId}/comments", {
      path: { budgetId: "retail", periodId: "2026-03-P1" },
      body,
    });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(message);
  });

  it("rejects an approval with an unknown field and a bad period id in the path", async () => {
    const { deps } = fixture();
    const a = await call(deps, fin, "POST /spend-cards/{budgetId}/{periodId}/approval", {
      path: { budgetId: "retail", periodId: "2026-03-P1" },
      body: { approved: true },
    });
    expect((a.body as { message: string }).message).toContain('Unrecognized key: "approved"');
    const p = await call(deps, fin, "POST /spend-cards/{budgetId}/{periodId}/approval", {
      path: { budgetId: "retail", periodId: "week-1" },
      body: {},
    });
    expect((p.body as { message: string }).message).toBe(
      'invalid path: periodId: must be a period id YYYY-MM-Pn, e.g. "2026-01-P2"',
    );
  });
});

describe("GET /ingestion and GET /users", () => {
  it("tells any group member the last CUR processed and when", async () => {
    const { deps } = fixture();
    const res = await call(deps, portfolio, "GET /ingestion");
    expect(res.body).toMatchObject({
      lastProcessed: { billingPeriod: "2026-03", committedAt: "2026-03-10T06:00:00.000Z" },
      periods: [{ billingPeriod: "2026-03" }, { billingPeriod: "2026-02" }],
    });
  });

  it("lists users with their groups and budget scope to Admins only", async () => {
    const { deps } = fixture();
    const res = await call(deps, admin, "GET /users");
    expect(res.body).toEqual({
      users: [
        expect.objectContaining({
          username: usernameOf("admin@example.com"),
          sub: subOf("admin@example.com"),
          email: "admin@example.com",
          emailVerified: true,
          seesAllBudgets: true,
          budgets: [],
        }),
        expect.objectContaining({
          username: usernameOf("bu-retail@example.com"),
          email: "bu-retail@example.com",
          seesAllBudgets: false,
          budgets: [{ budgetId: "retail", year: 2026, role: "owner" }],
        }),
        // Owner of "logistics" by email, but that email is not verified: no scope.
        expect.objectContaining({ email: "bu-logistics@example.com", emailVerified: false, budgets: [] }),
      ],
    });
    expect((await call(deps, fin, "GET /users")).status).toBe(403);
    expect((await call(deps, buRetail, "GET /users")).status).toBe(403);
  });
});

/*
 * The caller comes from the claims API Gateway passes after its JWT authorizer verified the token.
 * Claims are built as AWS documents them (./cognito-tokens.ts cites the pages): `sub` and
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
