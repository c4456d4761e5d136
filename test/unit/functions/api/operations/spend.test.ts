import { centsSummingToTotal } from "../../../../../functions/api/operations/spend";
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
    [
      { month: "2026-03", groupBy: "region" },
      "groupBy: must be one of budget, account, service, day, day,service",
    ],
    [
      { month: "2026-03", environment: "Prod!" },
      "environment: must be an environment of the accounts config",
    ],
    [
      { month: "2026-03", environment: "staging" },
      "environment: staging is not an environment of the accounts config (members[].environment); use one of dev, prod",
    ],
    [{ month: "2026-03", owner: "team-app" }, "owner: must be an email address"],
    [{ month: "2026-03", ou: "" }, "ou: must be an OU name"],
    [{ month: "2026-03", region: "us-east-1" }, 'Unrecognized key: "region"'],
    [{ month: "2026-03", period: "2026-04-P1" }, "period: 2026-04-P1 is not a period of 2026-03"],
    [{ month: "2026-03", period: "2026-03-P6" }, "period: 2026-03-P6 is not a period of 2026-03"],
  ])("rejects the query %j naming the field", async (q, message) => {
    const { deps } = withDimensions();
    const res = await call(deps, fin, "GET /spend", { query: q as Record<string, string> });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(message);
  });
});

/** The fixture with OUs (accounts table) and environments (accounts config) on its accounts. */
function withDimensions() {
  const f = fixture();
  const ous: Record<string, string> = {
    "111111111111": "Retail",
    "222222222222": "Logistics",
    "333333333333": "Sandbox",
  };
  for (const [id, ouName] of Object.entries(ous))
    f.repo.accounts.set(id, { ...f.repo.accounts.get(id)!, ouName });
  f.repo.spend
    .get("2026-03")!
    .push(
      { accountId: "111111111111", service: "AmazonS3", usageDate: "2026-03-01", unblendedCost: 0.333 },
      { accountId: "222222222222", service: "AmazonS3", usageDate: "2026-03-01", unblendedCost: 0.333 },
      { accountId: "222222222222", service: "AWSLambda", usageDate: "2026-03-01", unblendedCost: 0.334 },
    );
  const deps = {
    ...f.deps,
    configEnvironments: new Map([
      ["111111111111", "prod"],
      ["222222222222", "prod"],
      ["333333333333", "dev"],
    ]),
  };
  return { ...f, deps };
}

describe("GET /spend by day and service", () => {
  it("gives each day's services in cents that add up to the day's total", async () => {
    const { deps } = withDimensions();
    const res = await call(deps, fin, "GET /spend", { query: { month: "2026-03", groupBy: "day,service" } });
    const body = res.body as { groups: { key: string; day: string; service: string; amountUsd: number }[] };
    // 2026-03-01: EC2 100 + S3 0.666 + Lambda 0.334 = 101.00; each rounded alone would give 101.01.
    expect(body.groups.filter((g) => g.day === "2026-03-01")).toEqual([
      { key: "2026-03-01 AmazonEC2", day: "2026-03-01", service: "AmazonEC2", amountUsd: 100 },
      { key: "2026-03-01 AmazonS3", day: "2026-03-01", service: "AmazonS3", amountUsd: 0.67 },
      { key: "2026-03-01 AWSLambda", day: "2026-03-01", service: "AWSLambda", amountUsd: 0.33 },
    ]);
    expect(body.groups.map((g) => g.day)).toEqual([...body.groups.map((g) => g.day)].sort());
    expect(res.body).toMatchObject({ groupBy: "day,service", totalUsd: 428.5 });
  });

  it("allocates cents by largest remainder, negative amounts included", () => {
    expect(centsSummingToTotal([0.333, 0.333, 0.334])).toEqual([33, 33, 34]);
    expect(centsSummingToTotal([0.005, 0.005])).toEqual([1, 0]);
    // 10.004 - 2.003 = 8.001: 800 cents, the negative line taking the remainder (-200.3 is nearer -200).
    expect(centsSummingToTotal([10.004, -2.003])).toEqual([1000, -200]);
    expect(centsSummingToTotal([12.34, 0.1, 0.2])).toEqual([1234, 10, 20]);
  });
});

describe("GET /spend filters", () => {
  it("filters by OU, environment and budget owner, and says which filters it applied", async () => {
    const { deps } = withDimensions();
    const q = (extra: Record<string, string>) =>
      call(deps, fin, "GET /spend", { query: { month: "2026-03", groupBy: "account", ...extra } });
    expect((await q({ ou: "Logistics" })).body).toMatchObject({
      filters: { ou: "Logistics" },
      totalUsd: 300.67,
      groups: [{ key: "222222222222", amountUsd: 300.67 }],
    });
    expect((await q({ environment: "dev" })).body).toMatchObject({
      totalUsd: 7,
      groups: [{ key: "333333333333", amountUsd: 7 }],
    });
    expect((await q({ environment: "prod" })).body).toMatchObject({ totalUsd: 421.5 });
    // The owner of the budget the spend is attributed to, case-insensitively.
    expect((await q({ owner: "BU-Retail@example.com" })).body).toMatchObject({
      filters: { owner: "bu-retail@example.com" },
      totalUsd: 120.83,
      groups: [{ key: "111111111111", amountUsd: 120.83 }],
    });
    expect((await q({ ou: "Retail", environment: "dev" })).body).toMatchObject({ totalUsd: 0, groups: [] });
  });

  it("says when the API knows no environment at all", async () => {
    const { deps } = fixture();
    const res = await call(deps, fin, "GET /spend", { query: { month: "2026-03", environment: "prod" } });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(
      "environment: prod is not an environment of the accounts config (members[].environment); the API knows no environment",
    );
  });

  it("lists each account's environment and OU, the dimensions the filters use", async () => {
    const { deps } = withDimensions();
    const res = await call(deps, fin, "GET /accounts");
    expect((res.body as { accounts: unknown[] }).accounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: "111111111111", ouName: "Retail", environment: "prod" }),
        expect.objectContaining({ accountId: "333333333333", ouName: "Sandbox", environment: "dev" }),
      ]),
    );
  });

  it("never widens a manager's scope: a filter only narrows what they may see", async () => {
    const { deps } = withDimensions();
    const q = (extra: Record<string, string>) =>
      call(deps, buRetail, "GET /spend", { query: { month: "2026-03", groupBy: "account", ...extra } });
    // Another budget's OU, environment or owner: nothing of it, not a 200 with its spend.
    expect((await q({ ou: "Logistics" })).body).toMatchObject({ totalUsd: 0, groups: [] });
    expect((await q({ owner: "bu-logistics@example.com" })).body).toMatchObject({ totalUsd: 0, groups: [] });
    expect((await q({ ou: "Sandbox" })).body).toMatchObject({ totalUsd: 0, groups: [] });
    // prod holds the manager's account and another budget's: only their own shows.
    expect((await q({ environment: "prod" })).body).toMatchObject({
      totalUsd: 120.83,
      groups: [{ key: "111111111111", amountUsd: 120.83 }],
    });
    expect((await q({ environment: "prod", ou: "Retail" })).body).toMatchObject({ totalUsd: 120.83 });
  });
});
