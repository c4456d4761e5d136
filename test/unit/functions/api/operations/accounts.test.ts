import { fixture } from "../memory-repository";
import { admin, buRetail, call, deptWeb, fin, portfolio } from "../route-call";

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
