/**
 * The SQL of the CUR ingest, written once in the subset Athena (Trino) and DuckDB both run:
 * CASE, COALESCE, NULLIF, CAST(... AS DATE/VARCHAR/TIMESTAMP/DECIMAL(p, s)), ROUND, ABS, LENGTH,
 * chr, `||`, SUM/MIN/COUNT, a CROSS JOIN with a one-row subquery, GROUP BY ordinals, and positional
 * parameters `?` (the billing period 'YYYY-MM', the partition; DELIVERY_CHECK also takes the
 * period's bounds). `{{cur}}` is replaced by the engine with its CUR 2.0 table (Athena: the Glue
 * table with partition projection; DuckDB: a view over the manifest's Parquet files with Hive
 * partitioning), `{{file}}` and `{{row}}` by the file a line was read from and its row number in
 * that file where the engine knows them (withTable).
 */
import { MONEY_COLUMNS } from "../../contracts/cur-columns";

/** Line item types that are not usage: kept apart so usage figures stay comparable month to month. */
export const SEPARATED_LINE_ITEM_TYPES = ["Credit", "Tax", "Refund"] as const;

/**
 * Net unblended and net amortized cost per line, after the CUR 2.0 user guide's definitions
 * ("Line item columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html;
 * "Reservation columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-reservation.html;
 * "Savings plan columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-savings-plan.html;
 * "Discount columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-discount.html;
 * "Understanding Savings Plans", https://docs.aws.amazon.com/cur/latest/userguide/cur-sp.html;
 * "Understanding your amortized reservation data", https://docs.aws.amazon.com/cur/latest/userguide/amortized-reservation.html):
 *
 * - Usage, Fee without a commitment ARN, and any type AWS adds later: the line's net unblended cost.
 * - DiscountedUsage (usage an RI covers): its reservation (net) effective cost, the amortized upfront
 *   plus recurring fee for that usage.
 * - RIFee: only the unused part of the reservation (unused amortized upfront fee + unused recurring
 *   fee); the used part is already on the DiscountedUsage lines.
 * - Fee with a reservation or savings plan ARN (an RI's or plan's upfront payment) and
 *   SavingsPlanUpfrontFee: 0, the upfront payment is amortized onto the covered usage
 *   (reservation_effective_cost / savings_plan_savings_plan_effective_cost) and the fee lines' unused part.
 * - SavingsPlanCoveredUsage: its savings plan (net) effective cost; SavingsPlanNegation: 0 (it only
 *   cancels the covered line's on-demand unblended cost on the invoice).
 * - SavingsPlanRecurringFee: the unused commitment, total_commitment_to_date − used_commitment.
 * - BundledDiscount, EdpDiscount, PrivateRateDiscount: 0 in both net columns. The discount line's
 *   negative unblended cost is on the invoice (unblended_cost keeps it, so unblended still sums to the
 *   bill), but the discounted lines' net columns (line_item_net_unblended_cost and the net_ effective/
 *   unused columns) are already after that discount. Counting the discount line again in a net column
 *   would subtract the discount twice; with 0 here, Σ net unblended over all lines equals Σ unblended
 *   over all lines: the after-discount invoice, each discount counted once.
 * Where a net column is NULL (AWS adds the net_ columns only when the account has a discount in the
 * period) the gross column stands in.
 */
const DISCOUNT_LINE_TYPES = `'BundledDiscount', 'EdpDiscount', 'PrivateRateDiscount'`;

const NET_UNBLENDED = `CASE WHEN line_item_line_item_type IN (${DISCOUNT_LINE_TYPES}) THEN 0
      ELSE COALESCE(line_item_net_unblended_cost, line_item_unblended_cost, 0)
    END`;

const NET_AMORTIZED = `CASE line_item_line_item_type
      WHEN 'SavingsPlanCoveredUsage' THEN COALESCE(savings_plan_net_savings_plan_effective_cost, savings_plan_savings_plan_effective_cost, 0)
      WHEN 'SavingsPlanRecurringFee' THEN COALESCE(savings_plan_total_commitment_to_date, 0) - COALESCE(savings_plan_used_commitment, 0)
      WHEN 'SavingsPlanNegation' THEN 0
      WHEN 'SavingsPlanUpfrontFee' THEN 0
      WHEN 'DiscountedUsage' THEN COALESCE(reservation_net_effective_cost, reservation_effective_cost, 0)
      WHEN 'RIFee' THEN COALESCE(reservation_net_unused_amortized_upfront_fee_for_billing_period, reservation_unused_amortized_upfront_fee_for_billing_period, 0) + COALESCE(reservation_net_unused_recurring_fee, reservation_unused_recurring_fee, 0)
      WHEN 'Fee' THEN CASE WHEN COALESCE(reservation_reservation_a_r_n, '') <> '' OR COALESCE(savings_plan_savings_plan_a_r_n, '') <> '' THEN 0
        ELSE COALESCE(line_item_net_unblended_cost, line_item_unblended_cost, 0) END
      WHEN 'BundledDiscount' THEN 0
      WHEN 'EdpDiscount' THEN 0
      WHEN 'PrivateRateDiscount' THEN 0
      ELSE COALESCE(line_item_net_unblended_cost, line_item_unblended_cost, 0)
    END`;

