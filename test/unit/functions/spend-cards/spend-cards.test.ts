import type { Allocation, Budget, SpendCard, SpendRow } from "../../../../functions/api/domain";
import { periodsOfMonth } from "../../../../functions/shared/period-calendar";
import { computeCard } from "../../../../functions/spend-cards/cards";
import { parseCardTrigger, todayIn } from "../../../../functions/spend-cards/events";
import { type CardStore, runCards } from "../../../../functions/spend-cards/run";

const budget: Budget = {
  budgetId: "retail",
  year: 2026,
  name: "Retail",
  amountUsd: 365_000,
  owner: "o",
  managers: [],
  scope: { level: "businessUnit", name: "Retail" },
  version: 1,
  updatedAt: "",
  updatedBy: "",
};
const histories = new Map<string, Allocation[]>([
  [
    "111111111111",
    [{ accountId: "111111111111", validFrom: "2026-01-01T00:00:00Z", budgetId: "retail", changedBy: "f" }],
  ],
  [
    "222222222222",
    [{ accountId: "222222222222", validFrom: "2026-01-01T00:00:00Z", budgetId: "other", changedBy: "f" }],
  ],
]);
const row = (accountId: string, service: string, usageDate: string, unblendedCost: number): SpendRow => ({
  accountId,
  service,
  usageDate,
  unblendedCost,
});
// March 2026: P1 = 1st–7th (Sun–Sat, 7 days); February's last period = 22nd–28th (7 days).
const rows = [
  row("111111111111", "AmazonEC2", "2026-02-23", 700),
  row("111111111111", "AmazonS3", "2026-02-24", 70),
  row("111111111111", "AmazonEC2", "2026-03-02", 1500),
  row("111111111111", "AmazonS3", "2026-03-03", 70),
  row("222222222222", "AmazonEC2", "2026-03-02", 99999),
];

describe("computeCard", () => {
  const p1 = periodsOfMonth("2026-03")[0]!;

  it("compares the budget's spend in the period with its pro-rated annual allowance", () => {
    const card = computeCard({
      budget,
      period: p1,
      rows,
      histories,
      final: false,
      sourceVersion: "v1",
      generatedAt: "t",
    });
    expect(card).toMatchObject({
      budgetId: "retail",
      periodId: "2026-03-P1",
      start: "2026-03-01",
      end: "2026-03-07",
      allowanceUsd: 7000, // 365,000 × 7 / 365
      spendUsd: 1570, // the other budget's account is not counted
      varianceUsd: -5430,
      status: "within",
    });
  });

  it("lists the movers against the previous period's run rate, largest change first, unchanged ones left out", () => {
    const card = computeCard({
      budget,
      period: p1,
      rows,
      histories,
      final: false,
      sourceVersion: "v1",
      generatedAt: "t",
    });
    expect(card.topMovers).toEqual([
      { dimension: "account", key: "111111111111", currentUsd: 1570, baselineUsd: 770, deltaUsd: 800 },
      { dimension: "service", key: "AmazonEC2", currentUsd: 1500, baselineUsd: 700, deltaUsd: 800 },
    ]);
  });

  it("scales the baseline when the periods differ in length and marks overspend", () => {
    // April 2026 P1 is Wed 1st–Sat 4th (4 days); March's last period is Sun 29th–Tue 31st (3 days).
    const april = periodsOfMonth("2026-04")[0]!;
    const card = computeCard({
      budget: { ...budget, amountUsd: 36_500 },
      period: april,
      rows: [
        row("111111111111", "AWSLambda", "2026-03-30", 300),
        row("111111111111", "AWSLambda", "2026-04-02", 500),
      ],
      histories,
      final: true,
      sourceVersion: "v1",
      generatedAt: "t",
    });
    expect(card).toMatchObject({ allowanceUsd: 400, spendUsd: 500, status: "over", final: true });
    expect(card.topMovers[0]).toEqual({
      dimension: "account",
      key: "111111111111",
      currentUsd: 500,
      baselineUsd: 400,
      deltaUsd: 100,
    });
  });
});

/** A card store with the DynamoDB adapter's write rule (same sourceVersion and final: no write). */
class MemoryCardStore implements CardStore {
  cards = new Map<string, SpendCard>();
  writes = 0;
  constructor(
    public months: Record<string, { version: string; rows: SpendRow[] }>,
    public budgets: Budget[],
  ) {}
  async listBudgets(year: number) {
    return this.budgets.filter((b) => b.year === year);
  }
  async spendOfMonth(m: string) {
    return this.months[m];
  }
  async allocationHistory(a: string) {
    return histories.get(a) ?? [];
  }
  async putCard(card: Omit<SpendCard, "approval" | "comments">) {
    const key = `${card.budgetId}#${card.periodId}`;
    const old = this.cards.get(key);
    const write = card.final
      ? !old?.final || old.sourceVersion !== card.sourceVersion
      : !old || (!old.final && old.sourceVersion !== card.sourceVersion);
    if (!write) return false;
    this.writes++;
    this.cards.set(key, { ...old, ...card });
    return true;
  }
}

