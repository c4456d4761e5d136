import { usernameOf } from "../../../../support/cognito-tokens";
import { fixture } from "../memory-repository";
import { admin, buRetail, call, deptWeb, fin, portfolio } from "../route-call";

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
