import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NumberValue } from "@aws-sdk/lib-dynamodb";
import { writeDelivery } from "../../../../emulator/cur/delivery";
import { curDeliveryColumns, generateCurMonth } from "../../../../emulator/cur/generator";
import { fitsDynamoNumber } from "../../../../functions/cur-ingest/spend-rows";
import { SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT } from "../../../../functions/shared/cur-queries";
import { sumDecimals, toScaled } from "../../../../functions/shared/decimal";
import { DuckDbQueryEngine, localFetcher } from "../../../../functions/shared/query-engine/duckdb";

/**
 * The ingest's exact spend query (SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT) on DuckDB: each money column
 * comes back as the exact DECIMAL(38,6) text, equal to the generator's ground truth to the cent,
 * and exact where doubles drift; the ingest writes that text as the DynamoDB Number (NumberValue).
 * DynamoDB Numbers: up to 38 digits of precision, magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
 */
const PERIOD = "2026-04";
const month = generateCurMonth({
  billingPeriod: PERIOD,
  payer: { id: "111111111111", name: "payer" },
  accounts: [
    { id: "111111111111", name: "payer", regions: ["us-east-1"] },
    { id: "333333333333", name: "app-dev", regions: ["us-east-1", "eu-west-1"] },
  ],
  exportName: "finops-cur2",
  s3Prefix: "cur",
  seed: 9,
});

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-exact-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function spend(rows: readonly object[], sql: string) {
  const outDir = path.join(dir, String(++n));
  const d = await writeDelivery(rows, curDeliveryColumns(), {
    billingPeriod: PERIOD,
    payerId: "111111111111",
    exportName: "finops-cur2",
    s3Prefix: "cur",
    outDir,
  });
  const engine = new DuckDbQueryEngine({ fetch: localFetcher(outDir), threads: 1 });
  try {
    await engine.attach({
      billingPeriod: PERIOD,
      bucket: "b",
      dataKeys: [d.dataKey],
      columns: d.manifest.columns,
    });
    return await engine.query(sql, [PERIOD]);
  } finally {
    await engine.close();
  }
}

const MONEY = [
  "unblended_cost",
  "net_unblended_cost",
  "net_amortized_cost",
  "credit",
  "refund",
  "tax",
] as const;

/** `count` Usage lines of one account × service × day, each costing `cost`. */
function lines(count: number, cost: number) {
  const usage = month.rows.find((r) => r.line_item_line_item_type === "Usage")!;
  return Array.from({ length: count }, (_, i) => ({
    ...usage,
    identity_line_item_id: `x${i}`,
    line_item_unblended_cost: cost,
    line_item_net_unblended_cost: cost,
  }));
}

describe("exact spend (DECIMAL(38,6) text to DynamoDB)", () => {
  it("returns every money column as decimal text with 6 decimals, one row per account × service × day of the ground truth, equal to it to the cent", async () => {
    const exact = await spend(month.rows, SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT);
    const truth = month.groundTruth.byAccountServiceDay;
    expect(exact).toHaveLength(truth.length);
    const got = new Map(exact.map((r) => [`${r.account_id}|${r.service}|${r.usage_date}`, r]));
    for (const t of truth) {
      const r = got.get(`${t.accountId}|${t.service}|${t.day}`)!;
      expect(r).toBeDefined();
      for (const c of MONEY) expect(r[c]).toMatch(/^-?\d+\.\d{6}$/);
      const all = sumDecimals([r.unblended_cost, r.credit, r.refund, r.tax] as string[]);
      expect(toScaled(all, 2)).toBe(toScaled(t.unblendedCost, 2));
    }
    expect(exact.reduce((a, r) => a + Number(r.line_items), 0)).toBe(month.rows.length);
  }, 60_000);

  it("adds ten lines of 0.1 to exactly 1.000000, and a million-fold sub-micro amount is not lost", async () => {
    const [ten] = await spend(lines(10, 0.1), SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT);
    expect(ten!.unblended_cost).toBe("1.000000");
    const [tiny] = await spend(lines(5000, 0.0000004), SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT);
    expect(tiny!.unblended_cost).toBe("0.002000");
  }, 60_000);

  it("writes the text unchanged: NumberValue marshals to exactly the SQL's decimal", () => {
    const big = "1234567890123456789012.123457";
    expect(Number(big).toString()).not.toBe(big); // a double would round it
    expect(NumberValue.from(big).toAttributeValue()).toEqual({ N: big });
  });

  it.each([
    ["0.000000", true],
    ["-12.500000", true],
    ["1234567890123456789012.123457", true],
    [`${"9".repeat(32)}.${"9".repeat(6)}`, true],
    [`${"9".repeat(33)}.${"9".repeat(6)}`, false],
    [`1${"0".repeat(126)}`, false],
    ["NaN", false],
    ["1e+200", false],
  ])("fitsDynamoNumber(%s) is %s", (text, fits) => {
    expect(fitsDynamoNumber(text)).toBe(fits);
  });
});
