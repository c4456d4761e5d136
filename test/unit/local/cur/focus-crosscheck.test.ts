import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type FocusMonthFiles, focusRowsFromCur, writeFocusMonth } from "../../../../emulator/cur/focus";
import {
  type CurMonthFiles,
  type CurRow,
  generateCurMonth,
  writeCurMonth,
} from "../../../../emulator/cur/generator";
import { SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT } from "../../../../functions/shared/cur-queries";
import { sumDecimals } from "../../../../functions/shared/decimal";
import { DuckDbQueryEngine, localFetcher } from "../../../../functions/shared/query-engine/duckdb";
import {
  type FocusPeriodSummary,
  summarizeFocusDelivery,
  summarizeFocusExportRoot,
} from "../../../../local/cur/focus-replay";

/**
 * The CUR 2.0 ↔ FOCUS 1.2 cross-check: one generated month gives the same billed and effective
 * totals (overall and per account) through the CUR 2.0 ingest SQL and through the FOCUS delivery.
 *
 * Correspondence, from the documents that define the figures:
 * - FOCUS BilledCost is "a charge serving as the basis for invoicing, inclusive of all reduced rates
 *   and discounts while excluding the amortization of upfront charges" (Data Exports user guide,
 *   "FOCUS 1.2 with AWS columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html);
 *   on CUR 2.0 the invoice is the sum of line_item_unblended_cost over every line item
 *   (CUR 2.0 "Line item columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html).
 *   So billed = the ingest's unblended usage + credit + tax + refund.
 * - FOCUS EffectiveCost is the amortized cost after commitment discounts (FOCUS 1.2 specification,
 *   EffectiveCost and "Discount handling", https://focus.finops.org/focus-specification/v1-2/);
 *   on CUR 2.0 that is net amortized cost (the ingest's net_amortized_cost, after the CUR user
 *   guide's "Understanding Savings Plans" / amortized cost definitions), and Credit, Tax and Refund
 *   are not amortized, so effective = net amortized usage + credit + tax + refund.
 */
const accounts = [
  { id: "111111111111", name: "payer", regions: ["us-east-1"] },
  { id: "222222222222", name: "cloudops", regions: ["us-east-1"] },
  { id: "333333333333", name: "app-dev", regions: ["us-east-1"] },
  { id: "444444444444", name: "app-prod", regions: ["us-east-1", "eu-west-1"] },
];
const PERIOD = "2026-01";
const options = {
  billingPeriod: PERIOD,
  payer: { id: accounts[0]!.id, name: "payer" },
  accounts,
  exportName: "finops-cur2",
  s3Prefix: "cur",
  seed: 7,
};
const focusOptions = {
  billingPeriod: PERIOD,
  payerId: accounts[0]!.id,
  exportName: "finops-cur2-focus",
  s3Prefix: "cur",
};

let dir: string;
let cur: CurMonthFiles;
let curRows: CurRow[];
let parquet: FocusMonthFiles;
let csv: FocusMonthFiles;
let curByAccount: Map<string, { billed: string; effective: string }>;
let focusParquet: FocusPeriodSummary;
let focusCsv: FocusPeriodSummary;

/** Exact cents of a decimal string or number (6-decimal sums rounded half away from zero). */
const cents = (x: string | number): number => Math.round(Number(x) * 100);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-focusx-"));
  cur = await writeCurMonth({ ...options, outDir: dir });
  curRows = generateCurMonth(options).rows;
  parquet = await writeFocusMonth(curRows, { ...focusOptions, outDir: path.join(dir, "parquet") });
  csv = await writeFocusMonth(curRows, { ...focusOptions, format: "csv", outDir: path.join(dir, "csv") });

  const engine = new DuckDbQueryEngine({ fetch: localFetcher(dir), threads: 1 });
  let rows: Record<string, string | number | boolean | null>[];
  try {
    await engine.attach({
      billingPeriod: PERIOD,
      bucket: "local",
      dataKeys: [cur.dataKey],
      columns: cur.manifest.columns,
    });
    rows = await engine.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, [PERIOD]);
  } finally {
    await engine.close();
  }
  curByAccount = new Map();
  // The ingest's exact DECIMAL(38,6) text, summed exactly.
  for (const r of rows) {
    const apart = [r.credit, r.tax, r.refund] as string[];
    const a = curByAccount.get(r.account_id as string) ?? { billed: "0", effective: "0" };
    curByAccount.set(r.account_id as string, {
      billed: sumDecimals([a.billed, r.unblended_cost as string, ...apart]),
      effective: sumDecimals([a.effective, r.net_amortized_cost as string, ...apart]),
    });
  }

  [focusParquet] = await summarizeFocusDelivery({
    dataFiles: [parquet.files[0]!.path],
    columns: parquet.manifest.columns,
  });
  [focusCsv] = await summarizeFocusDelivery({
    dataFiles: [csv.files[0]!.path],
    columns: csv.manifest.columns,
  });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);

