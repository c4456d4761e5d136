import { fixture } from "../memory-repository";
import { call, portfolio } from "../route-call";

describe("GET /ingestion", () => {
  it("tells any group member the last CUR processed and when", async () => {
    const { deps } = fixture();
    const res = await call(deps, portfolio, "GET /ingestion");
    expect(res.body).toMatchObject({
      lastProcessed: { billingPeriod: "2026-03", committedAt: "2026-03-10T06:00:00.000Z" },
      periods: [{ billingPeriod: "2026-03" }, { billingPeriod: "2026-02" }],
    });
  });
});
