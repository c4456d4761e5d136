import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadAccountConfig } from "../../../../config/load";
import { deliveryKeys } from "../../../../emulator/cur/delivery";
import {
  CUR_COLUMNS,
  curAccountsFromConfig,
  generateCurMonth,
  writeCurMonth,
} from "../../../../emulator/cur/generator";
import { parseManifest, parseManifestKey } from "../../../../functions/shared/cur-manifest";
import { CUR_LINE_ITEM_TYPES } from "../../../support/cur-line-item-types";

const config = loadAccountConfig("accounts/local.yaml");
const options = {
  billingPeriod: "2026-01",
  payer: { id: config.payer.id, name: config.payer.name },
  accounts: curAccountsFromConfig(config),
  seed: 7,
  exportName: "finops-cur2",
  s3Prefix: "cur",
  bucket: "finops-cur-111111111111",
};

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("the sample CUR 2.0 generator", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cur-gen-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Layout: Data Exports user guide, "Understanding export delivery"
  // (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html).
  it("names files exactly as AWS Data Exports lays out a CUR 2.0 month (overwrite, Parquet)", () => {
    expect(deliveryKeys({ ...options, payerId: config.payer.id })).toMatchObject({
      dataKey: "cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
      manifestKey: "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/finops-cur2-Manifest.json",
    });
  });

  it("puts a create-new execution in a <timestamp>-<executionId> folder, CSV as .csv.gz", () => {
    const keys = deliveryKeys({
      ...options,
      payerId: config.payer.id,
      format: "csv",
      overwrite: "CREATE_NEW_REPORT",
      executedAt: new Date("2026-02-01T06:07:08.009Z"),
    });
    const folder = `2026-02-01T06:07:08.009Z-${keys.executionId}`;
    expect(keys.dataKey).toBe(
      `cur/finops-cur2/data/BILLING_PERIOD=2026-01/${folder}/finops-cur2-00001.csv.gz`,
    );
    expect(keys.manifestKey).toBe(
      `cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/${folder}/finops-cur2-Manifest.json`,
    );
    expect(keys.executionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("is deterministic for a seed and differs for another seed", () => {
    const a = generateCurMonth(options);
    const b = generateCurMonth(options);
    const c = generateCurMonth({ ...options, seed: 8 });
    expect(b).toEqual(a);
    expect(c.groundTruth.total).not.toEqual(a.groundTruth.total);
  });

  it("covers every configured account and the line item types the pipeline must handle", () => {
    const { groundTruth } = generateCurMonth(options);
    expect(Object.keys(groundTruth.byAccount).sort()).toEqual(
      [config.payer.id, config.admin.id, ...config.members.map((m) => m.id)].sort(),
    );
    // Every line item type AWS writes (CUR 2.0 "Line item columns",
    // https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html).
    expect(Object.keys(groundTruth.byLineItemType).sort()).toEqual([...CUR_LINE_ITEM_TYPES]);
    expect(groundTruth.credits.total).toBeLessThan(0);
    expect(groundTruth.refunds.total).toBeLessThan(0);
    expect(groundTruth.tax.total).toBeGreaterThan(0);
    expect(groundTruth.savingsPlan.negation).toBeCloseTo(-groundTruth.savingsPlan.coveredUsage, 6);
    expect(groundTruth.savingsPlan.upfrontFee).toBeGreaterThan(0);
  });

  // The month's values hang together as the CUR 2.0 user guide describes them; what the ingest makes
  // of each type is tested by hand in test/unit/functions/shared/line-item-types.test.ts.
  describe("consistent values per line item type", () => {
    const { rows } = generateCurMonth(options);
    const of = (type: string) => rows.filter((r) => r.line_item_line_item_type === type);
    const n = (v: unknown) => (typeof v === "number" ? v : 0);
    const total = (rs: typeof rows, col: keyof (typeof rows)[number]) =>
      rs.reduce((a, r) => a + n(r[col]), 0);

    it("discount lines are negative with net unblended 0, and equal what the discounted Usage lines' net cost leaves out", () => {
      const types = ["BundledDiscount", "EdpDiscount", "PrivateRateDiscount"];
      const lines = rows.filter((r) => types.includes(r.line_item_line_item_type as string));
      expect(lines.length).toBeGreaterThan(0);
      for (const r of lines) {
        expect(r.line_item_unblended_cost as number).toBeLessThan(0);
        expect(r.line_item_net_unblended_cost).toBe(0);
        expect(r.line_item_blended_cost).toBeUndefined();
      }
      // Per account × service × day: Σ discount lines = −Σ (unblended − net) of the Usage lines.
      const key = (r: (typeof rows)[number]) =>
        `${r.line_item_usage_account_id}|${r.product_servicecode}|${r.line_item_usage_start_date}`;
      const off = new Map<string, number>();
      for (const r of of("Usage"))
        off.set(
          key(r),
          (off.get(key(r)) ?? 0) + n(r.line_item_unblended_cost) - n(r.line_item_net_unblended_cost),
        );
      const lineSum = new Map<string, number>();
      for (const r of lines) lineSum.set(key(r), (lineSum.get(key(r)) ?? 0) + n(r.line_item_unblended_cost));
      for (const [k, v] of lineSum) expect(v).toBeCloseTo(-(off.get(k) ?? 0), 5);
      for (const [k, v] of off) if (v > 1e-6) expect(lineSum.get(k)).toBeDefined();
    });

    it("the reservation: upfront Fee (Purchase) on the 1st, DiscountedUsage at unblended 0, one RIFee whose unused hours are what the usage left", () => {
      const [fee] = of("Fee");
      const [riFee] = of("RIFee");
      const used = of("DiscountedUsage");
      expect(of("Fee")).toHaveLength(1);
      expect(fee).toMatchObject({
        bill_bill_type: "Purchase",
        line_item_usage_start_date: "2026-01-01 00:00:00",
      });
      expect(fee!.reservation_reservation_a_r_n).toBe(riFee!.reservation_reservation_a_r_n);
      expect(used.length).toBeGreaterThan(0);
      for (const r of used) {
        expect(r.line_item_unblended_cost).toBe(0);
        expect(r.reservation_reservation_a_r_n).toBe(fee!.reservation_reservation_a_r_n);
        expect(n(r.reservation_effective_cost)).toBeCloseTo(
          n(r.reservation_amortized_upfront_cost_for_usage) + n(r.reservation_recurring_fee_for_usage),
          6,
        );
      }
      const usedHours = total(used, "line_item_usage_amount");
      expect(n(riFee!.reservation_unused_quantity)).toBeCloseTo(744 - usedHours, 3);
      expect(n(riFee!.reservation_unused_quantity)).toBeGreaterThan(0);
      // Reserved cost for the month = used effective cost + unused fees (744 h × (0.03 + 0.03)).
      const amortized =
        total(used, "reservation_effective_cost") +
        n(riFee!.reservation_unused_amortized_upfront_fee_for_billing_period) +
        n(riFee!.reservation_unused_recurring_fee);
      expect(amortized).toBeCloseTo(744 * 0.06, 2);
    });

    it("the Savings Plan: one upfront fee (Purchase), a recurring fee per day whose used commitment is the covered usage's effective cost, never above the commitment", () => {
      expect(of("SavingsPlanUpfrontFee")).toHaveLength(1);
      expect(of("SavingsPlanUpfrontFee")[0]).toMatchObject({ bill_bill_type: "Purchase" });
      const fees = of("SavingsPlanRecurringFee");
      expect(fees).toHaveLength(31);
      const covered = of("SavingsPlanCoveredUsage");
      for (const f of fees) {
        const day = covered.filter((c) => c.line_item_usage_start_date === f.line_item_usage_start_date);
        expect(n(f.savings_plan_used_commitment)).toBeCloseTo(
          total(day, "savings_plan_savings_plan_effective_cost"),
          5,
        );
        expect(n(f.savings_plan_used_commitment)).toBeLessThanOrEqual(
          n(f.savings_plan_total_commitment_to_date),
        );
      }
    });

    it("a Refund (bill type Refund) on some account, negative", () => {
      expect(of("Refund").length).toBeGreaterThan(0);
      for (const r of of("Refund")) {
        expect(r.bill_bill_type).toBe("Refund");
        expect(r.line_item_unblended_cost as number).toBeLessThan(0);
      }
    });
  });

  it("writes real Parquet whose sums match the ground truth, read with the partition from the path", async () => {
    const month = await writeCurMonth({ ...options, outDir: dir });
    const glob = join(dir, "cur/finops-cur2/data/*/*.parquet");
    const src = `read_parquet('${glob}', hive_partitioning = true)`;

    const [summary] = await query(
      `SELECT COUNT(*) AS n, ROUND(SUM(line_item_unblended_cost), 6) AS total, MIN(billing_period) AS bp FROM ${src}`,
    );
    expect(Number(summary!.n)).toBe(month.groundTruth.rowCount);
    expect(Number(summary!.total)).toBeCloseTo(month.groundTruth.total, 5);
    expect(summary!.bp).toBe("2026-01");

    const byDay = await query(
      `SELECT line_item_usage_account_id AS a, product_servicecode AS s, CAST(CAST(line_item_usage_start_date AS DATE) AS VARCHAR) AS d,
         ROUND(SUM(line_item_unblended_cost), 6) AS c FROM ${src} GROUP BY ALL`,
    );
    expect(byDay).toHaveLength(month.groundTruth.byAccountServiceDay.length);
    const truth = new Map(
      month.groundTruth.byAccountServiceDay.map((r) => [
        `${r.accountId}|${r.service}|${r.day}`,
        r.unblendedCost,
      ]),
    );
    for (const r of byDay) expect(Number(r.c)).toBeCloseTo(truth.get(`${r.a}|${r.s}|${r.d}`)!, 5);

    const cols = await query(
      `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${glob}', hive_partitioning = false))`,
    );
    expect(cols.map((c) => c.column_name)).toEqual(CUR_COLUMNS.map(([n]) => n));

    // The manifest carries AWS's documented top-level fields and nothing else (Data Exports user
    // guide, "Data Exports manifest file reference",
    // https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html), and the ingest's
    // own parser reads it.
    const text = await readFile(join(dir, month.manifestKey), "utf8");
    const manifest = JSON.parse(text);
    expect(Object.keys(manifest).sort()).toEqual([
      "additionalOutputFiles",
      "columns",
      "dataFiles",
      "executionId",
      "exportArn",
    ]);
    expect(manifest.dataFiles).toEqual([`s3://finops-cur-111111111111/${month.dataKey}`]);
    expect(manifest.exportArn).toMatch(
      new RegExp(`^arn:aws:bcm-data-exports:us-east-1:${config.payer.id}:export/finops-cur2-[0-9a-f-]{36}$`),
    );
    const location = parseManifestKey(month.manifestKey, "cur", "finops-cur2");
    expect(location).toMatchObject({ billingPeriod: "2026-01", layout: "overwrite" });
    expect(parseManifest(text, location).columns.map((c) => c.name)).toEqual(CUR_COLUMNS.map(([n]) => n));
  });

  it("leaves line_item_resource_id out of data and manifest when the export does not include resources", async () => {
    // AWS's CUR 2.0 table dictionary: line_item_resource_id is "Added by: INCLUDE RESOURCES"
    // (test/fixtures/aws/cur2-table-dictionary.json); an export without it has no such column.
    const month = await writeCurMonth({
      ...options,
      includeResourceIds: false,
      outDir: join(dir, "no-resources"),
    });
    const data = join(dir, "no-resources", month.dataKey);
    const cols = await query(
      `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${data}', hive_partitioning = false))`,
    );
    const names = cols.map((c) => String(c.column_name));
    expect(names).not.toContain("line_item_resource_id");
    expect(names).toEqual(CUR_COLUMNS.map(([n]) => n).filter((n) => n !== "line_item_resource_id"));
    const manifest = JSON.parse(await readFile(join(dir, "no-resources", month.manifestKey), "utf8"));
    expect(manifest.columns.map((c: { name: string }) => c.name)).toEqual(names);
  });

  it("writes the same bytes twice for the same options", async () => {
    const a = await writeCurMonth({ ...options, outDir: join(dir, "a") });
    const b = await writeCurMonth({ ...options, outDir: join(dir, "b") });
    expect(await readFile(a.files[0]!.path)).toEqual(await readFile(b.files[0]!.path));
  });

  it("refuses a billing period that is not YYYY-MM, naming the field", () => {
    expect(() => generateCurMonth({ ...options, billingPeriod: "2026-13" })).toThrow(
      'billingPeriod "2026-13" is not a month',
    );
  });
});
