import { fixture } from "../memory-repository";
import { buRetail, call, deptWeb, fin, portfolio } from "../route-call";

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
