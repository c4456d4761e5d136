import { DuckDBInstance } from "@duckdb/node-api";
import {
  CUR_SUMMARY_QUERIES,
  CUR_SUMMARY_QUERY_NAMES,
  curSummaryJsonSchema,
  toCurSummaryQuery,
} from "../../../../functions/shared/cur-summary-queries";
import { loadBundledSqlGuard } from "../../../support/bundled-sql-guard";

describe("toCurSummaryQuery", () => {
  it("returns the predefined SQL over the configured table with the month as its one parameter", () => {
    const result = toCurSummaryQuery({ month: "2026-01", query: "spend_by_account" }, "cur2");

    expect(result).toEqual({
      ok: true,
      value: {
        name: "spend_by_account",
        sql: CUR_SUMMARY_QUERIES.spend_by_account.replace("{{table}}", "cur2"),
        parameters: ["2026-01"],
      },
    });
    expect(result.ok && result.value.sql).toContain("FROM cur2\nWHERE billing_period = ?");
  });

  it.each([
    [
      "a month 13",
      { month: "2026-13", query: "daily_spend" },
      'month: "2026-13" is not a month; give YYYY-MM',
    ],
    ["a one-digit month", { month: "2026-1", query: "daily_spend" }, 'month: "2026-1" is not a month'],
    ["a month with SQL in it", { month: "2026-01' OR 1=1 --", query: "daily_spend" }, "month:"],
    ["a missing month", { query: "daily_spend" }, "month: must be the billing month as a string YYYY-MM"],
    [
      "an unknown query",
      { month: "2026-01", query: "drop_everything" },
      'query: "drop_everything" is not a summary query; use one of spend_by_account',
    ],
    [
      "raw SQL instead of a name",
      { month: "2026-01", query: "SELECT 1" },
      'query: "SELECT 1" is not a summary query',
    ],
    [
      "an extra sql field",
      { month: "2026-01", query: "daily_spend", sql: "DROP TABLE x" },
      'input: Unrecognized key: "sql"',
    ],
  ])("rejects %s, naming the field", (_label, input, message) => {
    const result = toCurSummaryQuery(input, "cur2");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });

  it("throws at the configured table name when it is not a safe identifier", () => {
    expect(() => toCurSummaryQuery({ month: "2026-01", query: "daily_spend" }, "cur2; DROP TABLE x")).toThrow(
      'CUR table "cur2; DROP TABLE x" is not a valid Athena identifier',
    );
  });

  it("publishes a closed JSON Schema listing the months' format and every query name", () => {
    expect(curSummaryJsonSchema).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: ["month", "query"],
      properties: {
        month: { type: "string", pattern: expect.any(String) },
        query: { enum: CUR_SUMMARY_QUERY_NAMES },
      },
    });
    const pattern = new RegExp(
      (curSummaryJsonSchema.properties as { month: { pattern: string } }).month.pattern,
    );
    expect(["2026-01", "2026-12"].every((m) => pattern.test(m))).toBe(true);
    expect(["2026-13", "2026-1", "2026-00"].some((m) => pattern.test(m))).toBe(false);
  });
});

describe("the predefined queries", () => {
  const { checkReadOnlySql } = loadBundledSqlGuard();

  it.each(CUR_SUMMARY_QUERY_NAMES)("%s passes the read-only SQL guard", (name) => {
    const sql = CUR_SUMMARY_QUERIES[name].replace("{{table}}", "cur2");

    expect(checkReadOnlySql(sql)).toEqual({ allowed: true, kind: "SELECT" });
  });

  it.each(CUR_SUMMARY_QUERY_NAMES)(
    "%s runs on DuckDB with the month bound to its parameter",
    async (name) => {
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      await connection.run(`CREATE TABLE cur2 (
      billing_period VARCHAR, line_item_usage_account_id VARCHAR, product_servicecode VARCHAR,
      line_item_usage_start_date TIMESTAMP, line_item_line_item_type VARCHAR, line_item_usage_type VARCHAR,
      line_item_unblended_cost DOUBLE)`);
      await connection.run(`INSERT INTO cur2 VALUES
      ('2026-01', '111122223333', 'AmazonEC2', TIMESTAMP '2026-01-05 10:00:00', 'Usage', 'BoxUsage:t3.micro', 10.5),
      ('2026-01', '444455556666', 'AmazonS3', TIMESTAMP '2026-01-06 00:00:00', 'Usage', 'TimedStorage-ByteHrs', 2.25),
      ('2026-02', '111122223333', 'AmazonEC2', TIMESTAMP '2026-02-01 00:00:00', 'Usage', 'BoxUsage:t3.micro', 99)`);

      const query = toCurSummaryQuery({ month: "2026-01", query: name }, "cur2");
      if (!query.ok) throw new Error(query.error);
      const reader = await connection.runAndReadAll(query.value.sql, [...query.value.parameters]);
      const total = reader
        .getRowObjectsJS()
        .reduce((sum, row) => sum + Number((row as { unblended_cost: number }).unblended_cost), 0);
      connection.closeSync();
      instance.closeSync();

      expect(total).toBeCloseTo(12.75, 10);
    },
  );
});
