import { fixture } from "../memory-repository";
import { buRetail, call, deptWeb, fin, fin2, nobody, portfolio } from "../route-call";

const ROUTE = "POST /budgets/{budgetId}/{year}/change-requests";
const retail = { budgetId: "retail", year: "2026" };

describe("budget change requests", () => {
  it("lets a budget's owner request a change, which waits for a FinancialAdmin's approval", async () => {
    const { deps, repo, workflow } = fixture();
    const res = await call(deps, buRetail, ROUTE, {
      path: retail,
      body: { amountUsd: 370_000, reason: "one more team" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      change: {
        budgetId: "retail",
        year: 2026,
        previousAmountUsd: 365_000,
        changes: { amountUsd: 370_000 },
        submittedBy: buRetail.sub,
        submittedByEmail: "bu-retail@example.com",
        status: "pending",
      },
    });
    // Even a change below the PATCH threshold goes to approval; the budget itself is unchanged.
    expect(workflow.started).toHaveLength(1);
    expect(repo.budgets.get("retail#2026")?.amountUsd).toBe(365_000);
    // The owner may not decide it; another FinancialAdmin may (once the workflow waits).
    const c = repo.changes.get((res.body as { change: { changeId: string } }).change.changeId)!;
    repo.changes.set(c.changeId, { ...c, taskToken: "token-1" });
    const decide = (who: typeof fin) =>
      call(deps, who, "POST /approvals/{changeId}/decision", {
        path: { changeId: c.changeId },
        body: { decision: "approve" },
      });
    expect((await decide(buRetail)).status).toBe(403);
    expect((await decide(fin2)).status).toBe(200);
  });

  it("lets a listed manager request too, and refuses managers of other budgets and users in no group", async () => {
    const { deps } = fixture();
    expect(
      (await call(deps, deptWeb, ROUTE, { path: retail, body: { amountUsd: 400_000, reason: "web team" } }))
        .status,
    ).toBe(202);
    for (const who of [portfolio, nobody]) {
      const res = await call(deps, who, ROUTE, {
        path: { budgetId: "logistics", year: "2026" },
        body: { amountUsd: 400_000, reason: "not mine" },
      });
      expect(res.status).toBe(403);
    }
  });

  it("refuses bad input naming the field, a second pending request, an unchanged amount and a missing budget", async () => {
    const { deps } = fixture();
    const bad = await call(deps, buRetail, ROUTE, { path: retail, body: { amountUsd: 1.234, reason: "x" } });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/amountUsd: must have at most 2 decimals/);
    expect((bad.body as { message: string }).message).toMatch(/reason: must say why/);
    expect(
      (await call(deps, buRetail, ROUTE, { path: retail, body: { amountUsd: 365_000, reason: "same" } }))
        .status,
    ).toBe(409);
    expect(
      (await call(deps, buRetail, ROUTE, { path: retail, body: { amountUsd: 380_000, reason: "first" } }))
        .status,
    ).toBe(202);
    const second = await call(deps, fin, ROUTE, {
      path: retail,
      body: { amountUsd: 390_000, reason: "second" },
    });
    expect(second.status).toBe(409);
    expect((second.body as { message: string }).message).toMatch(/waiting for approval/);
    expect(
      (
        await call(deps, fin, ROUTE, {
          path: { budgetId: "nope", year: "2026" },
          body: { amountUsd: 1, reason: "missing" },
        })
      ).status,
    ).toBe(404);
  });
});
