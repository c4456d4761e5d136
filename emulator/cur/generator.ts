/**
 * Sample CUR 2.0 generator: one billing month of a CUR 2.0 Data Exports delivery, as AWS lays it
 * out in S3, with a known ground truth. EMULATION: AWS writes these files; the local organization
 * and the tests write them with this module instead. Deterministic: the same options give the
 * same rows, the same ground truth and the same Parquet bytes (DuckDB single-threaded).
 *
 * API
 * ---
 *   generateCurMonth(options: CurMonthOptions): { rows: CurRow[]; groundTruth: CurGroundTruth }
 *     Pure, in memory.
 *   writeCurMonth(options: CurMonthOptions & DeliveryOptions & { outDir: string }): Promise<CurMonthFiles>
 *     Writes the month as one Data Exports execution (delivery.ts: Parquet or gzip CSV, overwrite
 *     or create-new, a manifest of AWS's documented fields only) under outDir in the S3 key layout
 *     below, and returns { files: [{ key, path }], dataKey, manifestKey, manifest, groundTruth }.
 *   uploadCurMonth(s3: S3Client, bucket: string, files: CurMonthFiles): Promise<string[]>
 *     PutObject of every file (SSE as the bucket default); returns the keys written.
 *   curAccountsFromConfig(config: CurAccountsSource): CurAccount[]
 *     Payer, admin and every non-retired member, with their regions (an AccountConfig will do).
 *
 * Files, one concern each (this module re-exports their public names):
 *   generator-accounts.ts     the sample organization's accounts (curAccountsFromConfig)
 *   generator-usage.ts        its usage model: services, usage types, regions, the seeded PRNG
 *   generator-pricing.ts      amounts: rounding, the Savings Plan, the RI, negotiated discounts
 *   generator-line-items.ts   line-item construction (generateCurMonth)
 *   generator-ground-truth.ts the month's ground truth (CurGroundTruth)
 *   generator-columns.ts      the output rows: CUR_COLUMNS, CurRow, curDeliveryColumns
 *   generator-time.ts         period bounds and instants
 *
 * S3 layout (AWS Data Exports, "Understanding export delivery"; delivery.ts):
 *   <prefix>/<exportName>/data/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<exportName>-00001.snappy.parquet | .csv.gz
 *   <prefix>/<exportName>/metadata/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<exportName>-Manifest.json
 * The data file has no billing_period column: like AWS, the period is the partition folder in the
 * path (a partition key in Glue; the ingest takes it from the manifest's key).
 *
 * Columns: CUR_COLUMNS (generator-columns.ts), in order: the CUR 2.0 columns every export of the
 * landing selects, from the catalog in contracts/cur-columns.ts, with DuckDB types: dates are
 * TIMESTAMP (UTC), money and quantities DOUBLE, `product`/`resource_tags`/`cost_category`
 * MAP(VARCHAR, VARCHAR), `discount` MAP(VARCHAR, DOUBLE). Columns the generator has no value for are NULL.
 *
 * Rows: for every account and each of its regions, per day (DAILY) or hour (HOURLY), Usage lines
 * for EC2 (instances, EBS, data transfer), S3, RDS, Lambda, DynamoDB and CloudWatch with the
 * region's usage-type prefix (none in us-east-1, "EU-" in eu-west-1, ...). Every line item type
 * AWS writes is in the month (values after the CUR 2.0 user guide; the ingest's SQL and its
 * hand-computed test, test/unit/functions/shared/line-item-types.test.ts, follow the guide, not this file):
 * - Reservation (first account, first region): a Partial Upfront one-year m5.large RI bought on the
 *   1st: a Fee (bill type Purchase, reservation ARN) for the upfront payment, DiscountedUsage lines
 *   (unblended 0, reservation_effective_cost = amortized upfront + recurring fee for the usage) for
 *   the instance hours it covers, and one RIFee for the month (recurring fee, amortized upfront fee
 *   for the period, unused quantity and unused fees).
 * - Savings Plan (payer; Partial Upfront, bought on the 1st): EC2 instance hours in accounts with a
 *   `spCovered` share are SavingsPlanCoveredUsage (on-demand unblended cost, effective cost at the
 *   plan's rate) with a matching SavingsPlanNegation, capped at the hourly commitment; one
 *   SavingsPlanUpfrontFee, and a SavingsPlanRecurringFee per day (or hour) with
 *   total_commitment_to_date and used_commitment (= the covered lines' effective cost in it).
 * - Negotiated discounts on the remaining Usage lines: a bundled share of EC2 data transfer (some
 *   accounts), a private rate on S3 and EDP on all: each Usage line's line_item_net_unblended_cost
 *   is after them, and each is also a negative BundledDiscount / PrivateRateDiscount / EdpDiscount
 *   line per account × service × day (or hour) with net unblended cost 0 and no blended cost.
 * - Once per month and account: a Credit (negative) on some accounts, a Refund (negative, bill type
 *   Refund) on others, and Tax per account and service. Monthly lines (Credit, Refund, Tax, RIFee,
 *   and the upfront Fee / SavingsPlanUpfrontFee) start on the 1st at 00:00 UTC and end on the 1st
 *   of the next month.
 *
 * Ground truth (CurGroundTruth): every figure is the sum of `line_item_unblended_cost` over the
 * rows it names, rounded to 6 decimals (costs in rows have at most 6 decimals; compare sums from
 * SQL after ROUND(x, 6) or with toBeCloseTo(x, 5)):
 *   total; byAccount[accountId]; byService[product_servicecode];
 *   byLineItemType[line_item_line_item_type];
 *   byAccountServiceDay: [{ accountId, service, day: "YYYY-MM-DD", unblendedCost }] where day is
 *     the UTC date of line_item_usage_start_date (the grain of the ingest's DynamoDB table);
 *   credits / tax / refunds: { total, byAccount };
 *   savingsPlan: { coveredUsage, negation, recurringFee, upfrontFee };
 *   rowCount.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type DeliveryFiles, type DeliveryOptions, writeDelivery } from "./delivery";
import { curDeliveryColumns } from "./generator-columns";
import type { CurGroundTruth } from "./generator-ground-truth";
import { type CurMonthOptions, generateCurMonth } from "./generator-line-items";

export { type CurAccount, type CurAccountsSource, curAccountsFromConfig } from "./generator-accounts";
export { CUR_COLUMNS, type CurColumn, type CurRow, curDeliveryColumns } from "./generator-columns";
export type { CurGroundTruth } from "./generator-ground-truth";
export { type CurMonthOptions, generateCurMonth } from "./generator-line-items";

/** One written month: the delivery's files (data first, manifest last) and its ground truth. */
export interface CurMonthFiles extends DeliveryFiles {
  readonly groundTruth: CurGroundTruth;
}

/**
 * Writes the month as one Data Exports execution under outDir, in the S3 key layout: Parquet
 * (default) or gzip CSV, overwrite (default) or create-new (delivery.ts).
 */
export async function writeCurMonth(
  options: CurMonthOptions & Omit<DeliveryOptions, "payerId" | "seed"> & { readonly outDir: string },
): Promise<CurMonthFiles> {
  const { rows, groundTruth } = generateCurMonth(options);
  const delivery = await writeDelivery(
    rows,
    curDeliveryColumns({ includeResourceIds: options.includeResourceIds }),
    { ...options, payerId: options.payer.id },
  );
  return { ...delivery, groundTruth };
}

/** Uploads a written month (data first, manifest last, as AWS does). Returns the keys. */
export async function uploadCurMonth(s3: S3Client, bucket: string, month: CurMonthFiles): Promise<string[]> {
  const { readFile } = await import("node:fs/promises");
  const keys: string[] = [];
  for (const f of month.files) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: f.key,
        Body: await readFile(f.path),
        ContentType: f.key.endsWith(".json") ? "application/json" : "application/octet-stream",
      }),
    );
    keys.push(f.key);
  }
  return keys;
}
