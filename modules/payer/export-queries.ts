/**
 * The Data Exports queries of the payer's exports. Data Exports select columns by name: CUR 2.0
 * and FOCUS take an explicit column list (the Cloud Intelligence Dashboards data-exports stack
 * lists the same columns), and optional column groups only exist when their table option is on.
 */

/** CUR 2.0 (COST_AND_USAGE_REPORT) columns every export selects, in order. */
export const CUR2_COLUMNS = [
  "bill_bill_type",
  "bill_billing_entity",
  "bill_billing_period_end_date",
  "bill_billing_period_start_date",
  "bill_invoice_id",
  "bill_invoicing_entity",
  "bill_payer_account_id",
  "bill_payer_account_name",
  "cost_category",
  "discount",
  "discount_bundled_discount",
  "discount_total_discount",
  "identity_line_item_id",
  "identity_time_interval",
  "line_item_availability_zone",
  "line_item_blended_cost",
  "line_item_blended_rate",
  "line_item_currency_code",
  "line_item_legal_entity",
  "line_item_line_item_description",
  "line_item_line_item_type",
  "line_item_net_unblended_cost",
  "line_item_net_unblended_rate",
  "line_item_normalization_factor",
  "line_item_normalized_usage_amount",
  "line_item_operation",
  "line_item_product_code",
  "line_item_resource_id",
  "line_item_tax_type",
  "line_item_unblended_cost",
  "line_item_unblended_rate",
  "line_item_usage_account_id",
  "line_item_usage_account_name",
  "line_item_usage_amount",
  "line_item_usage_end_date",
  "line_item_usage_start_date",
  "line_item_usage_type",
  "pricing_currency",
  "pricing_lease_contract_length",
  "pricing_offering_class",
  "pricing_public_on_demand_cost",
  "pricing_public_on_demand_rate",
  "pricing_purchase_option",
  "pricing_rate_code",
  "pricing_rate_id",
  "pricing_term",
  "pricing_unit",
  "product",
  "product_comment",
  "product_fee_code",
  "product_fee_description",
  "product_from_location",
  "product_from_location_type",
  "product_from_region_code",
  "product_instance_family",
  "product_instance_type",
  "product_instancesku",
  "product_location",
  "product_location_type",
  "product_operation",
  "product_pricing_unit",
  "product_product_family",
  "product_region_code",
  "product_servicecode",
  "product_sku",
  "product_to_location",
  "product_to_location_type",
  "product_to_region_code",
  "product_usagetype",
  "reservation_amortized_upfront_cost_for_usage",
  "reservation_amortized_upfront_fee_for_billing_period",
  "reservation_availability_zone",
  "reservation_effective_cost",
  "reservation_end_time",
  "reservation_modification_status",
  "reservation_net_amortized_upfront_cost_for_usage",
  "reservation_net_amortized_upfront_fee_for_billing_period",
  "reservation_net_effective_cost",
  "reservation_net_recurring_fee_for_usage",
  "reservation_net_unused_amortized_upfront_fee_for_billing_period",
  "reservation_net_unused_recurring_fee",
  "reservation_net_upfront_value",
  "reservation_normalized_units_per_reservation",
  "reservation_number_of_reservations",
  "reservation_recurring_fee_for_usage",
  "reservation_reservation_a_r_n",
  "reservation_start_time",
  "reservation_subscription_id",
  "reservation_total_reserved_normalized_units",
  "reservation_total_reserved_units",
  "reservation_units_per_reservation",
  "reservation_unused_amortized_upfront_fee_for_billing_period",
  "reservation_unused_normalized_unit_quantity",
  "reservation_unused_quantity",
  "reservation_unused_recurring_fee",
  "reservation_upfront_value",
  "resource_tags",
  "savings_plan_amortized_upfront_commitment_for_billing_period",
  "savings_plan_end_time",
  "savings_plan_instance_type_family",
  "savings_plan_net_amortized_upfront_commitment_for_billing_period",
  "savings_plan_net_recurring_commitment_for_billing_period",
  "savings_plan_net_savings_plan_effective_cost",
  "savings_plan_offering_type",
  "savings_plan_payment_option",
  "savings_plan_purchase_term",
  "savings_plan_recurring_commitment_for_billing_period",
  "savings_plan_region",
  "savings_plan_savings_plan_a_r_n",
  "savings_plan_savings_plan_effective_cost",
  "savings_plan_savings_plan_rate",
  "savings_plan_start_time",
  "savings_plan_total_commitment_to_date",
  "savings_plan_used_commitment",
] as const;

/** Present only with INCLUDE_SPLIT_COST_ALLOCATION_DATA = TRUE (ECS/EKS split cost allocation). */
export const CUR2_SPLIT_COST_COLUMNS = [
  "split_line_item_actual_usage",
  "split_line_item_net_split_cost",
  "split_line_item_net_unused_cost",
  "split_line_item_parent_resource_id",
  "split_line_item_public_on_demand_split_cost",
  "split_line_item_public_on_demand_unused_cost",
  "split_line_item_reserved_usage",
  "split_line_item_split_cost",
  "split_line_item_split_usage",
  "split_line_item_split_usage_ratio",
  "split_line_item_unused_cost",
] as const;

/** Present only with INCLUDE_IAM_PRINCIPAL_DATA = TRUE. */
export const CUR2_IAM_PRINCIPAL_COLUMNS = ["line_item_iam_principal"] as const;

