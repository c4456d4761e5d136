import { mkdtempSync, renameSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { writeDelivery } from "../../../../emulator/cur/delivery";
import { type CurAccount, curDeliveryColumns, generateCurMonth } from "../../../../emulator/cur/generator";
import { checkDelivery } from "../../../../functions/cur-ingest/delivery-check";
import { CurDeliveryError } from "../../../../functions/shared/cur-delivery-error";
import {
  DELIVERY_CHECK,
  deliveryCheckParams,
  SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT,
  withTable,
} from "../../../../functions/shared/cur-queries";
import { DuckDbQueryEngine, localFetcher } from "../../../../functions/shared/query-engine/duckdb";
import type { QueryEngine, QueryRow } from "../../../../functions/shared/query-engine/port";

/**
 * The delivery check (DELIVERY_CHECK, checkDelivery) on DuckDB over generated CUR 2.0 deliveries with
 * one line broken at a time: every line belongs to the manifest's billing period, has its keys and
 * finite amounts, and a bad one fails with its file, line item id, column, value and the fix.
 *
 * The period rule after AWS's documentation: bill_billing_period_start_date is the start of the
 * billing period the report covers ("Bill columns",
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html), and every CUR
 * time interval includes its start and excludes its end: a report of November 2015 includes
 * 2015-11-01T00:00:00Z but not 2015-12-01T00:00:00Z ("Cost and Usage Report details",
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/billing-reports-costusage-details.html;
 * line_item_usage_start_date in "Line item columns",
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html). So a
 * monthly line (Tax, Credit, Refund, RIFee: usage start = the period start) is in, a line starting at
 * the next period's first instant is out. Amounts: a DynamoDB Number has up to 38 digits of precision
 * and a magnitude of 1E-130 to 9.9999999999999999999999999999999999999E+125
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
 */
const PERIOD = "2026-03";
const accounts: CurAccount[] = [
  { id: "111111111111", name: "payer", regions: ["us-east-1"] },
  { id: "333333333333", name: "app-dev", regions: ["us-east-1"] },
];
const month = generateCurMonth({
  billingPeriod: PERIOD,
  payer: { id: "111111111111", name: "payer" },
  accounts,
  exportName: "finops-cur2",
  s3Prefix: "cur",
  seed: 5,
});
type Row = Record<string, unknown>;
const usageRow = month.rows.findIndex((r) => r.line_item_line_item_type === "Usage");
const lastUsage =
  month.rows.length - 1 - [...month.rows].reverse().findIndex((r) => r.line_item_line_item_type === "Usage");

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-check-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the month with `edit` applied to copies of its rows, as one Parquet (or CSV) delivery. */
async function deliver(edit: (rows: Row[]) => void, format: "parquet" | "csv" = "parquet") {
  const rows = month.rows.map((r) => ({ ...r }) as Row);
  edit(rows);
  const outDir = path.join(dir, String(++n));
  const d = await writeDelivery(rows, curDeliveryColumns(), {
    billingPeriod: PERIOD,
    payerId: "111111111111",
    exportName: "finops-cur2",
    s3Prefix: "cur",
    format,
    outDir,
  });
  return { outDir, dataKeys: [d.dataKey], columns: d.manifest.columns, rows };
}

/** Attaches the delivery to DuckDB and runs the check (and the spend query when it passes). */
async function check(d: {
  outDir: string;
  dataKeys: string[];
  columns: readonly { name: string; type: string }[];
}) {
  const engine = new DuckDbQueryEngine({ fetch: localFetcher(d.outDir), threads: 1 });
  try {
    await engine.attach({ billingPeriod: PERIOD, bucket: "bkt", dataKeys: d.dataKeys, columns: d.columns });
    const result = await checkDelivery(engine, PERIOD);
    return { result, spend: await engine.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, [PERIOD]) };
  } finally {
    await engine.close();
  }
}

async function refused(d: Parameters<typeof check>[0]): Promise<CurDeliveryError> {
  const e = await check(d).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CurDeliveryError);
  return e as CurDeliveryError;
}

const uri = (d: { dataKeys: string[] }, i = 0) => `s3://bkt/${d.dataKeys[i]}`;

/**
 * Rewrites a delivery's data file with `column` set to the SQL `expression` on the line item `id`
 * (for what JSON cannot carry into writeDelivery: NaN, Infinity, text in a number column).
 */
