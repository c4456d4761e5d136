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
 *   curAccountsFromConfig(config: AccountConfig): CurAccount[]
 *     Payer, admin and every non-retired member, with their regions.
 *
 * S3 layout (AWS Data Exports, "Understanding export delivery"; delivery.ts):
 *   <prefix>/<exportName>/data/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<exportName>-00001.snappy.parquet | .csv.gz
 *   <prefix>/<exportName>/metadata/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<exportName>-Manifest.json
 * The data file has no billing_period column: like AWS, the period is the partition folder in the
 * path (a partition key in Glue; the ingest takes it from the manifest's key).
 *
 * Columns: CUR_COLUMNS below, in order (the CUR 2.0 columns the payer's export selects, the
 * same list as CUR2_COLUMNS in modules/payer/export-queries.ts), with DuckDB types: dates are TIMESTAMP (UTC),
 * money and quantities DOUBLE, `product`/`resource_tags`/`cost_category` MAP(VARCHAR, VARCHAR),
 * `discount` MAP(VARCHAR, DOUBLE). Columns the generator has no value for are NULL.
 *
 * Rows: for every account and each of its regions, per day (DAILY) or hour (HOURLY), Usage lines
 * for EC2 (instances, EBS, data transfer), S3, RDS, Lambda, DynamoDB and CloudWatch with the
 * region's usage-type prefix (none in us-east-1, "EU-" in eu-west-1, ...). Every line item type
 * AWS writes is in the month (values after the CUR 2.0 user guide; the ingest's SQL and its
 * hand-computed test, test/unit/data-platform/line-item-types.test.ts, follow the guide, not this file):
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
import type { AccountConfig } from "../../config/schema";
import { type DeliveryColumn, type DeliveryFiles, type DeliveryOptions, writeDelivery } from "./delivery";

export interface CurAccount {
  readonly id: string;
  readonly name: string;
  /** Regions with usage; the first carries most of it. */
  readonly regions: readonly string[];
}

export interface CurMonthOptions {
  /** Billing period YYYY-MM. */
  readonly billingPeriod: string;
  readonly payer: { readonly id: string; readonly name: string };
  /** Usage accounts (payer included if it has usage). */
  readonly accounts: readonly CurAccount[];
  /** PRNG seed. @default 1 */
  readonly seed?: number;
  /** @default "DAILY" */
  readonly granularity?: "DAILY" | "HOURLY";
  /** Export name: the folder below the prefix and the file name stem. */
  readonly exportName: string;
  /** Key prefix of the export in the bucket. */
  readonly s3Prefix: string;
  /** Bucket named in the manifest's dataFiles. @default "local-bucket" */
  readonly bucket?: string;
  /** Fill line_item_resource_id (the export's INCLUDE_RESOURCES). @default true */
  readonly includeResourceIds?: boolean;
}

/** The CUR 2.0 columns, in export order, with their DuckDB types. */
export const CUR_COLUMNS = [
  ["bill_bill_type", "VARCHAR"],
  ["bill_billing_entity", "VARCHAR"],
  ["bill_billing_period_end_date", "TIMESTAMP"],
  ["bill_billing_period_start_date", "TIMESTAMP"],
  ["bill_invoice_id", "VARCHAR"],
  ["bill_invoicing_entity", "VARCHAR"],
  ["bill_payer_account_id", "VARCHAR"],
  ["bill_payer_account_name", "VARCHAR"],
  ["cost_category", "MAP(VARCHAR, VARCHAR)"],
  ["discount", "MAP(VARCHAR, DOUBLE)"],
  ["discount_bundled_discount", "DOUBLE"],
  ["discount_total_discount", "DOUBLE"],
  ["identity_line_item_id", "VARCHAR"],
  ["identity_time_interval", "VARCHAR"],
  ["line_item_availability_zone", "VARCHAR"],
  ["line_item_blended_cost", "DOUBLE"],
  ["line_item_blended_rate", "VARCHAR"],
  ["line_item_currency_code", "VARCHAR"],
  ["line_item_legal_entity", "VARCHAR"],
  ["line_item_line_item_description", "VARCHAR"],
  ["line_item_line_item_type", "VARCHAR"],
  ["line_item_net_unblended_cost", "DOUBLE"],
  ["line_item_net_unblended_rate", "VARCHAR"],
  ["line_item_normalization_factor", "DOUBLE"],
  ["line_item_normalized_usage_amount", "DOUBLE"],
  ["line_item_operation", "VARCHAR"],
  ["line_item_product_code", "VARCHAR"],
  ["line_item_resource_id", "VARCHAR"],
  ["line_item_tax_type", "VARCHAR"],
  ["line_item_unblended_cost", "DOUBLE"],
  ["line_item_unblended_rate", "VARCHAR"],
  ["line_item_usage_account_id", "VARCHAR"],
  ["line_item_usage_account_name", "VARCHAR"],
  ["line_item_usage_amount", "DOUBLE"],
  ["line_item_usage_end_date", "TIMESTAMP"],
  ["line_item_usage_start_date", "TIMESTAMP"],
  ["line_item_usage_type", "VARCHAR"],
  ["pricing_currency", "VARCHAR"],
  ["pricing_lease_contract_length", "VARCHAR"],
  ["pricing_offering_class", "VARCHAR"],
  ["pricing_public_on_demand_cost", "DOUBLE"],
  ["pricing_public_on_demand_rate", "VARCHAR"],
  ["pricing_purchase_option", "VARCHAR"],
  ["pricing_rate_code", "VARCHAR"],
  ["pricing_rate_id", "VARCHAR"],
  ["pricing_term", "VARCHAR"],
  ["pricing_unit", "VARCHAR"],
  ["product", "MAP(VARCHAR, VARCHAR)"],
  ["product_comment", "VARCHAR"],
  ["product_fee_code", "VARCHAR"],
  ["product_fee_description", "VARCHAR"],
  ["product_from_location", "VARCHAR"],
  ["product_from_location_type", "VARCHAR"],
  ["product_from_region_code", "VARCHAR"],
  ["product_instance_family", "VARCHAR"],
  ["product_instance_type", "VARCHAR"],
  ["product_instancesku", "VARCHAR"],
  ["product_location", "VARCHAR"],
  ["product_location_type", "VARCHAR"],
  ["product_operation", "VARCHAR"],
  ["product_pricing_unit", "VARCHAR"],
  ["product_product_family", "VARCHAR"],
  ["product_region_code", "VARCHAR"],
  ["product_servicecode", "VARCHAR"],
  ["product_sku", "VARCHAR"],
  ["product_to_location", "VARCHAR"],
  ["product_to_location_type", "VARCHAR"],
  ["product_to_region_code", "VARCHAR"],
  ["product_usagetype", "VARCHAR"],
  ["reservation_amortized_upfront_cost_for_usage", "DOUBLE"],
  ["reservation_amortized_upfront_fee_for_billing_period", "DOUBLE"],
  ["reservation_availability_zone", "VARCHAR"],
  ["reservation_effective_cost", "DOUBLE"],
  ["reservation_end_time", "VARCHAR"],
  ["reservation_modification_status", "VARCHAR"],
  ["reservation_net_amortized_upfront_cost_for_usage", "DOUBLE"],
  ["reservation_net_amortized_upfront_fee_for_billing_period", "DOUBLE"],
  ["reservation_net_effective_cost", "DOUBLE"],
  ["reservation_net_recurring_fee_for_usage", "DOUBLE"],
  ["reservation_net_unused_amortized_upfront_fee_for_billing_period", "DOUBLE"],
  ["reservation_net_unused_recurring_fee", "DOUBLE"],
  ["reservation_net_upfront_value", "DOUBLE"],
  ["reservation_normalized_units_per_reservation", "VARCHAR"],
  ["reservation_number_of_reservations", "VARCHAR"],
  ["reservation_recurring_fee_for_usage", "DOUBLE"],
  ["reservation_reservation_a_r_n", "VARCHAR"],
  ["reservation_start_time", "VARCHAR"],
  ["reservation_subscription_id", "VARCHAR"],
  ["reservation_total_reserved_normalized_units", "VARCHAR"],
  ["reservation_total_reserved_units", "VARCHAR"],
  ["reservation_units_per_reservation", "VARCHAR"],
  ["reservation_unused_amortized_upfront_fee_for_billing_period", "DOUBLE"],
  ["reservation_unused_normalized_unit_quantity", "DOUBLE"],
  ["reservation_unused_quantity", "DOUBLE"],
  ["reservation_unused_recurring_fee", "DOUBLE"],
  ["reservation_upfront_value", "DOUBLE"],
  ["resource_tags", "MAP(VARCHAR, VARCHAR)"],
  ["savings_plan_amortized_upfront_commitment_for_billing_period", "DOUBLE"],
  ["savings_plan_end_time", "VARCHAR"],
  ["savings_plan_instance_type_family", "VARCHAR"],
  ["savings_plan_net_amortized_upfront_commitment_for_billing_period", "DOUBLE"],
  ["savings_plan_net_recurring_commitment_for_billing_period", "DOUBLE"],
  ["savings_plan_net_savings_plan_effective_cost", "DOUBLE"],
  ["savings_plan_offering_type", "VARCHAR"],
  ["savings_plan_payment_option", "VARCHAR"],
  ["savings_plan_purchase_term", "VARCHAR"],
  ["savings_plan_recurring_commitment_for_billing_period", "DOUBLE"],
  ["savings_plan_region", "VARCHAR"],
  ["savings_plan_savings_plan_a_r_n", "VARCHAR"],
  ["savings_plan_savings_plan_effective_cost", "DOUBLE"],
  ["savings_plan_savings_plan_rate", "DOUBLE"],
  ["savings_plan_start_time", "VARCHAR"],
  ["savings_plan_total_commitment_to_date", "DOUBLE"],
  ["savings_plan_used_commitment", "DOUBLE"],
] as const;

export type CurColumn = (typeof CUR_COLUMNS)[number][0];
/** One row: only the columns the generator fills; every other column is NULL. */
export type CurRow = Partial<Record<CurColumn, string | number | Record<string, string | number>>>;

export interface CurGroundTruth {
  readonly billingPeriod: string;
  readonly rowCount: number;
  readonly total: number;
  readonly byAccount: Readonly<Record<string, number>>;
  readonly byService: Readonly<Record<string, number>>;
  readonly byLineItemType: Readonly<Record<string, number>>;
  readonly byAccountServiceDay: readonly {
    readonly accountId: string;
    readonly service: string;
    readonly day: string;
    readonly unblendedCost: number;
  }[];
  readonly credits: { readonly total: number; readonly byAccount: Readonly<Record<string, number>> };
  readonly tax: { readonly total: number; readonly byAccount: Readonly<Record<string, number>> };
  readonly refunds: { readonly total: number; readonly byAccount: Readonly<Record<string, number>> };
  readonly savingsPlan: {
    readonly coveredUsage: number;
    readonly negation: number;
    readonly recurringFee: number;
    readonly upfrontFee: number;
  };
}

/** One written month: the delivery's files (data first, manifest last) and its ground truth. */
export interface CurMonthFiles extends DeliveryFiles {
  readonly groundTruth: CurGroundTruth;
}

// ----------------------------------------------------------------------------------------------

export function curAccountsFromConfig(config: AccountConfig): CurAccount[] {
  const home = config.organization.homeRegion;
  return [
    {
      id: config.payer.id,
      name: config.payer.name,
      regions: config.payer.regions ?? [config.cur.homeRegion],
    },
    { id: config.admin.id, name: config.admin.name, regions: config.admin.regions ?? [home] },
    ...config.members.filter((m) => !m.retired).map((m) => ({ id: m.id, name: m.name, regions: m.regions })),
  ];
}

/** Mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const r6 = (x: number): number => round(x, 6);

const REGION_PREFIX: Record<string, string> = {
  "us-east-1": "",
  "us-east-2": "USE2-",
  "us-west-1": "USW1-",
  "us-west-2": "USW2-",
  "eu-west-1": "EU-",
  "eu-west-2": "EUW2-",
  "eu-west-3": "EUW3-",
  "eu-central-1": "EUC1-",
  "eu-north-1": "EUN1-",
  "ap-southeast-1": "APS1-",
  "ap-southeast-2": "APS2-",
  "ap-northeast-1": "APN1-",
  "ca-central-1": "CAN1-",
  "sa-east-1": "SAE1-",
};

const REGION_LOCATION: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-2": "US West (Oregon)",
  "eu-west-1": "EU (Ireland)",
  "eu-central-1": "EU (Frankfurt)",
};

interface UsageSpec {
  service: string;
  productName: string;
  productFamily: string;
  usageType: string;
  operation: string;
  unit: string;
  /** USD per unit. */
  rate: number;
  /** Units per day: [min, max). */
  perDay: [number, number];
  description: string;
  instanceType?: string;
  resource?: (account: string, region: string, n: number) => string;
  /** Instance hours that a Savings Plan may cover. */
  spEligible?: boolean;
}

