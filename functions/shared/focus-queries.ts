/**
 * The SQL that reads a FOCUS 1.2 (Data Exports table FOCUS_1_2_AWS) delivery, in one place. Written
 * for DuckDB over the delivery's own files; `{{focus}}` is replaced with a relation exposing the
 * FOCUS columns (see focusRelation). Column names and meanings: Data Exports user guide, "FOCUS 1.2
 * with AWS columns" (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html).
 *
 * Money is summed exactly: every value goes to DECIMAL(38, 10) before SUM (Parquet deliveries hold
 * doubles, gzip CSV deliveries hold text), and results are returned as decimal strings rounded to
 * 6 places (the precision CUR and FOCUS costs carry).
 *
 * The billing period is BillingPeriodStart's month and the day ChargePeriodStart's UTC date, taken
 * from the text of the timestamp so that Parquet timestamps ("2026-01-01 00:00:00") and CSV text
 * ("2026-01-01T00:00:00Z") read alike.
 */

/** Columns a FOCUS delivery must have for the summary (all "Null value allowed: No" in AWS's dictionary but ListCost). */
export const REQUIRED_FOCUS_COLUMNS = [
  "BilledCost",
  "EffectiveCost",
  "BillingPeriodStart",
  "ChargePeriodStart",
  "ChargeCategory",
  "SubAccountId",
  "ServiceName",
] as const;

const money = (col: string): string => `CAST(CAST(${col} AS DOUBLE) AS DECIMAL(38, 10))`;
const out = (expr: string): string => `CAST(ROUND(${expr}, 6) AS VARCHAR)`;

/** The month of BillingPeriodStart, YYYY-MM. */
export const FOCUS_BILLING_PERIOD = "substr(CAST(BillingPeriodStart AS VARCHAR), 1, 7)";

/** Per billing period: line items and exact totals. `{{listCost}}` is ListCost or NULL when the delivery lacks it. */
export const FOCUS_PERIOD_TOTALS = `SELECT ${FOCUS_BILLING_PERIOD} AS billing_period,
  COUNT(*) AS line_items,
  ${out(`SUM(${money("BilledCost")})`)} AS billed_cost,
  ${out(`SUM(${money("EffectiveCost")})`)} AS effective_cost,
  ${out(`SUM(${money("{{listCost}}")})`)} AS list_cost
FROM {{focus}}
GROUP BY 1
ORDER BY 1`;

/** Per billing period × SubAccountId × ServiceName × day (UTC date of ChargePeriodStart). */
export const FOCUS_BY_ACCOUNT_SERVICE_DAY = `SELECT ${FOCUS_BILLING_PERIOD} AS billing_period,
  SubAccountId AS sub_account_id,
  ServiceName AS service_name,
  substr(CAST(ChargePeriodStart AS VARCHAR), 1, 10) AS usage_date,
  ${out(`SUM(${money("BilledCost")})`)} AS billed_cost,
  ${out(`SUM(${money("EffectiveCost")})`)} AS effective_cost,
  ${out(`SUM(${money("{{listCost}}")})`)} AS list_cost,
  COUNT(*) AS line_items
FROM {{focus}}
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 4, 3`;

/** Per billing period × ChargeCategory: billed and effective (which kinds of charge the totals hold). */
export const FOCUS_BY_CHARGE_CATEGORY = `SELECT ${FOCUS_BILLING_PERIOD} AS billing_period,
  ChargeCategory AS charge_category,
  ${out(`SUM(${money("BilledCost")})`)} AS billed_cost,
  ${out(`SUM(${money("EffectiveCost")})`)} AS effective_cost,
  COUNT(*) AS line_items
FROM {{focus}}
GROUP BY 1, 2
ORDER BY 1, 2`;

/** The SQL with the relation in place of {{focus}} and ListCost (or NULL) in place of {{listCost}}. */
export function withFocusRelation(sql: string, relation: string, hasListCost: boolean): string {
  return sql
    .split("{{focus}}")
    .join(relation)
    .split("{{listCost}}")
    .join(hasListCost ? "ListCost" : "NULL");
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The DuckDB relation over a delivery's data files: Parquet (`.parquet`) with its own types, or
 * gzip CSV (`.csv.gz`/`.csv`, header row, every value text: the summary casts what it reads).
 */
export function focusRelation(files: readonly string[], format: "parquet" | "csv"): string {
  const list = `[${files.map(quote).join(", ")}]`;
  return format === "parquet"
    ? `read_parquet(${list}, union_by_name = true, hive_partitioning = false)`
    : `read_csv(${list}, header = true, all_varchar = true, union_by_name = true, hive_partitioning = false)`;
}