async function setValue(
  d: { outDir: string; dataKeys: string[] },
  id: string,
  column: string,
  expression: string,
) {
  const file = path.join(d.outDir, d.dataKeys[0]!);
  const csv = file.endsWith(".csv.gz");
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const c = await db.connect();
  const src = csv
    ? `read_csv('${file}', all_varchar = true, header = true, hive_partitioning = false)`
    : `read_parquet('${file}', hive_partitioning = false)`;
  await c.run(
    `COPY (SELECT * REPLACE (CASE WHEN identity_line_item_id = '${id}' THEN ${expression} ELSE ${column} END AS ${column}) FROM ${src}) TO '${file}.tmp' (${csv ? "FORMAT csv, HEADER true, COMPRESSION gzip" : "FORMAT parquet"})`,
  );
  c.closeSync();
  db.closeSync();
  renameSync(`${file}.tmp`, file);
}

describe("the delivery check", () => {
  it("passes the generated month: every line in the period, monthly lines starting at its first instant", async () => {
    expect(
      month.rows.some(
        (r) => r.line_item_usage_start_date === "2026-03-01 00:00:00" && r.line_item_line_item_type === "Tax",
      ),
    ).toBe(true);
    const { result } = await check(await deliver(() => {}));
    expect(result).toEqual({ lineItems: month.rows.length, invoiced: false });
  }, 60_000);

  it("gives the period's bounds as parameters: the first instant, the next period's first instant", () => {
    expect(deliveryCheckParams("2026-03")).toEqual(["2026-03-01 00:00:00", "2026-04-01 00:00:00", "2026-03"]);
    expect(deliveryCheckParams("2026-12")).toEqual(["2026-12-01 00:00:00", "2027-01-01 00:00:00", "2026-12"]);
    expect(() => deliveryCheckParams("2026-13")).toThrow("is not YYYY-MM");
  });

  it.each([
    [
      "the previous month's last day",
      "2026-02-28 00:00:00",
      '"2026-02-28 00:00:00", outside billing period 2026-03 [2026-03-01T00:00:00Z, 2026-04-01T00:00:00Z)',
    ],
    [
      "the next period's first instant (the end is exclusive)",
      "2026-04-01 00:00:00",
      '"2026-04-01 00:00:00", outside billing period 2026-03',
    ],
  ])(
    "refuses a line whose usage starts on %s, naming file, line item and column",
    async (_, start, message) => {
      const d = await deliver((rows) => {
        rows[lastUsage]!.line_item_usage_start_date = start;
      });
      const e = await refused(d);
      const id = d.rows[lastUsage]!.identity_line_item_id as string;
      expect(e.field).toBe(`${uri(d)} line item ${id} column line_item_usage_start_date`);
      expect(e.message).toContain(message);
      expect(e.message).toContain("belongs to another month; re-deliver the month");
    },
    60_000,
  );

  it("refuses a line of another billing period (bill_billing_period_start_date), counting the lines like it", async () => {
    const d = await deliver((rows) => {
      for (const r of rows.slice(usageRow, usageRow + 3))
        r.bill_billing_period_start_date = "2026-02-01 00:00:00";
    });
    const e = await refused(d);
    const first = [
      ...d.rows.slice(usageRow, usageRow + 3).map((r) => r.identity_line_item_id as string),
    ].sort()[0];
    expect(e.field).toBe(`${uri(d)} line item ${first} column bill_billing_period_start_date`);
    expect(e.message).toMatch(
      /is "2026-02-01 00:00:00", not 2026-03-01T00:00:00Z UTC, the first instant of billing period 2026-03/,
    );
    expect(e.message).toContain("(3 line items like it)");
  }, 60_000);

  it("refuses a NULL bill_billing_period_start_date", async () => {
    const e = await refused(
      await deliver((rows) => {
        rows[usageRow]!.bill_billing_period_start_date = null;
      }),
    );
    expect(e.message).toMatch(/bill_billing_period_start_date is NULL, not 2026-03-01T00:00:00Z/);
  }, 60_000);

  it.each([
    [
      "a NULL line_item_usage_account_id",
      (r: Row) => {
        r.line_item_usage_account_id = null;
      },
      "line_item_usage_account_id",
      /is NULL, not a 12-digit AWS account id/,
    ],
    [
      "an 11-digit line_item_usage_account_id",
      (r: Row) => {
        r.line_item_usage_account_id = "33333333333";
      },
      "line_item_usage_account_id",
      /is "33333333333", not a 12-digit/,
    ],
    [
      "no service (both codes NULL or empty)",
      (r: Row) => {
        r.product_servicecode = "";
        r.line_item_product_code = null;
      },
      "product_servicecode",
      /product_servicecode and line_item_product_code are both empty/,
    ],
    [
      "a NULL line_item_usage_start_date",
      (r: Row) => {
        r.line_item_usage_start_date = null;
      },
      "line_item_usage_start_date",
      /line_item_usage_start_date is NULL; every line item has a usage start/,
    ],
  ])(
    "refuses %s, naming the line",
    async (_, edit, column, message) => {
      const d = await deliver((rows) => edit(rows[usageRow]!));
      const e = await refused(d);
      expect(e.field).toBe(`${uri(d)} line item ${d.rows[usageRow]!.identity_line_item_id} column ${column}`);
      expect(e.message).toMatch(message);
      expect(e.message).toContain("re-deliver the month");
    },
    60_000,
  );

  it.each([
    ["NaN", "parquet", "line_item_unblended_cost", "CAST('NaN' AS DOUBLE)", '"nan"'],
    ["Infinity", "parquet", "line_item_net_unblended_cost", "CAST('Infinity' AS DOUBLE)", '"inf"'],
    ["-Infinity", "parquet", "reservation_effective_cost", "CAST('-Infinity' AS DOUBLE)", '"-inf"'],
    ["NaN as CSV text", "csv", "line_item_unblended_cost", "'NaN'", '"nan"'],
    [
      "1E+21 (past what the sums keep exactly)",
      "parquet",
      "line_item_unblended_cost",
      "CAST(1e21 AS DOUBLE)",
      '"1e+21"',
    ],
  ] as const)(
    "refuses an amount of %s (%s), naming the column",
    async (_, format, column, expression, shown) => {
      const d = await deliver(() => {}, format);
      const id = d.rows[usageRow]!.identity_line_item_id as string;
      await setValue(d, id, column, expression);
      const e = await refused(d);
      expect(e.field).toBe(`${uri(d)} line item ${id} column ${column}`);
      expect(e.message.toLowerCase()).toContain(`${column} is ${shown}`);
      expect(e.message).toMatch(/not a finite amount of magnitude below 1E15/);
    },
    60_000,
  );

  it("reports every problem at once: the first in full, the others counted with their first line", async () => {
    const d = await deliver((rows) => {
      rows[usageRow]!.line_item_usage_start_date = "2026-05-02 00:00:00";
      rows[lastUsage]!.line_item_usage_account_id = null;
    });
    const e = await refused(d);
    expect(e.field).toContain("column line_item_usage_start_date");
    expect(e.message).toContain(
      `Also: 1 line item(s) with a bad line_item_usage_account_id (first: ${uri(d)} line item ${d.rows[lastUsage]!.identity_line_item_id})`,
    );
  }, 60_000);

  it("names a line without identity_line_item_id by its row in the Parquet file", async () => {
    const d = await deliver((rows) => {
      for (const r of rows) r.identity_line_item_id = null;
      rows[lastUsage]!.line_item_usage_start_date = "2026-06-01 00:00:00";
    });
    const e = await refused(d);
    expect(e.field).toBe(`${uri(d)} row ${lastUsage + 1} column line_item_usage_start_date`);
  }, 60_000);

  it("names a line without identity_line_item_id in a CSV file as such (no row numbers there)", async () => {
    const d = await deliver((rows) => {
      for (const r of rows) r.identity_line_item_id = null;
      rows[lastUsage]!.line_item_usage_account_id = null;
    }, "csv");
    const e = await refused(d);
    expect(e.field).toBe(
      `${uri(d)} a line item without identity_line_item_id column line_item_usage_account_id`,
    );
  }, 60_000);

  it("names the file of the bad line when a delivery has several", async () => {
    const half = Math.floor(month.rows.length / 2);
    const a = await deliver((rows) => rows.splice(half));
    const b = await deliver((rows) => {
      rows.splice(0, half);
      rows[rows.length - 1]!.line_item_usage_start_date = "2026-01-15 00:00:00";
    });
    // Both files under one root, as one delivery.
    const key2 = a.dataKeys[0]!.replace("-00001.", "-00002.");
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * FROM read_parquet('${path.join(b.outDir, b.dataKeys[0]!)}', hive_partitioning = false)) TO '${path.join(a.outDir, key2)}' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();
    const e = await refused({ ...a, dataKeys: [a.dataKeys[0]!, key2] });
    expect(e.field.startsWith(`s3://bkt/${key2} line item `)).toBe(true);
  }, 60_000);

  it("says 'one of the delivery's files' where the engine cannot name the file (Athena: {{file}} is NULL)", async () => {
    const sql: string[] = [];
    const engine: QueryEngine = {
      kind: "athena",
      attach: async () => undefined,
      close: async () => {},
      query: async (q): Promise<QueryRow[]> => {
        sql.push(q);
        return [
          {
            line_items: 10,
            invoiced_line_items: 10,
            usage_start_lines: 2,
            usage_start_first: ["", "abc", "", "line_item_usage_start_date", "2026-02-01 00:00:00.000"].join(
              "\u001f",
            ),
          },
        ];
      },
    };
    const e = await checkDelivery(engine, PERIOD).catch((x: CurDeliveryError) => x);
    expect((e as CurDeliveryError).field).toBe(
      "one of the delivery's files line item abc column line_item_usage_start_date",
    );
    expect((e as Error).message).toContain("(2 line items like it)");
    expect(withTable(sql[0]!, "t")).toContain("COALESCE(CAST(NULL AS VARCHAR), '')");
    expect(withTable(DELIVERY_CHECK, "t")).not.toContain("{{");
  });

  it("refuses an empty delivery and reports an invoiced month as invoiced", async () => {
    const stub = (row: QueryRow): QueryEngine => ({
      kind: "athena",
      attach: async () => undefined,
      close: async () => {},
      query: async () => [row],
    });
    await expect(checkDelivery(stub({ line_items: 0, invoiced_line_items: 0 }), PERIOD)).rejects.toThrow(
      "the files hold no line items for billing period 2026-03",
    );
    await expect(checkDelivery(stub({ line_items: "7", invoiced_line_items: "7" }), PERIOD)).resolves.toEqual(
      {
        lineItems: 7,
        invoiced: true,
      },
    );
  });
});

