import {
  encodeMemberConfig,
  type MemberConfig,
  memberConfigMaps,
  parseMemberConfig,
} from "../../../../../contracts/member-config";
import { fixture } from "../memory-repository";
import { call, fin } from "../route-call";

/**
 * Budgets reconcile (docs/budgets.md): an account's monthly budget comes from the accounts config
 * (members[].budget.monthlyUsd, the AWS Budget's amount); an application budget holds at least the
 * configured annual amounts of its accounts, or the API refuses the change with 409 naming the field,
 * and shows a mismatch a later deploy introduced.
 * Fixture: retail (365 000 USD in 2026) holds 111111111111; logistics (365 000) holds 222222222222;
 * 333333333333 is unallocated.
 */
function withConfig(budgets: Record<string, number>) {
  const f = fixture();
  const document: MemberConfig = Object.fromEntries(
    Object.entries(budgets).map(([id, monthlyUsd]) => [id, { environment: "prod", monthlyUsd }]),
  );
  // Through the member config document's bytes, as the API function reads it.
  const { budgets: configBudgets } = memberConfigMaps(parseMemberConfig(encodeMemberConfig(document)));
  return { ...f, deps: { ...f.deps, configBudgets } };
}

describe("application budgets against the accounts config's member budgets", () => {
  it("refuses a budget amount below its accounts' configured annual amounts, naming the config field", async () => {
    const { deps, repo } = withConfig({ "111111111111": 20_000 });
    const res = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 200_000, reason: "cut" },
    });
    expect(res.status).toBe(409);
    expect((res.body as { message: string }).message).toBe(
      "budget retail 2026 would hold 200000 USD, less than the 240000 USD a year the accounts config gives its accounts (members[].budget.monthlyUsd: 111111111111 retail-web 20000 × 12); the config is the source of truth for those accounts' budgets: give the budget at least 240000 USD, or lower members[].budget.monthlyUsd in the accounts config and deploy",
    );
    expect(repo.changes.size).toBe(0);
    expect((await repo.getBudget("retail", 2026))?.amountUsd).toBe(365_000);
    // At the configured amount it is a change like any other (here large enough to need approval).
    const at = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 240_000, reason: "cut" },
    });
    expect(at.status).toBe(202);
  });

  it("refuses to map a configured account into a budget too small for it, and maps it where it fits", async () => {
    const { deps, repo } = withConfig({ "111111111111": 20_000, "333333333333": 15_000 });
    const res = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: { budgetId: "retail" },
    });
    expect(res.status).toBe(409);
    expect((res.body as { message: string }).message).toContain(
      "budget retail 2026 would hold 365000 USD, less than the 420000 USD a year the accounts config gives its accounts (members[].budget.monthlyUsd: 111111111111 retail-web 20000 × 12, 333333333333 sandbox 15000 × 12)",
    );
    expect(repo.accounts.get("333333333333")?.allocationStatus).toBe("unallocated");
    const fits = await call(deps, fin, "PUT /accounts/{accountId}/budget", {
      path: { accountId: "333333333333" },
      body: { budgetId: "logistics" },
    });
    expect(fits).toMatchObject({ status: 200, body: { changed: true } });
  });

  it("shows each account's configured budget and each budget's reconciliation, a later mismatch included", async () => {
    const { deps } = withConfig({ "111111111111": 20_000 });
    const accounts = await call(deps, fin, "GET /accounts");
    expect((accounts.body as { accounts: unknown[] }).accounts).toContainEqual(
      expect.objectContaining({
        accountId: "111111111111",
        configBudget: { monthlyUsd: 20_000, field: "members[].budget.monthlyUsd" },
      }),
    );
    const budgets = (await call(deps, fin, "GET /budgets")).body as { budgets: Record<string, unknown>[] };
    expect(budgets.budgets.find((b) => b.budgetId === "retail")?.config).toEqual({
      field: "members[].budget.monthlyUsd",
      annualUsd: 240_000,
      accounts: [{ accountId: "111111111111", name: "retail-web", monthlyUsd: 20_000, annualUsd: 240_000 }],
      status: "ok",
    });
    expect(budgets.budgets.find((b) => b.budgetId === "logistics")).not.toHaveProperty("config");
    // A deploy raised the account's monthly budget past what the application budget holds.
    const raised = withConfig({ "111111111111": 40_000 });
    const one = await call(raised.deps, fin, "GET /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
    });
    expect((one.body as { budget: { config: unknown } }).budget.config).toMatchObject({
      annualUsd: 480_000,
      status: "below-config",
    });
  });

  it("changes nothing without member budgets", async () => {
    const { deps } = fixture();
    const res = await call(deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 360_000, reason: "trim" },
    });
    expect(res.status).toBe(200);
  });
});