const USAGE: readonly UsageSpec[] = [
  {
    service: "AmazonEC2",
    productName: "Amazon Elastic Compute Cloud",
    productFamily: "Compute Instance",
    usageType: "BoxUsage:m5.large",
    operation: "RunInstances",
    unit: "Hrs",
    rate: 0.096,
    perDay: [24, 96],
    description: "$0.096 per On Demand Linux m5.large Instance Hour",
    instanceType: "m5.large",
    resource: (a, _r, n) => `i-0${a.slice(-6)}${n.toString(16).padStart(9, "0")}`,
    spEligible: true,
  },
  {
    service: "AmazonEC2",
    productName: "Amazon Elastic Compute Cloud",
    productFamily: "Storage",
    usageType: "EBS:VolumeUsage.gp3",
    operation: "CreateVolume-Gp3",
    unit: "GB-Mo",
    rate: 0.08,
    perDay: [3, 20],
    description: "$0.08 per GB-month of General Purpose (gp3) provisioned storage",
    resource: (a, _r, n) => `vol-0${a.slice(-6)}${n.toString(16).padStart(9, "0")}`,
  },
  {
    service: "AmazonEC2",
    productName: "Amazon Elastic Compute Cloud",
    productFamily: "Data Transfer",
    usageType: "DataTransfer-Out-Bytes",
    operation: "RunInstances",
    unit: "GB",
    rate: 0.09,
    perDay: [1, 40],
    description: "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
  },
  {
    service: "AmazonS3",
    productName: "Amazon Simple Storage Service",
    productFamily: "Storage",
    usageType: "TimedStorage-ByteHrs",
    operation: "StandardStorage",
    unit: "GB-Mo",
    rate: 0.023,
    perDay: [5, 60],
    description: "$0.023 per GB - first 50 TB / month of storage used",
    resource: (a, r) => `finops-sample-${a}-${r}`,
  },
  {
    service: "AmazonS3",
    productName: "Amazon Simple Storage Service",
    productFamily: "API Request",
    usageType: "Requests-Tier1",
    operation: "PutObject",
    unit: "Requests",
    rate: 0.000005,
    perDay: [10000, 400000],
    description: "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
    resource: (a, r) => `finops-sample-${a}-${r}`,
  },
  {
    service: "AmazonRDS",
    productName: "Amazon Relational Database Service",
    productFamily: "Database Instance",
    usageType: "InstanceUsage:db.t3.medium",
    operation: "CreateDBInstance:0002",
    unit: "Hrs",
    rate: 0.068,
    perDay: [24, 48],
    description: "$0.068 per RDS db.t3.medium instance hour (or partial hour) running MySQL",
    instanceType: "db.t3.medium",
    resource: (a, r) => `arn:aws:rds:${r}:${a}:db:app-db`,
  },
  {
    service: "AWSLambda",
    productName: "AWS Lambda",
    productFamily: "Serverless",
    usageType: "Lambda-GB-Second",
    operation: "Invoke",
    unit: "Lambda-GB-Second",
    rate: 0.0000166667,
    perDay: [20000, 900000],
    description: "AWS Lambda - Total Compute - US East (N. Virginia)",
    resource: (a, r) => `arn:aws:lambda:${r}:${a}:function:app-handler`,
  },
  {
    service: "AmazonDynamoDB",
    productName: "Amazon DynamoDB",
    productFamily: "Amazon DynamoDB PayPerRequest Throughput",
    usageType: "ReadRequestUnits",
    operation: "PayPerRequestThroughput",
    unit: "ReadRequestUnits",
    rate: 0.00000025,
    perDay: [100000, 5000000],
    description: "$0.25 per million read request units",
    resource: (a, r) => `arn:aws:dynamodb:${r}:${a}:table/app-table`,
  },
  {
    service: "AmazonCloudWatch",
    productName: "AmazonCloudWatch",
    productFamily: "Metric",
    usageType: "CW:MetricMonitorUsage",
    operation: "MetricStorage",
    unit: "Metrics",
    rate: 0.3,
    perDay: [1, 8],
    description: "$0.30 per metric-month for the first 10,000 metrics",
  },
];

