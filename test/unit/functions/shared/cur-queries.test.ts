import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CurMonthFiles, writeCurMonth } from "../../../../emulator/cur/generator";
import { SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT } from "../../../../functions/shared/cur-queries";
import { sumDecimals, toScaled } from "../../../../functions/shared/decimal";
import { DuckDbQueryEngine, localFetcher } from "../../../../functions/shared/query-engine/duckdb";

/**
 * The ingest's SQL (SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, what the ingest writes) on DuckDB over a
 * generated CUR 2.0 month equals the generator's ground truth to the cent. Each money column comes
 * back as exact DECIMAL(38,6) text; sums here are exact decimal sums of that text, rounded to the
 * cent only to compare with the ground truth (the generator's doubles). (DuckDB stands in for
 * Athena: the same SQL text runs on both.)
 */
const accounts = [
  { id: "111111111111", name: "payer", regions: ["us-east-1"] },
  { id: "222222222222", name: "cloudops", regions: ["us-east-1"] },
  { id: "333333333333", name: "app-dev", regions: ["us-east-1"] },
  { id: "444444444444", name: "app-prod", regions: ["us-east-1", "eu-west-1"] },
];

let dir: string;
let month: CurMonthFiles;
let rows: Record<string, string | number | boolean | null>[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-curq-"));
  month = await writeCurMonth({
    billingPeriod: "2026-01",
    payer: { id: accounts[0]!.id, name: "payer" },
    accounts,
    exportName: "finops-cur2",
    s3Prefix: "cur",
    outDir: dir,
    seed: 7,
  });
  const engine = new DuckDbQueryEngine({ fetch: localFetcher(dir), threads: 1 });
  try {
    await engine.attach({
      billingPeriod: "2026-01",
      bucket: "local",
      dataKeys: [month.dataKey],
      columns: month.manifest.columns,
    });
    rows = await engine.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, ["2026-01"]);
  } finally {
    await engine.close();
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Cents of a decimal text or a ground-truth double, rounded half away from zero. */
const cents = (x: string | number) => Number(toScaled(x, 2));
/** Exact sum of a money column over rows (decimal text). */
const total = (rs: typeof rows, field: string) => sumDecimals(rs.map((r) => r[field] as string));
const all = (r: (typeof rows)[number]) =>
  sumDecimals([r.unblended_cost, r.credit, r.refund, r.tax] as string[]);

describe("spend by account, service and day on DuckDB", () => {
  it("has one row per account × service × day of the ground truth, each equal to the cent", () => {
    const truth = month.groundTruth.byAccountServiceDay;
    expect(rows).toHaveLength(truth.length);
    const got = new Map(rows.map((r) => [`${r.account_id}|${r.service}|${r.usage_date}`, r]));
    for (const t of truth) {
      const r = got.get(`${t.accountId}|${t.service}|${t.day}`);
      expect(r).toBeDefined();
      expect(cents(all(r!))).toBe(cents(t.unblendedCost));
    }
  });

  it("keeps credits, refunds and tax apart from usage, per account, equal to the ground truth", () => {
    const by = (field: "credit" | "tax" | "refund") => {
      const m: Record<string, string> = {};
      for (const r of rows)
        m[r.account_id as string] = sumDecimals([m[r.account_id as string] ?? "0", r[field] as string]);
      return m;
    };
    for (const [account, credit] of Object.entries(month.groundTruth.credits.byAccount))
      expect(cents(by("credit")[account]!)).toBe(cents(credit));
    for (const [account, tax] of Object.entries(month.groundTruth.tax.byAccount))
      expect(cents(by("tax")[account]!)).toBe(cents(tax));
    for (const [account, refund] of Object.entries(month.groundTruth.refunds.byAccount))
      expect(cents(by("refund")[account]!)).toBe(cents(refund));
    expect(month.groundTruth.refunds.total).toBeLessThan(0);
    expect(month.groundTruth.credits.total).toBeLessThan(0);
    expect(month.groundTruth.tax.total).toBeGreaterThan(0);
  });

  it("totals the month to the cent, and per account", () => {
    expect(cents(sumDecimals(rows.map(all)))).toBe(cents(month.groundTruth.total));
    for (const [account, cost] of Object.entries(month.groundTruth.byAccount)) {
      const sum = sumDecimals(rows.filter((r) => r.account_id === account).map(all));
      expect(cents(sum)).toBe(cents(cost));
    }
  });

  it("counts each discount once: net unblended usage + credit + refund + tax is the invoice too", () => {
    // The discount lines (negative unblended) are in unblended_cost and 0 in net_unblended_cost,
    // whose Usage lines are already after them (cur-queries.ts; line-item-types.test.ts by hand).
    expect(month.groundTruth.byLineItemType.EdpDiscount).toBeLessThan(0);
    const net = sumDecimals(["net_unblended_cost", "credit", "refund", "tax"].map((f) => total(rows, f)));
    expect(cents(net)).toBe(cents(month.groundTruth.total));
    // Exactly: each discount once in both measures.
    expect(total(rows, "net_unblended_cost")).toBe(total(rows, "unblended_cost"));
  });

  it("counts every line item exactly once", () => {
    expect(rows.reduce((a, r) => a + Number(r.line_items), 0)).toBe(month.groundTruth.rowCount);
  });

  it("nets Savings Plan negations out of net amortized cost and prices covered usage at its effective cost", () => {
    const sp = month.groundTruth.savingsPlan;
    expect(sp.coveredUsage).toBeGreaterThan(0);
    expect(cents(sp.coveredUsage + sp.negation)).toBe(0);
    const unblended = toScaled(total(rows, "unblended_cost"), 6);
    const amortized = toScaled(total(rows, "net_amortized_cost"), 6);
    // Covered usage costs less at the plan's rate, and the fee's used part is in the covered usage.
    expect(amortized).toBeLessThan(unblended);
    expect(amortized).toBeGreaterThan(0n);
  });
});