/** Data Exports table of the FOCUS export: FOCUS 1.2 with AWS columns (the version Data Exports offers). */
export const FOCUS_TABLE = "FOCUS_1_2_AWS";

/**
 * FOCUS 1.2 with AWS columns, in the table dictionary's (alphabetical) order: every FOCUS 1.2 column
 * AWS fills plus the AWS extensions x_Discounts, x_Operation and x_ServiceCode (Data Exports user
 * guide, "FOCUS 1.2 with AWS columns",
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html).
 */
export const FOCUS_COLUMNS = [
  "AvailabilityZone",
  "BilledCost",
  "BillingAccountId",
  "BillingAccountName",
  "BillingAccountType",
  "BillingCurrency",
  "BillingPeriodEnd",
  "BillingPeriodStart",
  "CapacityReservationId",
  "CapacityReservationStatus",
  "ChargeCategory",
  "ChargeClass",
  "ChargeDescription",
  "ChargeFrequency",
  "ChargePeriodEnd",
  "ChargePeriodStart",
  "CommitmentDiscountCategory",
  "CommitmentDiscountId",
  "CommitmentDiscountName",
  "CommitmentDiscountQuantity",
  "CommitmentDiscountStatus",
  "CommitmentDiscountType",
  "CommitmentDiscountUnit",
  "ConsumedQuantity",
  "ConsumedUnit",
  "ContractedCost",
  "ContractedUnitPrice",
  "EffectiveCost",
  "InvoiceId",
  "InvoiceIssuerName",
  "ListCost",
  "ListUnitPrice",
  "PricingCategory",
  "PricingCurrency",
  "PricingCurrencyContractedUnitPrice",
  "PricingCurrencyEffectiveCost",
  "PricingCurrencyListUnitPrice",
  "PricingQuantity",
  "PricingUnit",
  "ProviderName",
  "PublisherName",
  "RegionId",
  "RegionName",
  "ResourceId",
  "ResourceName",
  "ResourceType",
  "ServiceCategory",
  "ServiceName",
  "ServiceSubcategory",
  "SkuId",
  "SkuMeter",
  "SkuPriceDetails",
  "SkuPriceId",
  "SubAccountId",
  "SubAccountName",
  "SubAccountType",
  "Tags",
  "x_Discounts",
  "x_Operation",
  "x_ServiceCode",
] as const;

export const COH_COLUMNS = [
  "account_id",
  "action_type",
  "currency_code",
  "current_resource_details",
  "current_resource_summary",
  "current_resource_type",
  "estimated_monthly_cost_after_discount",
  "estimated_monthly_cost_before_discount",
  "estimated_monthly_savings_after_discount",
  "estimated_monthly_savings_before_discount",
  "estimated_savings_percentage_after_discount",
  "estimated_savings_percentage_before_discount",
  "implementation_effort",
  "last_refresh_timestamp",
  "recommendation_id",
  "recommendation_lookback_period_in_days",
  "recommendation_source",
  "recommended_resource_details",
  "recommended_resource_summary",
  "recommended_resource_type",
  "region",
  "resource_arn",
  "restart_needed",
  "rollback_possible",
  "tags",
] as const;

export interface ExportQuery {
  readonly table: string;
  readonly queryStatement: string;
  readonly tableConfigurations: Record<string, Record<string, string>>;
}

const select = (columns: readonly string[], table: string): string =>
  `SELECT ${columns.join(", ")} FROM ${table}`;
const flag = (b: boolean): string => (b ? "TRUE" : "FALSE");

export interface Cur2QueryOptions {
  readonly timeGranularity: "HOURLY" | "DAILY";
  readonly includeResourceIds: boolean;
  readonly splitCostAllocationData: boolean;
  readonly includeIamPrincipalData: boolean;
}

export function cur2Query(o: Cur2QueryOptions): ExportQuery {
  const columns = [
    ...CUR2_COLUMNS,
    ...(o.splitCostAllocationData ? CUR2_SPLIT_COST_COLUMNS : []),
    ...(o.includeIamPrincipalData ? CUR2_IAM_PRINCIPAL_COLUMNS : []),
  ];
  return {
    table: "COST_AND_USAGE_REPORT",
    queryStatement: select(columns, "COST_AND_USAGE_REPORT"),
    tableConfigurations: {
      COST_AND_USAGE_REPORT: {
        TIME_GRANULARITY: o.timeGranularity,
        INCLUDE_RESOURCES: flag(o.includeResourceIds),
        INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: "FALSE",
        INCLUDE_SPLIT_COST_ALLOCATION_DATA: flag(o.splitCostAllocationData),
        ...(o.includeIamPrincipalData ? { INCLUDE_IAM_PRINCIPAL_DATA: "TRUE" } : {}),
      },
    },
  };
}

export function focusQuery(): ExportQuery {
  return {
    table: FOCUS_TABLE,
    queryStatement: select(FOCUS_COLUMNS, FOCUS_TABLE),
    tableConfigurations: {},
  };
}

export function cohQuery(): ExportQuery {
  return {
    table: "COST_OPTIMIZATION_RECOMMENDATIONS",
    queryStatement: select(COH_COLUMNS, "COST_OPTIMIZATION_RECOMMENDATIONS"),
    tableConfigurations: {
      COST_OPTIMIZATION_RECOMMENDATIONS: { FILTER: "{}", INCLUDE_ALL_RECOMMENDATIONS: "TRUE" },
    },
  };
}
