import { fixture } from "../memory-repository";
import { buRetail, call, fin } from "../route-call";

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
