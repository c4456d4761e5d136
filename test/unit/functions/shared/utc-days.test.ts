/**
 * Usage days are UTC days whatever the machine's time zone: AWS bills in UTC (CUR 2.0 user guide,
 * line_item_usage_start_date, https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html),
 * and a Parquet file may type its timestamps WITH TIME ZONE, which DuckDB would otherwise cast in
 * the session's (the machine's) zone. The engine runs in a child process under TZ=Pacific/Auckland.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { curDeliveryColumns } from "../../../../emulator/cur/generator";

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("takes the usage day of a TIMESTAMP WITH TIME ZONE in UTC under a non-UTC TZ", async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-utc-"));
  const key = "cur/x/data/BILLING_PERIOD=2026-01/x-00001.snappy.parquet";
  const file = path.join(dir, key);
  const columns = curDeliveryColumns();
  // Every column NULL but those the query reads; two lines at 23:30 UTC on 1 and 2 January.
  const values: Record<string, string> = {
    line_item_usage_account_id: "'111111111111'",
    product_servicecode: "'AmazonEC2'",
    line_item_product_code: "'AmazonEC2'",
    line_item_line_item_type: "'Usage'",
    line_item_unblended_cost: "1.5",
    line_item_net_unblended_cost: "1.5",
    bill_billing_period_start_date: "TIMESTAMPTZ '2026-01-01 00:00:00+00'",
    line_item_usage_start_date: "TIMESTAMPTZ '2026-01-01 23:30:00+00' + to_days(CAST(i AS INTEGER))",
  };
  const select = columns
    .map((c) => `${values[c.name] ?? `CAST(NULL AS ${c.duckType})`} AS ${c.name}`)
    .join(", ");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run(`SET TimeZone = 'UTC'`);
  const { mkdirSync } = await import("node:fs");
  mkdirSync(path.dirname(file), { recursive: true });
  await c.run(`COPY (SELECT ${select} FROM range(2) t(i)) TO '${file}' (FORMAT parquet)`);
  const described = await c.runAndReadAll(
    `SELECT column_type FROM (DESCRIBE SELECT line_item_usage_start_date FROM read_parquet('${file}'))`,
  );
  expect(String(described.getRowObjectsJson()[0]!.column_type)).toBe("TIMESTAMP WITH TIME ZONE");
  c.closeSync();
  db.closeSync();

  const manifestColumns = JSON.stringify(columns.map((x) => ({ name: x.name, type: x.manifestType })));
  const out = spawnSync(
    "npx",
    ["tsx", path.join(__dirname, "support/tz-usage-days.ts"), dir, key, manifestColumns],
    { encoding: "utf8", env: { ...process.env, TZ: "Pacific/Auckland" } },
  );
  expect(out.stderr).not.toMatch(/Error/);
  expect(JSON.parse(out.stdout)).toEqual([
    ["2026-01-01", 1],
    ["2026-01-02", 1],
  ]);
}, 60_000);