const USAGE = `line_item_line_item_type NOT IN ('Credit', 'Tax', 'Refund')`;

/** The exact sum of a money expression: see SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT. */
const sum = (expression: string): string =>
  `CAST(SUM(CAST(${expression} AS DECIMAL(38, 12))) AS DECIMAL(38, 6))`;

/**
 * Spend by account × service × day of one billing period (the spend table's grain), exact: each
 * line's amount becomes DECIMAL(38,12) (the double rounded to 12 decimals, so sub-micro amounts
 * still add up), the sum is exact decimal arithmetic, and the result is DECIMAL(38,6) (rounded half
 * up). Both engines return DECIMAL as its exact text (Athena: athenaValue; DuckDB: its JSON value),
 * which the ingest writes as the DynamoDB Number unchanged. DELIVERY_CHECK keeps each line below
 * MAX_LINE_AMOUNT, so the sums fit (26 integer digits).
 */
export const SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT = `SELECT line_item_usage_account_id AS account_id,
  COALESCE(NULLIF(product_servicecode, ''), line_item_product_code) AS service,
  CAST(CAST(line_item_usage_start_date AS DATE) AS VARCHAR) AS usage_date,
  ${sum(`CASE WHEN ${USAGE} THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END`)} AS unblended_cost,
  ${sum(`CASE WHEN ${USAGE} THEN ${NET_UNBLENDED} ELSE 0 END`)} AS net_unblended_cost,
  ${sum(`CASE WHEN ${USAGE} THEN ${NET_AMORTIZED} ELSE 0 END`)} AS net_amortized_cost,
  ${sum(`CASE WHEN line_item_line_item_type = 'Credit' THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END`)} AS credit,
  ${sum(`CASE WHEN line_item_line_item_type = 'Refund' THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END`)} AS refund,
  ${sum(`CASE WHEN line_item_line_item_type = 'Tax' THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END`)} AS tax,
  COUNT(*) AS line_items
FROM {{cur}}
WHERE billing_period = ?
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3`;

/**
 * Whether the delivery is final: AWS leaves `bill_invoice_id` blank until the month is invoiced,
 * then fills it on every line item (CUR user guide, "Viewing your finalized report"). The month is
 * invoiced when the period has line items and every one of them has an invoice id.
 */
export const INVOICE_STATUS = `SELECT COUNT(*) AS line_items,
  COUNT(NULLIF(bill_invoice_id, '')) AS invoiced_line_items
FROM {{cur}}
WHERE billing_period = ?`;

/**
 * Columns of money the spend query reads (every one goes through SUM), and the columns the ingest
 * requires of a delivery: both are the CUR 2.0 column catalog's (contracts/cur-columns.ts), where
 * their order and meaning are documented.
 */
export { MONEY_COLUMNS, REQUIRED_CUR_COLUMNS } from "../../contracts/cur-columns";

/**
 * The largest magnitude a line's amount may have (exclusive): 1E+15. No AWS bill has such a line;
 * below it the month's sums (over up to 10^10 lines) stay below 1E+25, inside the exact spend
 * query's DECIMAL(38,12) (26 integer digits), and with 6 decimals they keep to 31 significant
 * digits: what a DynamoDB Number stores exactly (up to 38 digits of precision,
 * magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html)
 * `NOT (ABS(x) < 1E15)` is true for NaN and ±Infinity on both
 * engines too (Trino: every comparison with NaN is false; DuckDB: NaN sorts above every number).
 */
export const MAX_LINE_AMOUNT = "1E15";

/**
 * One problem the delivery check looks for: `condition` is true for a bad line; `column` and
 * `value` (SQL) say which column and what value the message names.
 */
interface DeliveryProblem {
  readonly name: string;
  readonly condition: string;
  readonly column: string;
  readonly value: string;
}

const notFinite = (c: string) => `NOT (ABS(COALESCE(${c}, 0)) < ${MAX_LINE_AMOUNT})`;

/**
 * What the delivery check refuses, in the order the error reports them. The billing period's bounds
 * come in as the query's first two parameters, `cur_period_start` (the first instant of the
 * period, inclusive) and `cur_next_period_start` (the first instant of the next, exclusive): the
 * bill columns' billing period is the period the report covers ("Bill columns",
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html) and every CUR
 * time interval includes its start and excludes its end, e.g. a report with BillingPeriodStartDate
 * 2015-11-01T00:00:00Z and BillingPeriodEndDate 2015-12-01T00:00:00Z includes the first moment of
 * November but not the first moment of December ("Cost and Usage Report details",
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/billing-reports-costusage-details.html).
 * So every line's bill_billing_period_start_date is the period's first instant and its
 * line_item_usage_start_date lies in [period start, next period start), whatever its type: the
 * monthly lines (Tax, Credit, Refund, RIFee, upfront Fee) start at the period start, inside it.
 */