describe("CUR 2.0 and FOCUS 1.2 give the same month", () => {
  it("has commitment, purchase, tax and credit lines, so billed and effective differ (the check is not vacuous)", () => {
    const categories = focusParquet.byChargeCategory.map((c) => c.chargeCategory);
    expect(categories).toEqual(expect.arrayContaining(["Usage", "Purchase", "Tax", "Credit"]));
    expect(cents(focusParquet.totals.billedCost)).not.toBe(cents(focusParquet.totals.effectiveCost));
  });

  it("bills the same total through both exports, to the cent", () => {
    const curBilled = sumDecimals([...curByAccount.values()].map((a) => a.billed));
    expect(cents(focusParquet.totals.billedCost)).toBe(cents(curBilled));
    // and that is the generator's invoice (sum of unblended over every line)
    expect(cents(focusParquet.totals.billedCost)).toBe(cents(cur.groundTruth.total));
  });

  it("gives the same effective (net amortized) total through both exports, to the cent", () => {
    const curEffective = sumDecimals([...curByAccount.values()].map((a) => a.effective));
    expect(cents(focusParquet.totals.effectiveCost)).toBe(cents(curEffective));
  });

  it("agrees per account (SubAccountId = line_item_usage_account_id) for billed and effective", () => {
    const focusByAccount = new Map<string, { billed: number; effective: number }>();
    for (const r of focusParquet.rows) {
      const a = focusByAccount.get(r.subAccountId!) ?? { billed: 0, effective: 0 };
      a.billed += Number(r.billedCost);
      a.effective += Number(r.effectiveCost);
      focusByAccount.set(r.subAccountId!, a);
    }
    expect([...focusByAccount.keys()].sort()).toEqual([...curByAccount.keys()].sort());
    for (const [id, c] of curByAccount) {
      const f = focusByAccount.get(id)!;
      expect({ id, billed: cents(f.billed), effective: cents(f.effective) }).toEqual({
        id,
        billed: cents(c.billed),
        effective: cents(c.effective),
      });
    }
  });

  it("reads the gzip CSV delivery (maps as JSON text, numbers as text) to the same summary as Parquet", () => {
    expect(focusCsv).toEqual(focusParquet);
  });

  it("counts one FOCUS row per CUR line item, less the Savings Plan negations, plus one Unused row per commitment fee with unused commitment", () => {
    const negations = curRows.filter((r) => r.line_item_line_item_type === "SavingsPlanNegation").length;
    expect(negations).toBeGreaterThan(0);
    const unused = focusRowsFromCur(curRows).filter((r) => r.CommitmentDiscountStatus === "Unused").length;
    expect(focusParquet.lineItems).toBe(curRows.length - negations + unused);
  });
});

