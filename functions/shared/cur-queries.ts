/**
 * The SQL of the CUR ingest, written once in the subset Athena (Trino) and DuckDB both run:
 * CASE, COALESCE, NULLIF, CAST(... AS DATE/VARCHAR), ROUND, GROUP BY ordinals, one positional
 * parameter `?` bound to the billing period ('YYYY-MM', the partition). `{{cur}}` is replaced by the
 * engine with its CUR 2.0 table (Athena: the Glue table with partition projection; DuckDB: a view
 * over the manifest's Parquet files with Hive partitioning).
 */

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

/** Spend by account × service × day of one billing period (the spend table's grain). */
export const SPEND_BY_ACCOUNT_SERVICE_DAY = `SELECT line_item_usage_account_id AS account_id,
  COALESCE(NULLIF(product_servicecode, ''), line_item_product_code) AS service,
  CAST(CAST(line_item_usage_start_date AS DATE) AS VARCHAR) AS usage_date,
  ROUND(SUM(CASE WHEN ${USAGE} THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END), 6) AS unblended_cost,
  ROUND(SUM(CASE WHEN ${USAGE} THEN ${NET_UNBLENDED} ELSE 0 END), 6) AS net_unblended_cost,
  ROUND(SUM(CASE WHEN ${USAGE} THEN ${NET_AMORTIZED} ELSE 0 END), 6) AS net_amortized_cost,
  ROUND(SUM(CASE WHEN line_item_line_item_type = 'Credit' THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END), 6) AS credit,
  ROUND(SUM(CASE WHEN line_item_line_item_type = 'Refund' THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END), 6) AS refund,
  ROUND(SUM(CASE WHEN line_item_line_item_type = 'Tax' THEN COALESCE(line_item_unblended_cost, 0) ELSE 0 END), 6) AS tax,
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
 * Columns the ingest reads. A delivery without one of them cannot be ingested (CUR 2.0 has a fixed
 * schema, so a missing column means a wrong or broken export, not a quiet month).
 */
export const REQUIRED_CUR_COLUMNS = [
  "line_item_usage_account_id",
  "line_item_product_code",
  "product_servicecode",
  "line_item_usage_start_date",
  "line_item_line_item_type",
  "line_item_unblended_cost",
  "line_item_net_unblended_cost",
  "savings_plan_savings_plan_effective_cost",
  "savings_plan_net_savings_plan_effective_cost",
  "savings_plan_total_commitment_to_date",
  "savings_plan_used_commitment",
  "reservation_effective_cost",
  "reservation_net_effective_cost",
  "reservation_unused_amortized_upfront_fee_for_billing_period",
  "reservation_net_unused_amortized_upfront_fee_for_billing_period",
  "reservation_unused_recurring_fee",
  "reservation_net_unused_recurring_fee",
  "reservation_reservation_a_r_n",
  "savings_plan_savings_plan_a_r_n",
  "bill_billing_period_start_date",
  "bill_invoice_id",
] as const;

/** The SQL with the engine's table reference in place of {{cur}}. */
export function withTable(sql: string, table: string): string {
  return sql.split("{{cur}}").join(table);
}