describe("data files that do not match the manifest (typed view)", () => {
  it("refuses a Parquet cost column of text where the manifest says double, naming file and column", async () => {
    const d = await deliver(() => {});
    const file = path.join(d.outDir, d.dataKeys[0]!);
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * REPLACE (CAST(line_item_unblended_cost AS VARCHAR) || ' USD' AS line_item_unblended_cost) FROM read_parquet('${file}', hive_partitioning = false)) TO '${file}.tmp' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();
    rmSync(file);
    renameSync(`${file}.tmp`, file);
    const e = await refused(d);
    expect(e.field).toBe(`${uri(d)} column line_item_unblended_cost`);
    expect(e.message).toMatch(
      /is VARCHAR in the Parquet file but "double" in the manifest; .*re-deliver the month/,
    );
  }, 60_000);

  it("refuses a CSV cost value that is not a number, naming file, row and column", async () => {
    const d = await deliver(() => {}, "csv");
    await setValue(
      d,
      d.rows[usageRow]!.identity_line_item_id as string,
      "line_item_unblended_cost",
      "'12 USD'",
    );
    const e = await refused(d);
    expect(e.field).toBe(`${uri(d)} row ${usageRow + 1} column line_item_unblended_cost`);
    expect(e.message).toMatch(
      /"12 USD" is not a number \(the manifest types the column "double"\); .*re-deliver the month/,
    );
  }, 60_000);

  it("refuses a file whose columns differ from the other files' (and the manifest's), naming that file", async () => {
    const a = await deliver(() => {});
    const key2 = a.dataKeys[0]!.replace("-00001.", "-00002.");
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * EXCLUDE (line_item_net_unblended_cost) FROM read_parquet('${path.join(a.outDir, a.dataKeys[0]!)}', hive_partitioning = false)) TO '${path.join(a.outDir, key2)}' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();
    const e = await refused({ ...a, dataKeys: [a.dataKeys[0]!, key2] });
    expect(e.field).toBe(`s3://bkt/${key2}`);
    expect(e.message).toMatch(
      /its columns differ from the manifest's \(missing: line_item_net_unblended_cost\)/,
    );
  }, 60_000);
});