const MS_DAY = 86_400_000;
const MS_HOUR = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** "YYYY-MM-DD HH:MM:SS" for DuckDB TIMESTAMP (UTC). */
function ts(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function periodBounds(billingPeriod: string): { start: number; end: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(billingPeriod);
  if (!m) throw new Error(`billingPeriod "${billingPeriod}" is not a month; give YYYY-MM, e.g. "2026-01"`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
}

/** Partial Upfront Compute Savings Plan of the sample month, bought on the 1st at 00:00 UTC. */
const SAVINGS_PLAN = {
  /** Commitment, USD per hour: half paid upfront (amortized), half recurring. */
  commitmentPerHour: 1.25,
  recurringPerHour: 0.625,
  upfrontPerHour: 0.625,
  /** Compute SP rate for m5.large: ~35 % off on demand. */
  rate: 0.062,
} as const;
/** Partial Upfront one-year EC2 RI (one m5.large) of the first account, bought on the 1st at 00:00 UTC. */
const RESERVATION = { instances: 1, upfrontPerHour: 0.03, recurringPerHour: 0.03 } as const;
const HOURS_PER_YEAR = 8760;
/** Negotiated discounts on on-demand Usage lines (written as separate discount line items). */
const DISCOUNTS = {
  /** Share of EC2 data transfer out bundled free, in accounts with `bundled`. */
  bundledDataTransfer: 0.25,
  /** Private rate on Amazon S3, after the bundled discount. */
  privateRateS3: 0.1,
  /** Enterprise Discount Program, on what is left after the other two. */
  edp: 0.03,
} as const;

/** Generates one month of CUR 2.0 rows and its ground truth. Pure and deterministic. */
export function generateCurMonth(options: CurMonthOptions): { rows: CurRow[]; groundTruth: CurGroundTruth } {
  const rand = prng(options.seed ?? 1);
  const granularity = options.granularity ?? "DAILY";
  const includeResources = options.includeResourceIds ?? true;
  const { start, end } = periodBounds(options.billingPeriod);
  if (options.accounts.length === 0) throw new Error("accounts: give at least one usage account");
  const step = granularity === "DAILY" ? MS_DAY : MS_HOUR;
  const perStep = granularity === "DAILY" ? 1 : 1 / 24;
  const hoursPerStep = step / MS_HOUR;
  const monthHours = (end - start) / MS_HOUR;
  const spArn = `arn:aws:savingsplans::${options.payer.id}:savingsplan/00000000-0000-4000-8000-${options.payer.id}`;
  const spRate = SAVINGS_PLAN.rate;
  let seq = 0;
  const nextId = (): string =>
    `${options.billingPeriod.replace("-", "")}${(++seq).toString(36).padStart(8, "0")}`;
  const rows: CurRow[] = [];

  const base = (accountId: string, accountName: string, from: number, to: number): CurRow => ({
    bill_bill_type: "Anniversary",
    bill_billing_entity: "AWS",
    bill_billing_period_start_date: ts(start),
    bill_billing_period_end_date: ts(end),
    bill_invoicing_entity: "Amazon Web Services, Inc.",
    bill_payer_account_id: options.payer.id,
    bill_payer_account_name: options.payer.name,
    identity_line_item_id: nextId(),
    identity_time_interval: `${iso(from)}/${iso(to)}`,
    line_item_currency_code: "USD",
    line_item_legal_entity: "Amazon Web Services, Inc.",
    line_item_usage_account_id: accountId,
    line_item_usage_account_name: accountName,
    line_item_usage_start_date: ts(from),
    line_item_usage_end_date: ts(to),
    pricing_currency: "USD",
  });
  const setCost = (row: CurRow, cost: number): void => {
    row.line_item_unblended_cost = cost;
    row.line_item_blended_cost = cost;
    row.line_item_net_unblended_cost = cost;
  };

  // Per account: share of EC2 instance hours covered by the Savings Plan; a scale for its size.
  const profile = options.accounts.map((a, i) => ({
    account: a,
    scale: round(0.5 + rand() * 2.5, 2),
    spCovered: i % 2 === 1 ? round(0.4 + rand() * 0.4, 2) : 0,
    credit: i % 3 === 2,
    /** A refund and a bundled discount on data transfer. */
    bundled: i % 3 === 1,
    /** The first account holds the reservation (in its first region). */
    reservation: i === 0,
  }));

  // Savings Plan commitment used per step (covered usage at the plan's rate), capped at the commitment.
  const spUsed = new Map<number, number>();
  let riUsedHours = 0;
  let riRegion: string | undefined;
  // Discount line items, one per account × service × step × type (AWS aggregates discounts by
  // member account and SKU), in the order the discounted lines were written.
  const discounts = new Map<
    string,
    { account: CurAccount; service: string; productName: string; t: number; type: string; amount: number }
  >();
  const discount = (
    account: CurAccount,
    u: UsageSpec,
    t: number,
    type: "BundledDiscount" | "EdpDiscount" | "PrivateRateDiscount",
    amount: number,
  ): void => {
    if (amount <= 0) return;
    const key = `${account.id}|${u.service}|${t}|${type}`;
    const d = discounts.get(key);
    if (d) d.amount += amount;
    else discounts.set(key, { account, service: u.service, productName: u.productName, t, type, amount });
  };

  for (const { account, scale, spCovered, bundled, reservation } of profile) {
    for (const [ri, region] of account.regions.entries()) {
      const regionScale = ri === 0 ? 1 : 0.35;
      const prefix = REGION_PREFIX[region] ?? `${region.toUpperCase().replace(/-/g, "")}-`;
      const riArn = `arn:aws:ec2:${region}:${account.id}:reserved-instances/00000000-0000-4000-8000-${account.id}`;
      const hasRi = reservation && ri === 0;
      if (hasRi) riRegion = region;
      for (let t = start; t < end; t += step) {
        for (const [ui, u] of USAGE.entries()) {
          const [lo, hi] = u.perDay;
          const amount = round((lo + rand() * (hi - lo)) * scale * regionScale * perStep, 4);
          if (amount <= 0) continue;
          const usageType = `${prefix}${u.usageType}`;
          const line = (lineAmount: number): CurRow => {
            const row = base(account.id, account.name, t, t + step);
            const cost = r6(lineAmount * u.rate);
            Object.assign(row, {
              line_item_line_item_type: "Usage",
              line_item_line_item_description: u.description,
              line_item_operation: u.operation,
              line_item_product_code: u.service,
              line_item_usage_type: usageType,
              line_item_usage_amount: lineAmount,
              line_item_unblended_rate: String(u.rate),
              line_item_blended_rate: String(u.rate),
              line_item_net_unblended_rate: String(u.rate),
              line_item_availability_zone: u.instanceType ? `${region}a` : undefined,
              line_item_resource_id:
                includeResources && u.resource ? u.resource(account.id, region, ui) : undefined,
              pricing_public_on_demand_cost: cost,
              pricing_public_on_demand_rate: String(u.rate),
              pricing_term: "OnDemand",
              pricing_unit: u.unit,
              product: {
                product_name: u.productName,
                region: region,
                servicename: u.productName,
                ...(u.instanceType ? { instance_type: u.instanceType } : {}),
              },
              product_instance_type: u.instanceType,
              product_location: REGION_LOCATION[region] ?? region,
              product_location_type: "AWS Region",
              product_operation: u.operation,
              product_product_family: u.productFamily,
              product_region_code: region,
              product_servicecode: u.service,
              product_usagetype: usageType,
              resource_tags: { user_cost_center: `cc-${account.name}` },
            } satisfies CurRow);
            setCost(row, cost);
            return row;
          };
          let onDemand = amount;

          // Instance hours the reservation covers: DiscountedUsage, unblended 0 (the RI's rate), the
          // amortized upfront and recurring fee for the usage in the reservation columns.
          if (u.spEligible && hasRi) {
            const covered = round(Math.min(onDemand, RESERVATION.instances * hoursPerStep), 4);
            if (covered > 0) {
              const upfront = r6(covered * RESERVATION.upfrontPerHour);
              const recurring = r6(covered * RESERVATION.recurringPerHour);
              const row = line(covered);
              Object.assign(row, {
                line_item_line_item_type: "DiscountedUsage",
                line_item_line_item_description: `USD ${RESERVATION.recurringPerHour} hourly fee per Linux/UNIX (Amazon VPC), m5.large instance`,
                line_item_unblended_rate: "0",
                line_item_blended_rate: "0",
                line_item_net_unblended_rate: "0",
                pricing_term: "Reserved",
                pricing_purchase_option: "Partial Upfront",
                pricing_lease_contract_length: "1yr",
                pricing_offering_class: "standard",
                reservation_reservation_a_r_n: riArn,
                reservation_amortized_upfront_cost_for_usage: upfront,
                reservation_recurring_fee_for_usage: recurring,
                reservation_effective_cost: r6(upfront + recurring),
              } satisfies CurRow);
              setCost(row, 0);
              rows.push(row);
              riUsedHours = round(riUsedHours + covered, 4);
              onDemand = round(onDemand - covered, 4);
            }
          }

          // Instance hours the Savings Plan covers (up to the commitment left in the step):
          // SavingsPlanCoveredUsage at on-demand cost + its negation.
          if (u.spEligible && spCovered > 0 && onDemand > 0) {
            const left = r6(SAVINGS_PLAN.commitmentPerHour * hoursPerStep - (spUsed.get(t) ?? 0));
            let coveredAmount = Math.min(
              round(onDemand * spCovered, 4),
              Math.floor((left / spRate) * 1e4) / 1e4,
            );
            while (coveredAmount > 0 && r6(coveredAmount * spRate) > left)
              coveredAmount = round(coveredAmount - 0.0001, 4);
            if (coveredAmount > 0) {
              const effective = r6(coveredAmount * spRate);
              spUsed.set(t, r6((spUsed.get(t) ?? 0) + effective));
              const covered: CurRow = {
                ...line(coveredAmount),
                line_item_line_item_type: "SavingsPlanCoveredUsage",
                line_item_line_item_description: `${spRate} per hour for m5.large covered by Compute Savings Plan`,
                savings_plan_savings_plan_a_r_n: spArn,
                savings_plan_savings_plan_rate: spRate,
                savings_plan_savings_plan_effective_cost: effective,
                savings_plan_offering_type: "ComputeSavingsPlans",
                savings_plan_payment_option: "Partial Upfront",
                savings_plan_purchase_term: "1yr",
              };
              const negation: CurRow = {
                ...covered,
                identity_line_item_id: nextId(),
                line_item_line_item_type: "SavingsPlanNegation",
                line_item_line_item_description: `SavingsPlanNegation used by AccountId : ${account.id} and UsageSku : SAMPLE`,
                pricing_public_on_demand_cost: undefined,
                savings_plan_savings_plan_effective_cost: undefined,
              };
              setCost(negation, -(covered.line_item_unblended_cost as number));
              rows.push(covered, negation);
              onDemand = round(onDemand - coveredAmount, 4);
            }
          }

          // The rest at on-demand rates, less the negotiated discounts: the Usage line's net
          // unblended cost is after them, and each discount is also its own (negative) line item.
          if (onDemand > 0) {
            const row = line(onDemand);
            const cost = row.line_item_unblended_cost as number;
            const bundledOff =
              bundled && u.usageType === "DataTransfer-Out-Bytes"
                ? r6(cost * DISCOUNTS.bundledDataTransfer)
                : 0;
            const privateOff =
              u.service === "AmazonS3" ? r6((cost - bundledOff) * DISCOUNTS.privateRateS3) : 0;
            const edpOff = r6((cost - bundledOff - privateOff) * DISCOUNTS.edp);
            const net = r6(cost - bundledOff - privateOff - edpOff);
            row.line_item_net_unblended_cost = net;
            row.line_item_net_unblended_rate = String(round(net / onDemand, 10));
            discount(account, u, t, "BundledDiscount", bundledOff);
            discount(account, u, t, "PrivateRateDiscount", privateOff);
            discount(account, u, t, "EdpDiscount", edpOff);
            rows.push(row);
          }
        }
      }
    }
  }

  // Discount line items: negative unblended cost on the invoice; net unblended 0, since the
  // discounted lines' net cost already carries them; no blended cost for discounts.
  const DISCOUNT_DESCRIPTION: Record<string, string> = {
    BundledDiscount: "Bundled discount: data transfer out included with another service",
    PrivateRateDiscount: "Private rate discount",
    EdpDiscount: "Enterprise Discount Program discount",
  };
  for (const d of discounts.values()) {
    const row = base(d.account.id, d.account.name, d.t, d.t + step);
    Object.assign(row, {
      line_item_line_item_type: d.type,
      line_item_line_item_description: DISCOUNT_DESCRIPTION[d.type],
      line_item_product_code: d.service,
      line_item_usage_type: "",
      line_item_operation: "",
      product: { product_name: d.productName, servicename: d.productName },
      product_servicecode: d.service,
    } satisfies CurRow);
    setCost(row, -r6(d.amount));
    row.line_item_net_unblended_cost = 0;
    row.line_item_blended_cost = undefined;
    rows.push(row);
  }

  // The reservation: its upfront Fee at purchase (the 1st, bill type Purchase) and the month's RIFee
  // with the amortized upfront fee for the period and what the DiscountedUsage lines left unused.
  if (riRegion !== undefined) {
    const holder = profile.find((p) => p.reservation)!.account;
    const riArn = `arn:aws:ec2:${riRegion}:${holder.id}:reserved-instances/00000000-0000-4000-8000-${holder.id}`;
    const usageType = `${REGION_PREFIX[riRegion] ?? `${riRegion.toUpperCase().replace(/-/g, "")}-`}HeavyUsage:m5.large`;
    const common = {
      line_item_product_code: "AmazonEC2",
      line_item_usage_type: usageType,
      line_item_operation: "RunInstances",
      product_servicecode: "AmazonEC2",
      product_product_family: "Compute Instance",
      product_region_code: riRegion,
      pricing_term: "Reserved",
      pricing_purchase_option: "Partial Upfront",
      pricing_lease_contract_length: "1yr",
      pricing_offering_class: "standard",
      reservation_reservation_a_r_n: riArn,
      reservation_start_time: iso(start),
      reservation_end_time: iso(start + HOURS_PER_YEAR * MS_HOUR),
      reservation_number_of_reservations: String(RESERVATION.instances),
      reservation_units_per_reservation: String(monthHours * RESERVATION.instances),
      reservation_total_reserved_units: String(monthHours * RESERVATION.instances),
      reservation_upfront_value: r6(RESERVATION.upfrontPerHour * HOURS_PER_YEAR * RESERVATION.instances),
      reservation_modification_status: "Original",
    } satisfies CurRow;
    const fee = base(holder.id, holder.name, start, end);
    Object.assign(fee, {
      ...common,
      bill_bill_type: "Purchase",
      line_item_line_item_type: "Fee",
      line_item_line_item_description:
        "Sign up charge for subscription: m5.large Linux/UNIX, 1 year Partial Upfront",
      line_item_usage_amount: RESERVATION.instances,
    } satisfies CurRow);
    setCost(fee, r6(RESERVATION.upfrontPerHour * HOURS_PER_YEAR * RESERVATION.instances));
    rows.push(fee);
    const reservedHours = monthHours * RESERVATION.instances;
    const unused = round(reservedHours - riUsedHours, 4);
    const riFee = base(holder.id, holder.name, start, end);
    Object.assign(riFee, {
      ...common,
      line_item_line_item_type: "RIFee",
      line_item_line_item_description: `USD ${RESERVATION.recurringPerHour} hourly fee per Linux/UNIX (Amazon VPC), m5.large instance`,
      line_item_usage_amount: reservedHours,
      reservation_amortized_upfront_fee_for_billing_period: r6(RESERVATION.upfrontPerHour * reservedHours),
      reservation_unused_quantity: unused,
      reservation_unused_amortized_upfront_fee_for_billing_period: r6(RESERVATION.upfrontPerHour * unused),
      reservation_unused_recurring_fee: r6(RESERVATION.recurringPerHour * unused),
    } satisfies CurRow);
    setCost(riFee, r6(RESERVATION.recurringPerHour * reservedHours));
    rows.push(riFee);
  }

  // The Savings Plan: its upfront fee at purchase (the 1st) and the recurring fee every day (or
  // hour), with the commitment to date (amortized upfront + recurring) and the part the covered
  // usage used.
  if (profile.some((p) => p.spCovered > 0)) {
    const sp = {
      line_item_product_code: "ComputeSavingsPlans",
      line_item_operation: "",
      line_item_resource_id: includeResources ? spArn : undefined,
      product_servicecode: "ComputeSavingsPlans",
      product_product_family: "Savings Plans",
      product_region_code: "",
      savings_plan_savings_plan_a_r_n: spArn,
      savings_plan_offering_type: "ComputeSavingsPlans",
      savings_plan_payment_option: "Partial Upfront",
      savings_plan_purchase_term: "1yr",
      savings_plan_start_time: iso(start),
      savings_plan_end_time: iso(start + HOURS_PER_YEAR * MS_HOUR),
    } satisfies CurRow;
    const upfront = base(options.payer.id, options.payer.name, start, end);
    Object.assign(upfront, {
      ...sp,
      bill_bill_type: "Purchase",
      line_item_line_item_type: "SavingsPlanUpfrontFee",
      line_item_line_item_description: "1 year Partial Upfront Compute Savings Plan upfront fee",
      line_item_usage_type: "ComputeSP:1yrPartialUpfront",
      line_item_usage_amount: 1,
    } satisfies CurRow);
    setCost(upfront, r6(SAVINGS_PLAN.upfrontPerHour * HOURS_PER_YEAR));
    rows.push(upfront);
    for (let t = start; t < end; t += step) {
      const row = base(options.payer.id, options.payer.name, t, t + step);
      Object.assign(row, {
        ...sp,
        line_item_line_item_type: "SavingsPlanRecurringFee",
        line_item_line_item_description: "1 year Partial Upfront Compute Savings Plan recurring fee",
        line_item_usage_type: "ComputeSP:1yrPartialUpfront",
        line_item_usage_amount: hoursPerStep,
        savings_plan_recurring_commitment_for_billing_period: r6(SAVINGS_PLAN.recurringPerHour * monthHours),
        savings_plan_amortized_upfront_commitment_for_billing_period: r6(
          SAVINGS_PLAN.upfrontPerHour * monthHours,
        ),
        savings_plan_total_commitment_to_date: r6(SAVINGS_PLAN.commitmentPerHour * hoursPerStep),
        savings_plan_used_commitment: r6(spUsed.get(t) ?? 0),
      } satisfies CurRow);
      setCost(row, r6(SAVINGS_PLAN.recurringPerHour * hoursPerStep));
      rows.push(row);
    }
  }

  // Monthly lines: credits on some accounts, a refund on others, tax per account and service.
  const usageByAccountService = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.line_item_usage_account_id}|${row.product_servicecode}`;
    usageByAccountService.set(
      key,
      (usageByAccountService.get(key) ?? 0) + (row.line_item_unblended_cost as number),
    );
  }
  for (const { account, credit } of profile) {
    if (!credit) continue;
    const amount = r6(-round(50 + rand() * 200, 2));
    const row = base(account.id, account.name, start, end);
    Object.assign(row, {
      line_item_line_item_type: "Credit",
      line_item_line_item_description: "AWS Promotional Credit",
      line_item_product_code: "AmazonEC2",
      line_item_usage_type: "",
      line_item_operation: "",
      product_servicecode: "AmazonEC2",
      product_product_family: "",
    } satisfies CurRow);
    setCost(row, amount);
    rows.push(row);
  }
  for (const { account, bundled } of profile) {
    if (!bundled) continue;
    const amount = r6(-round(5 + rand() * 20, 2));
    const row = base(account.id, account.name, start, end);
    Object.assign(row, {
      bill_bill_type: "Refund",
      line_item_line_item_type: "Refund",
      line_item_line_item_description: "Refund for Amazon S3 request charges",
      line_item_product_code: "AmazonS3",
      line_item_usage_type: "",
      line_item_operation: "",
      product_servicecode: "AmazonS3",
      product_product_family: "",
    } satisfies CurRow);
    setCost(row, amount);
    rows.push(row);
  }
  for (const [key, usage] of [...usageByAccountService.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [accountId, service] = key.split("|") as [string, string];
    if (usage <= 0 || service === "ComputeSavingsPlans") continue;
    const account = options.accounts.find((a) => a.id === accountId)!;
    const amount = r6(round(usage * 0.07, 2));
    const row = base(account.id, account.name, start, end);
    Object.assign(row, {
      line_item_line_item_type: "Tax",
      line_item_line_item_description: `Tax for product code ${service}`,
      line_item_product_code: service,
      line_item_tax_type: "Sales",
      line_item_usage_type: "",
      line_item_operation: "",
      product_servicecode: service,
    } satisfies CurRow);
    setCost(row, amount);
    rows.push(row);
  }

  return { rows, groundTruth: computeGroundTruth(options.billingPeriod, rows) };
}

function computeGroundTruth(billingPeriod: string, rows: readonly CurRow[]): CurGroundTruth {
  const add = (m: Record<string, number>, k: string, v: number): void => {
    m[k] = (m[k] ?? 0) + v;
  };
  const fix = (m: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, r6(v)]));
  const byAccount: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const byASD: Record<string, number> = {};
  const credits: Record<string, number> = {};
  const tax: Record<string, number> = {};
  const refunds: Record<string, number> = {};
  let total = 0;
  for (const row of rows) {
    const cost = row.line_item_unblended_cost as number;
    const account = row.line_item_usage_account_id as string;
    const service = row.product_servicecode as string;
    const type = row.line_item_line_item_type as string;
    total += cost;
    add(byAccount, account, cost);
    add(byService, service, cost);
    add(byType, type, cost);
    add(byASD, `${account}|${service}|${(row.line_item_usage_start_date as string).slice(0, 10)}`, cost);
    if (type === "Credit") add(credits, account, cost);
    if (type === "Tax") add(tax, account, cost);
    if (type === "Refund") add(refunds, account, cost);
  }
  const sum = (m: Record<string, number>): number => r6(Object.values(m).reduce((a, b) => a + b, 0));
  return {
    billingPeriod,
    rowCount: rows.length,
    total: r6(total),
    byAccount: fix(byAccount),
    byService: fix(byService),
    byLineItemType: fix(byType),
    byAccountServiceDay: Object.entries(byASD)
      .map(([k, v]) => {
        const [accountId, service, day] = k.split("|") as [string, string, string];
        return { accountId, service, day, unblendedCost: r6(v) };
      })
      .sort((a, b) =>
        a.accountId === b.accountId
          ? a.day === b.day
            ? a.service.localeCompare(b.service)
            : a.day.localeCompare(b.day)
          : a.accountId.localeCompare(b.accountId),
      ),
    credits: { total: sum(credits), byAccount: fix(credits) },
    tax: { total: sum(tax), byAccount: fix(tax) },
    refunds: { total: sum(refunds), byAccount: fix(refunds) },
    savingsPlan: {
      coveredUsage: r6(byType.SavingsPlanCoveredUsage ?? 0),
      negation: r6(byType.SavingsPlanNegation ?? 0),
      recurringFee: r6(byType.SavingsPlanRecurringFee ?? 0),
      upfrontFee: r6(byType.SavingsPlanUpfrontFee ?? 0),
    },
  };
}

/**
 * Writes the month as one Data Exports execution under outDir, in the S3 key layout: Parquet
 * (default) or gzip CSV, overwrite (default) or create-new (delivery.ts).
 */
export async function writeCurMonth(
  options: CurMonthOptions & Omit<DeliveryOptions, "payerId" | "seed"> & { readonly outDir: string },
): Promise<CurMonthFiles> {
  const { rows, groundTruth } = generateCurMonth(options);
  const delivery = await writeDelivery(rows, curDeliveryColumns(), { ...options, payerId: options.payer.id });
  return { ...delivery, groundTruth };
}

/** CUR_COLUMNS with the type each has in a manifest's `columns` (string, double, timestamp, map<...>). */
export function curDeliveryColumns(): DeliveryColumn[] {
  return CUR_COLUMNS.map(([name, duckType]) => ({ name, duckType, manifestType: duckToAthena(duckType) }));
}

function duckToAthena(t: string): string {
  if (t === "VARCHAR") return "string";
  if (t === "DOUBLE") return "double";
  if (t === "TIMESTAMP") return "timestamp";
  if (t === "MAP(VARCHAR, DOUBLE)") return "map<string,double>";
  return "map<string,string>";
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