describe("summarizeFocusDelivery", () => {
  it("rows are SubAccountId × ServiceName × day; ServiceName is the product name, also on monthly Tax lines", () => {
    const ec2 = focusParquet.rows.filter((r) => r.serviceName === "Amazon Elastic Compute Cloud");
    expect(ec2.length).toBeGreaterThan(0);
    expect(focusParquet.rows.some((r) => r.serviceName === "AmazonEC2")).toBe(false);
    for (const r of focusParquet.rows) expect(r.usageDate).toMatch(/^2026-01-\d\d$/);
    const keys = focusParquet.rows.map((r) => `${r.subAccountId}|${r.serviceName}|${r.usageDate}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("takes days and periods in UTC when the Parquet timestamps carry a time zone, whatever the machine's zone", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const tz = path.join(dir, "focus-tz.parquet");
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const c = await instance.connect();
    const src = `'${parquet.files[0]!.path}'`;
    await c.run(
      `COPY (SELECT * REPLACE (CAST(BillingPeriodStart AS TIMESTAMPTZ) AS BillingPeriodStart, CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart) FROM read_parquet(${src})) TO '${tz}' (FORMAT parquet)`,
    );
    c.closeSync();
    instance.closeSync();
    // DuckDB takes the zone when it loads, so the summary runs in a child process started in New York.
    const script = path.join(dir, "summarize.ts");
    writeFileSync(
      script,
      `import { summarizeFocusDelivery } from ${JSON.stringify(path.resolve("local/cur/focus-replay"))};
summarizeFocusDelivery({ dataFiles: [process.argv[2]] }).then((s) => process.stdout.write(JSON.stringify(s)));\n`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", script, tz], {
      env: { ...process.env, TZ: "America/New_York" },
      encoding: "utf8",
    });
    expect(run.stderr).not.toMatch(/Error/);
    const [summary] = JSON.parse(run.stdout) as FocusPeriodSummary[];
    expect(summary).toEqual(focusParquet);
  }, 60_000);

  it("names the missing column and the fix when the manifest lacks one the summary reads", async () => {
    const columns = parquet.manifest.columns.filter((c) => c.name !== "EffectiveCost");
    await expect(
      summarizeFocusDelivery({ dataFiles: [parquet.files[0]!.path], columns, source: "m.json" }),
    ).rejects.toThrow(
      /m\.json: column EffectiveCost is missing from the manifest's columns; the FOCUS export's query must select it/,
    );
  });

  it("refuses a file that is not a Data Exports data file, naming both formats", async () => {
    await expect(summarizeFocusDelivery({ dataFiles: ["/tmp/x-Manifest.json"] })).rejects.toThrow(
      /not a FOCUS data file; Data Exports writes .*\.snappy\.parquet \(Parquet\) or .*\.csv\.gz \(gzip CSV\)/,
    );
  });
});

describe("summarizeFocusExportRoot", () => {
  it("reads a synced create-new export root and counts only the newest execution of the period", async () => {
    const root = path.join(dir, "synced");
    const older = generateCurMonth({ ...options, seed: 99 }).rows;
    const base = { ...focusOptions, s3Prefix: "x", overwrite: "CREATE_NEW_REPORT" as const, outDir: root };
    await writeFocusMonth(older, {
      ...base,
      executionId: "aaaa",
      executedAt: new Date("2026-02-01T06:00:00Z"),
    });
    const newer = await writeFocusMonth(curRows, {
      ...base,
      executionId: "bbbb",
      executedAt: new Date("2026-02-02T06:00:00Z"),
    });
    expect(newer.dataKey).toBe(
      "x/finops-cur2-focus/data/BILLING_PERIOD=2026-01/2026-02-02T06:00:00.000Z-bbbb/finops-cur2-focus-00001.snappy.parquet",
    );
    const [summary] = await summarizeFocusExportRoot(path.join(root, "x", "finops-cur2-focus"));
    expect(summary).toEqual(focusParquet);
  });
});

/**
 * Every CUR line item type, hand-computed. CUR 2.0 figures after the CUR 2.0 user guide's line item
 * types and amortization ("Line item columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html;
 * "Reservation columns" and "Savings plan columns" for the effective/unused fields); FOCUS figures
 * after the FOCUS 1.2 specification (https://focus.finops.org/focus-specification/v1-2/): BilledCost
 * 0 where a commitment covers the whole charge, EffectiveCost 0 for purchases that cover future
 * charges, and an "Unused" row carrying the unused commitment.
 */
describe("focusRowsFromCur per CUR line item type", () => {
  const base = {
    bill_payer_account_id: "111111111111",
    bill_billing_period_start_date: "2026-01-01 00:00:00",
    bill_billing_period_end_date: "2026-02-01 00:00:00",
    line_item_usage_account_id: "333333333333",
    line_item_usage_start_date: "2026-01-05 00:00:00",
    line_item_usage_end_date: "2026-01-06 00:00:00",
    product_servicecode: "AmazonEC2",
  } satisfies CurRow;
  const sp = "arn:aws:savingsplans::111111111111:savingsplan/abc";
  const ri = "arn:aws:ec2:us-east-1:111111111111:reserved-instances/def";
  const cases: { type: string; row: CurRow; billed: number; effective: number; categories: string[] }[] = [
    {
      type: "Usage",
      row: { line_item_unblended_cost: 10, line_item_net_unblended_cost: 9 },
      billed: 10,
      effective: 9,
      categories: ["Usage"],
    },
    {
      type: "SavingsPlanCoveredUsage",
      row: {
        line_item_unblended_cost: 9.6,
        savings_plan_savings_plan_a_r_n: sp,
        savings_plan_savings_plan_effective_cost: 6.2,
      },
      billed: 0,
      effective: 6.2,
      categories: ["Usage"],
    },
    {
      type: "SavingsPlanNegation",
      row: { line_item_unblended_cost: -9.6, savings_plan_savings_plan_a_r_n: sp },
      billed: 0,
      effective: 0,
      categories: [],
    },
    {
      type: "SavingsPlanRecurringFee",
      row: {
        line_item_unblended_cost: 30,
        savings_plan_savings_plan_a_r_n: sp,
        savings_plan_total_commitment_to_date: 30,
        savings_plan_used_commitment: 24.5,
      },
      billed: 30,
      effective: 5.5,
      categories: ["Purchase", "Usage"],
    },
    {
      type: "SavingsPlanUpfrontFee",
      row: { line_item_unblended_cost: 8760, savings_plan_savings_plan_a_r_n: sp },
      billed: 8760,
      effective: 0,
      categories: ["Purchase"],
    },
    {
      type: "DiscountedUsage",
      row: {
        line_item_unblended_cost: 0,
        reservation_reservation_a_r_n: ri,
        reservation_effective_cost: 1.44,
      },
      billed: 0,
      effective: 1.44,
      categories: ["Usage"],
    },
    {
      type: "RIFee",
      row: {
        line_item_unblended_cost: 21.9,
        reservation_reservation_a_r_n: ri,
        reservation_unused_amortized_upfront_fee_for_billing_period: 2,
        reservation_unused_recurring_fee: 1.5,
      },
      billed: 21.9,
      effective: 3.5,
      categories: ["Purchase", "Usage"],
    },
    {
      type: "Fee",
      row: { line_item_unblended_cost: 500, reservation_reservation_a_r_n: ri },
      billed: 500,
      effective: 0,
      categories: ["Purchase"],
    },
    {
      type: "Fee",
      row: { line_item_unblended_cost: 100 },
      billed: 100,
      effective: 100,
      categories: ["Purchase"],
    },
    {
      type: "EdpDiscount",
      row: { line_item_unblended_cost: -0.5, line_item_net_unblended_cost: 0 },
      billed: -0.5,
      effective: 0,
      categories: ["Credit"],
    },
    {
      type: "BundledDiscount",
      row: { line_item_unblended_cost: -0.2 },
      billed: -0.2,
      effective: -0.2,
      categories: ["Credit"],
    },
    {
      type: "PrivateRateDiscount",
      row: { line_item_unblended_cost: -0.3 },
      billed: -0.3,
      effective: -0.3,
      categories: ["Credit"],
    },
    {
      type: "Credit",
      row: { line_item_unblended_cost: -50 },
      billed: -50,
      effective: -50,
      categories: ["Credit"],
    },
    {
      type: "Refund",
      row: { line_item_unblended_cost: -12 },
      billed: -12,
      effective: -12,
      categories: ["Adjustment"],
    },
    { type: "Tax", row: { line_item_unblended_cost: 7 }, billed: 7, effective: 7, categories: ["Tax"] },
  ];
  it.each(cases)("$type: BilledCost $billed, EffectiveCost $effective, ChargeCategory $categories", (c) => {
    const rows = focusRowsFromCur([{ ...base, ...c.row, line_item_line_item_type: c.type }]);
    expect(rows.map((r) => r.ChargeCategory)).toEqual(c.categories);
    expect(cents(sum(rows.map((r) => r.BilledCost as number)))).toBe(cents(c.billed));
    expect(cents(sum(rows.map((r) => r.EffectiveCost as number)))).toBe(cents(c.effective));
  });

  it("marks commitment rows with the commitment's id and Used/Unused status", () => {
    const rows = focusRowsFromCur(
      cases.map((c) => ({ ...base, ...c.row, line_item_line_item_type: c.type })),
    );
    const unused = rows.filter((r) => r.CommitmentDiscountStatus === "Unused");
    expect(unused.map((r) => [r.CommitmentDiscountId, r.CommitmentDiscountCategory])).toEqual([
      [sp, "Spend"],
      [ri, "Usage"],
    ]);
    const covered = rows.find((r) => r.CommitmentDiscountStatus === "Used" && r.CommitmentDiscountId === sp)!;
    expect(covered.ListCost).toBe(9.6);
  });
});