export const DELIVERY_PROBLEMS: readonly DeliveryProblem[] = [
  {
    name: "billing_period",
    condition: "bill_billing_period_start_date IS NULL OR bill_billing_period_start_date <> cur_period_start",
    column: "'bill_billing_period_start_date'",
    value: "bill_billing_period_start_date",
  },
  {
    name: "usage_start",
    condition:
      "line_item_usage_start_date IS NULL OR line_item_usage_start_date < cur_period_start OR line_item_usage_start_date >= cur_next_period_start",
    column: "'line_item_usage_start_date'",
    value: "line_item_usage_start_date",
  },
  {
    name: "account",
    condition: "line_item_usage_account_id IS NULL OR LENGTH(line_item_usage_account_id) <> 12",
    column: "'line_item_usage_account_id'",
    value: "line_item_usage_account_id",
  },
  {
    name: "service",
    condition: "COALESCE(NULLIF(product_servicecode, ''), NULLIF(line_item_product_code, '')) IS NULL",
    column: "'product_servicecode'",
    value: "line_item_product_code",
  },
  {
    name: "amount",
    condition: MONEY_COLUMNS.map(notFinite).join(" OR "),
    column: `CASE ${MONEY_COLUMNS.map((c) => `WHEN ${notFinite(c)} THEN '${c}'`).join(" ")} END`,
    value: `CASE ${MONEY_COLUMNS.map((c) => `WHEN ${notFinite(c)} THEN ${c}`).join(" ")} END`,
  },
];

/** Separates the parts of a check's first-row reference (the ASCII unit separator). */
export const CHECK_SEPARATOR = "\u001f";

/**
 * The delivery check: one pass over the period's line items, before the spend query, that counts
 * the line items and the invoiced ones (as INVOICE_STATUS) and, per DELIVERY_PROBLEMS entry, the bad
 * lines (`<name>_lines`) and the first of them (`<name>_first`: the lowest of
 * `file ␟ identity_line_item_id ␟ row ␟ column ␟ value` over the bad lines, so the first file, then
 * the first line item id, then the first row, zero-padded). `{{file}}` is the file a line was read
 * from and `{{row}}` its row number (1-based) where the engine knows them (DuckDB: the typed view's
 * file column; the row for Parquet only), else NULL (Athena: `{{cur}}` is a subquery, which hides
 * `"$path"`). The row names a line without identity_line_item_id.
 * Parameters: the period's start and the next period's start (timestamp text
 * 'YYYY-MM-DD HH:MM:SS'), then the billing period.
 */
export const DELIVERY_CHECK = `SELECT COUNT(*) AS line_items,
  COUNT(NULLIF(bill_invoice_id, '')) AS invoiced_line_items,
${DELIVERY_PROBLEMS.map(
  (p) => `  SUM(CASE WHEN ${p.condition} THEN 1 ELSE 0 END) AS ${p.name}_lines,
  MIN(CASE WHEN ${p.condition} THEN COALESCE({{file}}, '') || chr(31) || COALESCE(identity_line_item_id, '') || chr(31) || COALESCE(lpad(CAST({{row}} AS VARCHAR), 12, '0'), '') || chr(31) || ${p.column} || chr(31) || COALESCE(CAST(${p.value} AS VARCHAR), 'NULL') END) AS ${p.name}_first`,
).join(",\n")}
FROM {{cur}}
CROSS JOIN (SELECT CAST(? AS TIMESTAMP) AS cur_period_start, CAST(? AS TIMESTAMP) AS cur_next_period_start) AS cur_bounds
WHERE billing_period = ?`;

/** The parameters of DELIVERY_CHECK for a billing period 'YYYY-MM'. */
export function deliveryCheckParams(billingPeriod: string): [string, string, string] {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(billingPeriod);
  if (!m) throw new Error(`billing period ${JSON.stringify(billingPeriod)} is not YYYY-MM`);
  const next = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)).toISOString().slice(0, 10);
  return [`${billingPeriod}-01 00:00:00`, `${next} 00:00:00`, billingPeriod];
}

/**
 * The SQL with the engine's table reference in place of {{cur}} and its expressions for the file a
 * line was read from and its row number in that file in place of {{file}} and {{row}} (NULL where the
 * engine cannot say).
 */
export function withTable(
  sql: string,
  table: string,
  file = "CAST(NULL AS VARCHAR)",
  row = "CAST(NULL AS BIGINT)",
): string {
  return sql.split("{{cur}}").join(table).split("{{file}}").join(file).split("{{row}}").join(row);
}
