import { mkdtempSync, renameSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type CurMonthFiles, writeCurMonth } from "../../../../emulator/cur/generator";
import { invoiceStatus } from "../../../../functions/cur-ingest/delivery-check";
import { INVOICE_STATUS, REQUIRED_CUR_COLUMNS } from "../../../../functions/shared/cur-queries";
import { DuckDbQueryEngine, localFetcher } from "../../../../functions/shared/query-engine/duckdb";

/**
 * Whether a delivery is the invoiced (final) month, on DuckDB over a generated CUR 2.0 month: the
 * generator leaves bill_invoice_id blank (NULL) as AWS does before the invoice; the test fills it
 * in the Parquet file for the invoiced case, and blanks one line again for a partly final file.
 */
let dir: string;
let month: CurMonthFiles;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-invoice-"));
  month = await writeCurMonth({
    billingPeriod: "2026-02",
    payer: { id: "111111111111", name: "payer" },
    accounts: [
      { id: "111111111111", name: "payer", regions: ["us-east-1"] },
      { id: "333333333333", name: "app-dev", regions: ["us-east-1"] },
    ],
    exportName: "finops-cur2",
    s3Prefix: "cur",
    outDir: dir,
    seed: 3,
  });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rewrites the month's Parquet file with bill_invoice_id set by a SQL expression. */
async function setInvoiceIds(expression: string) {
  const file = path.join(dir, ...month.dataKey.split("/"));
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const c = await db.connect();
  await c.run(
    `COPY (SELECT * REPLACE (${expression} AS bill_invoice_id) FROM read_parquet('${file}', hive_partitioning = false)) TO '${file}.tmp' (FORMAT parquet)`,
  );
  c.closeSync();
  db.closeSync();
  renameSync(`${file}.tmp`, file);
}

async function status() {
  const engine = new DuckDbQueryEngine({ fetch: localFetcher(dir), threads: 1 });
  try {
    await engine.attach({
      billingPeriod: "2026-02",
      bucket: "local",
      dataKeys: [month.dataKey],
      columns: month.manifest.columns,
    });
    const [row] = await engine.query(INVOICE_STATUS, ["2026-02"]);
    return { row, invoiced: await invoiceStatus(engine, "2026-02") };
  } finally {
    await engine.close();
  }
}

describe("the invoice status of a delivery", () => {
  it("needs bill_invoice_id (a delivery without it fails the column check)", () => {
    expect(REQUIRED_CUR_COLUMNS).toContain("bill_invoice_id");
  });

  it("is not invoiced while every bill_invoice_id is blank (the month is still open)", async () => {
    const { row, invoiced } = await status();
    expect(Number(row!.line_items)).toBe(month.groundTruth.rowCount);
    expect(Number(row!.invoiced_line_items)).toBe(0);
    expect(invoiced).toBe(false);
  });

  it("is not invoiced while any line item still has an empty invoice id", async () => {
    // One line (the first by id) stays blank, every other one is invoiced.
    await setInvoiceIds(
      "CASE WHEN identity_line_item_id = MIN(identity_line_item_id) OVER () THEN '' ELSE 'INV-2026-02-1' END",
    );
    const { row, invoiced } = await status();
    expect(Number(row!.invoiced_line_items)).toBe(month.groundTruth.rowCount - 1);
    expect(invoiced).toBe(false);
  }, 30_000);

  it("is invoiced when every line item carries an invoice id", async () => {
    await setInvoiceIds("'INV-2026-02-1'");
    const { row, invoiced } = await status();
    expect(Number(row!.invoiced_line_items)).toBe(month.groundTruth.rowCount);
    expect(invoiced).toBe(true);
  }, 30_000);

  it("is not invoiced for a period without line items", async () => {
    const engine = new DuckDbQueryEngine({ fetch: localFetcher(dir), threads: 1 });
    try {
      await engine.attach({
        billingPeriod: "2026-02",
        bucket: "local",
        dataKeys: [month.dataKey],
        columns: month.manifest.columns,
      });
      expect(await invoiceStatus(engine, "2026-03")).toBe(false);
    } finally {
      await engine.close();
    }
  });
});
