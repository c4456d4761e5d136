/**
 * The monthly CUR summary tool: a month `YYYY-MM` and the name of one predefined query. No SQL
 * comes from the caller. Each query reads the CUR 2.0 table for one billing period through a
 * positional parameter `?` bound to the `billing_period` partition value (`'YYYY-MM'`), and is
 * written in the SQL subset both Athena (Trino) and DuckDB run, so local runs and tests use the
 * same text.
 *
 * Binding: DuckDB binds `?` from a values array; Athena's StartQueryExecution takes
 * `ExecutionParameters` as SQL literals, so pass `'${month}'` (safe: the month is validated as
 * digits and a hyphen). The table name comes from configuration, validated as an identifier.
 */
import * as z from "zod";
import { formatIssues, type ParamsResult } from "./cost-explorer-params";
import { validateAthenaIdentifier } from "./sql-guard/identifier";

const TABLE = "{{table}}";

export const CUR_SUMMARY_QUERIES = {
  spend_by_account: `SELECT line_item_usage_account_id AS account_id,
  SUM(line_item_unblended_cost) AS unblended_cost
FROM ${TABLE}
WHERE billing_period = ?
GROUP BY line_item_usage_account_id
ORDER BY unblended_cost DESC`,
  spend_by_service: `SELECT product_servicecode AS service,
  SUM(line_item_unblended_cost) AS unblended_cost
FROM ${TABLE}
WHERE billing_period = ?
GROUP BY product_servicecode
ORDER BY unblended_cost DESC`,
  spend_by_account_and_service: `SELECT line_item_usage_account_id AS account_id,
  product_servicecode AS service,
  SUM(line_item_unblended_cost) AS unblended_cost
FROM ${TABLE}
WHERE billing_period = ?
GROUP BY line_item_usage_account_id, product_servicecode
ORDER BY account_id, unblended_cost DESC`,
  daily_spend: `SELECT CAST(line_item_usage_start_date AS DATE) AS usage_date,
  SUM(line_item_unblended_cost) AS unblended_cost
FROM ${TABLE}
WHERE billing_period = ?
GROUP BY CAST(line_item_usage_start_date AS DATE)
ORDER BY usage_date`,
  spend_by_charge_type: `SELECT line_item_line_item_type AS charge_type,
  SUM(line_item_unblended_cost) AS unblended_cost
FROM ${TABLE}
WHERE billing_period = ?
GROUP BY line_item_line_item_type
ORDER BY unblended_cost DESC`,
  top_usage_types: `SELECT line_item_usage_type AS usage_type,
  SUM(line_item_unblended_cost) AS unblended_cost
FROM ${TABLE}
WHERE billing_period = ?
GROUP BY line_item_usage_type
ORDER BY unblended_cost DESC
LIMIT 25`,
} as const;

export type CurSummaryQueryName = keyof typeof CUR_SUMMARY_QUERIES;
export const CUR_SUMMARY_QUERY_NAMES = Object.keys(CUR_SUMMARY_QUERIES) as [
  CurSummaryQueryName,
  ...CurSummaryQueryName[],
];

export const curSummaryParamsSchema = z.strictObject({
  /** The billing period, YYYY-MM. */
  month: z
    .string({ error: 'must be the billing month as a string YYYY-MM, e.g. "2026-01"' })
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a month; give YYYY-MM with a month 01-12, e.g. "2026-01"`,
    }),
  /** Which predefined query to run. */
  query: z.enum(CUR_SUMMARY_QUERY_NAMES, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a summary query; use one of ${CUR_SUMMARY_QUERY_NAMES.join(", ")}`,
  }),
});

export type CurSummaryParams = z.infer<typeof curSummaryParamsSchema>;

export interface CurSummaryQuery {
  readonly name: CurSummaryQueryName;
  /** SQL with the table filled in and one `?` for the billing period. */
  readonly sql: string;
  /** Positional parameter values, in order: the billing period `YYYY-MM`. */
  readonly parameters: readonly [string];
}

/** Checks tool input and returns the predefined query for it over `table` (a config identifier). */
export function toCurSummaryQuery(input: unknown, table: string): ParamsResult<CurSummaryQuery> {
  const parsed = curSummaryParamsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error) };
  const name = parsed.data.query;
  const sql = CUR_SUMMARY_QUERIES[name].replace(TABLE, validateAthenaIdentifier(table, "CUR table"));
  return { ok: true, value: { name, sql, parameters: [parsed.data.month] } };
}

export const curSummaryJsonSchema = z.toJSONSchema(curSummaryParamsSchema);