describe("runCards", () => {
  const months = () => ({
    "2026-02": { version: "feb-1", rows: rows.slice(0, 2) },
    "2026-03": { version: "mar-1", rows: rows.slice(2) },
  });
  const now = () => new Date("2026-03-09T06:00:00Z");

  it("makes a card per budget for the period that ended the week before the Monday", async () => {
    const store = new MemoryCardStore(months(), [budget]);
    const res = await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    expect(res).toEqual({
      periods: ["2026-03-P1"],
      written: ["retail/2026-03-P1"],
      unchanged: [],
      skipped: [],
    });
  });

  it("is idempotent per budget and period: a second run writes nothing and keeps the review", async () => {
    const store = new MemoryCardStore(months(), [budget]);
    await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    const card = store.cards.get("retail#2026-03-P1")!;
    store.cards.set("retail#2026-03-P1", { ...card, approval: { by: "o", at: "t" } });
    const again = await runCards(store, { kind: "weekly", date: "2026-03-09" }, "2099-01-01", now);
    expect(again.unchanged).toEqual(["retail/2026-03-P1"]);
    expect(store.writes).toBe(1);
    expect(store.cards.size).toBe(1);
  });

  it("rewrites a provisional card when the month was re-ingested, keeping approval and comments", async () => {
    const store = new MemoryCardStore(months(), [budget]);
    await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    const card = store.cards.get("retail#2026-03-P1")!;
    store.cards.set("retail#2026-03-P1", { ...card, comments: [{ by: "o", at: "t", text: "ok" }] });
    store.months["2026-03"] = {
      version: "mar-2",
      rows: [...rows.slice(2), row("111111111111", "AmazonS3", "2026-03-04", 30)],
    };
    await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    expect(store.cards.get("retail#2026-03-P1")).toMatchObject({
      spendUsd: 1600,
      sourceVersion: "mar-2",
      comments: [{ text: "ok" }],
    });
  });

  it("produces final cards for every period of an invoiced month, and a later weekly run never replaces them", async () => {
    const store = new MemoryCardStore(months(), [budget]);
    const res = await runCards(
      store,
      { kind: "final", billingPeriod: "2026-03", version: "mar-1" },
      "2026-04-03",
      now,
    );
    expect(res.periods).toEqual(["2026-03-P1", "2026-03-P2", "2026-03-P3", "2026-03-P4", "2026-03-P5"]);
    expect([...store.cards.values()].every((c) => c.final)).toBe(true);
    store.months["2026-03"] = { version: "mar-9", rows: [] };
    const weekly = await runCards(store, { kind: "weekly" }, "2026-03-09", now);
    expect(weekly.unchanged).toEqual(["retail/2026-03-P1"]);
    expect(store.cards.get("retail#2026-03-P1")?.sourceVersion).toBe("mar-1");
  });

  it("covers both periods that ended in the week after a month end, and skips a month not ingested", async () => {
    const store = new MemoryCardStore({ "2026-03": months()["2026-03"] }, [budget]);
    // Monday 2026-04-06: March P5 (29th–31st) and April P1 (1st–4th) ended the week before.
    const res = await runCards(store, { kind: "weekly" }, "2026-04-06", now);
    expect(res.periods).toEqual(["2026-03-P5", "2026-04-P1"]);
    expect(res.written).toEqual(["retail/2026-03-P5"]);
    expect(res.skipped).toEqual(["2026-04-P1: no CUR ingested for 2026-04 yet"]);
  });
});

describe("parseCardTrigger", () => {
  const committed = (invoiced: boolean) => ({
    source: "finops.cur-ingest",
    "detail-type": "CUR billing period committed",
    detail: { billingPeriod: "2026-03", version: "v3", invoiced },
  });

  it("reads the schedule's input and the CUR ingest's event", () => {
    expect(parseCardTrigger({ kind: "weekly" })).toEqual({ kind: "weekly" });
    expect(parseCardTrigger({ kind: "weekly", date: "2026-03-09" })).toEqual({
      kind: "weekly",
      date: "2026-03-09",
    });
    expect(parseCardTrigger(committed(true))).toEqual({
      kind: "final",
      billingPeriod: "2026-03",
      version: "v3",
    });
    expect(parseCardTrigger(committed(false))).toEqual({
      kind: "ignored",
      reason: "billing period 2026-03 is not invoiced yet",
    });
  });

  it("refuses anything else with a message saying what it expects", () => {
    expect(() => parseCardTrigger({ kind: "daily" })).toThrow(/spend-cards expects \{"kind":"weekly"\}/);
  });

  it("takes today's date in the configured time zone, not UTC", () => {
    const sundayNightUtc = new Date("2026-03-08T23:30:00Z");
    expect(todayIn("UTC", sundayNightUtc)).toBe("2026-03-08");
    expect(todayIn("Europe/Berlin", sundayNightUtc)).toBe("2026-03-09");
  });
});
