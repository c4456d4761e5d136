/**
 * EMULATION of a FOCUS 1.2 Data Exports delivery (table FOCUS_1_2_AWS): AWS derives it from the same
 * billing data as CUR 2.0; the local organization and the tests derive it from the sample
 * generator's CUR 2.0 rows (generator.ts) with this module, so the two exports of one month can be
 * compared (test/unit/local/cur/focus-crosscheck.test.ts).
 *
 * Columns: the FOCUS 1.2 catalog (contracts/focus-columns.ts, AWS's "FOCUS 1.2 with AWS columns"
 * dictionary), with its types: costs, prices and quantities double, the four period bounds
 * timestamps, Tags and SkuPriceDetails map<string,string>, x_Discounts map<string,double>.
 *
 * Costs per CUR line item type, after the FOCUS 1.2 specification's BilledCost, EffectiveCost and
 * "Discount handling" requirements (https://focus.finops.org/focus-specification/v1-2/) and the CUR
 * 2.0 user guide's line item types (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html):
 *
 * | CUR line item type                   | ChargeCategory      | BilledCost          | EffectiveCost                                              |
 * | ------------------------------------ | ------------------- | ------------------- | ---------------------------------------------------------- |
 * | Usage, Fee (no reservation)          | Usage / Purchase    | unblended           | net unblended (else unblended)                             |
 * | DiscountedUsage (RI)                 | Usage, Used         | unblended           | reservation net effective (else effective) cost            |
 * | SavingsPlanCoveredUsage              | Usage, Used         | 0 (commitment pays) | savings plan net effective (else effective) cost           |
 * | SavingsPlanNegation                  | (no row)            | -                   | -                                                          |
 * | SavingsPlanRecurringFee              | Purchase + Unused   | unblended (Purchase)| 0 on the Purchase row; total_commitment_to_date − used_commitment on an Unused row |
 * | SavingsPlanUpfrontFee, Fee with a reservation ARN (RI upfront) | Purchase | unblended | 0 (spec: purchases covering future charges)      |
 * | RIFee                                | Purchase + Unused   | unblended (Purchase)| 0 on the Purchase row; unused amortized upfront + unused recurring fee on an Unused row |
 * | BundledDiscount, EdpDiscount, PrivateRateDiscount | Credit | unblended          | net unblended (else unblended)                             |
 * | Credit / Refund                      | Credit / Adjustment | unblended           | unblended                                                  |
 * | Tax                                  | Tax                 | unblended           | unblended                                                  |
 *
 * FOCUS has no negation rows: a SavingsPlanNegation only cancels its covered usage's on-demand cost
 * on the invoice, which FOCUS states directly with BilledCost 0 on the covered usage. So the month's
 * BilledCost equals the sum of CUR's unblended cost, and its EffectiveCost CUR's net amortized cost
 * (with Credit, Tax and Refund at unblended), line type by line type.
 *
 * Layout (Data Exports user guide, "Understanding export delivery"), the same as CUR 2.0:
 *   <prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/[<execution folder>/]<export>-00001.snappy.parquet | .csv.gz
 *   <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/[<execution folder>/]<export>-Manifest.json
 * with a manifest of the documented fields only (executionId, exportArn, columns, dataFiles,
 * additionalOutputFiles). Real FOCUS_1_2_AWS deliveries published in public repositories use the
 * same upper-case BILLING_PERIOD= folder as CUR 2.0.
 */
import { FOCUS_COLUMN_CATALOG, type FocusColumnName } from "../../contracts/focus-columns";
import {
  type DeliveryFiles,
  type DeliveryManifest,
  type DeliveryOptions,
  deliveryKeys,
  writeDelivery,
} from "./delivery";
import type { CurRow } from "./generator";

export type FocusColumn = FocusColumnName;
export type FocusValue = string | number | Record<string, string | number> | null;
export type FocusRow = Partial<Record<FocusColumn, FocusValue>>;

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const COMMITMENT_TYPE: Record<string, string> = {
  ComputeSavingsPlans: "Compute Savings Plans",
  EC2InstanceSavingsPlans: "EC2 Instance Savings Plans",
  SageMakerSavingsPlans: "SageMaker Savings Plans",
};

/**
 * The FOCUS 1.2 rows AWS would deliver for these CUR 2.0 rows (one billing period), after the
 * mapping in this module's header. Pure and deterministic.
 */
export function focusRowsFromCur(rows: readonly CurRow[]): FocusRow[] {
  // ServiceName is the product's name; monthly lines (Tax, Credit) carry only the service code.
  const serviceNames = new Map<string, string>();
  for (const row of rows) {
    const code = str(row.product_servicecode) ?? str(row.line_item_product_code);
    const product = row.product as Record<string, string> | undefined;
    const name = str(product?.servicename) ?? str(product?.product_name);
    if (code && name && !serviceNames.has(code)) serviceNames.set(code, name);
  }

  const out: FocusRow[] = [];
  for (const row of rows) {
    const type = str(row.line_item_line_item_type) ?? "";
    if (type === "SavingsPlanNegation") continue;
    const unblended = num(row.line_item_unblended_cost) ?? 0;
    const netUnblended = num(row.line_item_net_unblended_cost) ?? unblended;
    const code = str(row.product_servicecode) ?? str(row.line_item_product_code) ?? "";
    const spArn = str(row.savings_plan_savings_plan_a_r_n);
    const riArn = str(row.reservation_reservation_a_r_n);
    const product = row.product as Record<string, string> | undefined;
    const base: FocusRow = {
      AvailabilityZone: str(row.line_item_availability_zone) ?? null,
      BillingAccountId: str(row.bill_payer_account_id) ?? null,
      BillingAccountName: str(row.bill_payer_account_name) ?? null,
      BillingAccountType: "Billing Account",
      BillingCurrency: str(row.line_item_currency_code) ?? "USD",
      BillingPeriodEnd: str(row.bill_billing_period_end_date) ?? null,
      BillingPeriodStart: str(row.bill_billing_period_start_date) ?? null,
      ChargeClass: null,
      ChargeDescription: str(row.line_item_line_item_description) ?? null,
      ChargePeriodEnd: str(row.line_item_usage_end_date) ?? null,
      ChargePeriodStart: str(row.line_item_usage_start_date) ?? null,
      InvoiceId: str(row.bill_invoice_id) ?? null,
      InvoiceIssuerName: str(row.bill_invoicing_entity) ?? null,
      PricingCurrency: str(row.pricing_currency) ?? null,
      ProviderName: "AWS",
      PublisherName: str(row.bill_billing_entity) === "AWS Marketplace" ? null : "Amazon Web Services",
      RegionId: str(row.product_region_code) ?? null,
      RegionName: str(row.product_location) ?? null,
      ResourceId: str(row.line_item_resource_id) ?? null,
      ServiceName: serviceNames.get(code) ?? (code || null),
      SkuId: str(row.product_sku) ?? null,
      SkuPriceId: str(row.pricing_rate_code) ?? null,
      SubAccountId: str(row.line_item_usage_account_id) ?? null,
      SubAccountName: str(row.line_item_usage_account_name) ?? null,
      SubAccountType: "Linked Account",
      Tags: (row.resource_tags as Record<string, string> | undefined) ?? null,
      x_Discounts: (row.discount as Record<string, number> | undefined) ?? null,
      x_Operation: str(row.line_item_operation) ?? null,
      x_ServiceCode: code || null,
      ServiceCategory: null,
      ResourceType: str(product?.product_family) ?? str(row.product_product_family) ?? null,
    };
    const usage = (billed: number, effective: number, extra: FocusRow = {}): FocusRow => ({
      ...base,
      ChargeCategory: "Usage",
      ChargeFrequency: "Usage-Based",
      BilledCost: billed,
      EffectiveCost: effective,
      ListCost: num(row.pricing_public_on_demand_cost) ?? unblended,
      ListUnitPrice: Number(row.pricing_public_on_demand_rate ?? Number.NaN) || null,
      ContractedCost: unblended,
      ContractedUnitPrice: Number(row.line_item_unblended_rate ?? Number.NaN) || null,
      ConsumedQuantity: num(row.line_item_usage_amount) ?? null,
      ConsumedUnit: str(row.pricing_unit) ?? null,
      PricingQuantity: num(row.line_item_usage_amount) ?? null,
      PricingUnit: str(row.pricing_unit) ?? null,
      PricingCategory: str(row.pricing_term) === "Spot" ? "Dynamic" : "Standard",
      SkuMeter: str(row.line_item_usage_type) ?? null,
      ...extra,
    });
    const commitment = (arn: string, kind: "Spend" | "Usage"): FocusRow => ({
      CommitmentDiscountId: arn,
      CommitmentDiscountCategory: kind,
      CommitmentDiscountName: arn.split("/").pop() ?? arn,
      CommitmentDiscountType:
        kind === "Spend"
          ? (COMMITMENT_TYPE[str(row.savings_plan_offering_type) ?? ""] ?? "Savings Plans")
          : "Reserved Instance",
    });
    const purchase = (
      frequency: "One-Time" | "Recurring",
      effective: number,
      extra: FocusRow = {},
    ): FocusRow => ({
      ...base,
      ChargeCategory: "Purchase",
      ChargeFrequency: frequency,
      BilledCost: unblended,
      EffectiveCost: effective,
      ListCost: unblended,
      ContractedCost: unblended,
      PricingCategory: "Committed",
      ...extra,
    });
    const unused = (arn: string, kind: "Spend" | "Usage", effective: number): FocusRow => ({
      ...base,
      ...commitment(arn, kind),
      ChargeCategory: "Usage",
      ChargeFrequency: "Usage-Based",
      ChargeDescription: `Unused ${kind === "Spend" ? "Savings Plan commitment" : "reservation"}`,
      CommitmentDiscountStatus: "Unused",
      BilledCost: 0,
      EffectiveCost: r6(effective),
      ListCost: 0,
      ContractedCost: 0,
      PricingCategory: "Committed",
    });
    const plain = (category: string, frequency: string, effective: number): FocusRow => ({
      ...base,
      ChargeCategory: category,
      ChargeFrequency: frequency,
      BilledCost: unblended,
      EffectiveCost: effective,
      ListCost: unblended,
      ContractedCost: unblended,
    });

    switch (type) {
      case "SavingsPlanCoveredUsage": {
        const eff =
          num(row.savings_plan_net_savings_plan_effective_cost) ??
          num(row.savings_plan_savings_plan_effective_cost) ??
          0;
        out.push(
          usage(0, eff, {
            ...commitment(spArn ?? "", "Spend"),
            CommitmentDiscountStatus: "Used",
            PricingCategory: "Committed",
          }),
        );
        break;
      }
      case "DiscountedUsage": {
        const eff = num(row.reservation_net_effective_cost) ?? num(row.reservation_effective_cost) ?? 0;
        out.push(
          usage(unblended, eff, {
            ...commitment(riArn ?? "", "Usage"),
            CommitmentDiscountStatus: "Used",
            PricingCategory: "Committed",
          }),
        );
        break;
      }
      case "SavingsPlanRecurringFee": {
        out.push(purchase("Recurring", 0, commitment(spArn ?? "", "Spend")));
        const left =
          (num(row.savings_plan_total_commitment_to_date) ?? 0) -
          (num(row.savings_plan_used_commitment) ?? 0);
        if (r6(left) !== 0) out.push(unused(spArn ?? "", "Spend", left));
        break;
      }
      case "SavingsPlanUpfrontFee":
        out.push(purchase("One-Time", 0, commitment(spArn ?? "", "Spend")));
        break;
      case "RIFee": {
        out.push(purchase("Recurring", 0, commitment(riArn ?? "", "Usage")));
        const left =
          (num(row.reservation_net_unused_amortized_upfront_fee_for_billing_period) ??
            num(row.reservation_unused_amortized_upfront_fee_for_billing_period) ??
            0) +
          (num(row.reservation_net_unused_recurring_fee) ?? num(row.reservation_unused_recurring_fee) ?? 0);
        if (r6(left) !== 0) out.push(unused(riArn ?? "", "Usage", left));
        break;
      }
      case "Fee":
        out.push(
          riArn ? purchase("One-Time", 0, commitment(riArn, "Usage")) : purchase("One-Time", netUnblended),
        );
        break;
      case "Tax":
        out.push(plain("Tax", "Recurring", unblended));
        break;
      case "Credit":
        out.push(plain("Credit", "One-Time", unblended));
        break;
      case "Refund":
        out.push({ ...plain("Adjustment", "One-Time", unblended), ChargeClass: "Correction" });
        break;
      case "BundledDiscount":
      case "EdpDiscount":
      case "PrivateRateDiscount":
        out.push(plain("Credit", "Usage-Based", netUnblended));
        break;
      default:
        // Usage and any type AWS adds later: billed as invoiced, effective after discounts.
        out.push(usage(unblended, netUnblended));
    }
  }
  return out;
}

/** One FOCUS execution: delivery.ts's options (payer, export, format, overwrite, execution). */
export type FocusMonthOptions = DeliveryOptions;
export type FocusManifest = DeliveryManifest;

export interface FocusMonthFiles extends DeliveryFiles {
  readonly rowCount: number;
}

/** Keys of one FOCUS delivery: the data file and the manifest. */
export function focusMonthKeys(o: FocusMonthOptions): { dataKey: string; manifestKey: string } {
  const { dataKey, manifestKey } = deliveryKeys(o);
  return { dataKey, manifestKey };
}

/**
 * Writes the FOCUS delivery of these CUR 2.0 rows under outDir in the S3 key layout: the data file
 * (Parquet, snappy; or gzip CSV with a header row, maps as JSON text) and its manifest.
 */
export async function writeFocusMonth(
  curRows: readonly CurRow[],
  options: FocusMonthOptions & { readonly outDir: string },
): Promise<FocusMonthFiles> {
  const rows = focusRowsFromCur(curRows);
  const delivery = await writeDelivery(
    rows,
    FOCUS_COLUMN_CATALOG.map((c) => ({ name: c.name, duckType: c.duckType, manifestType: c.type })),
    options,
  );
  return { ...delivery, rowCount: rows.length };
}
