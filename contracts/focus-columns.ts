/**
 * The one catalog of the FOCUS 1.2 with AWS columns (Data Exports table FOCUS_1_2_AWS) the landing
 * selects, in the table dictionary's (alphabetical) order: every FOCUS 1.2 column AWS fills plus the
 * AWS extensions x_Discounts, x_Operation and x_ServiceCode, each with its type as the dictionary,
 * the manifest and Glue/Athena spell it and its DuckDB type (Data Exports user guide, "FOCUS 1.2 with
 * AWS columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html).
 * The FOCUS export's SELECT, the Glue FOCUS table and the emulator's FOCUS delivery derive from it.
 *
 * Plain data and types only: this file imports only contracts/cur-columns.ts (the type names).
 */
import { type CurAthenaType, type CurDuckType, columnLookup, DUCK_TYPE_OF } from "./cur-columns";

export interface FocusColumnSpec<N extends string = string> {
  readonly name: N;
  readonly type: CurAthenaType;
  readonly duckType: CurDuckType;
}

const focus = <const N extends string>(name: N, type: CurAthenaType): FocusColumnSpec<N> => ({
  name,
  type,
  duckType: DUCK_TYPE_OF[type],
});

/** FOCUS 1.2 with AWS columns, in the dictionary's order. */
export const FOCUS_COLUMN_CATALOG = [
  focus("AvailabilityZone", "string"),
  focus("BilledCost", "double"),
  focus("BillingAccountId", "string"),
  focus("BillingAccountName", "string"),
  focus("BillingAccountType", "string"),
  focus("BillingCurrency", "string"),
  focus("BillingPeriodEnd", "timestamp"),
  focus("BillingPeriodStart", "timestamp"),
  focus("CapacityReservationId", "string"),
  focus("CapacityReservationStatus", "string"),
  focus("ChargeCategory", "string"),
  focus("ChargeClass", "string"),
  focus("ChargeDescription", "string"),
  focus("ChargeFrequency", "string"),
  focus("ChargePeriodEnd", "timestamp"),
  focus("ChargePeriodStart", "timestamp"),
  focus("CommitmentDiscountCategory", "string"),
  focus("CommitmentDiscountId", "string"),
  focus("CommitmentDiscountName", "string"),
  focus("CommitmentDiscountQuantity", "double"),
  focus("CommitmentDiscountStatus", "string"),
  focus("CommitmentDiscountType", "string"),
  focus("CommitmentDiscountUnit", "string"),
  focus("ConsumedQuantity", "double"),
  focus("ConsumedUnit", "string"),
  focus("ContractedCost", "double"),
  focus("ContractedUnitPrice", "double"),
  focus("EffectiveCost", "double"),
  focus("InvoiceId", "string"),
  focus("InvoiceIssuerName", "string"),
  focus("ListCost", "double"),
  focus("ListUnitPrice", "double"),
  focus("PricingCategory", "string"),
  focus("PricingCurrency", "string"),
  focus("PricingCurrencyContractedUnitPrice", "double"),
  focus("PricingCurrencyEffectiveCost", "double"),
  focus("PricingCurrencyListUnitPrice", "double"),
  focus("PricingQuantity", "double"),
  focus("PricingUnit", "string"),
  focus("ProviderName", "string"),
  focus("PublisherName", "string"),
  focus("RegionId", "string"),
  focus("RegionName", "string"),
  focus("ResourceId", "string"),
  focus("ResourceName", "string"),
  focus("ResourceType", "string"),
  focus("ServiceCategory", "string"),
  focus("ServiceName", "string"),
  focus("ServiceSubcategory", "string"),
  focus("SkuId", "string"),
  focus("SkuMeter", "string"),
  focus("SkuPriceDetails", "map<string,string>"),
  focus("SkuPriceId", "string"),
  focus("SubAccountId", "string"),
  focus("SubAccountName", "string"),
  focus("SubAccountType", "string"),
  focus("Tags", "map<string,string>"),
  focus("x_Discounts", "map<string,double>"),
  focus("x_Operation", "string"),
  focus("x_ServiceCode", "string"),
] as const;

export type FocusColumnName = (typeof FOCUS_COLUMN_CATALOG)[number]["name"];

/** The column names, in order (the export's SELECT list). */
export const FOCUS_COLUMNS: readonly FocusColumnName[] = FOCUS_COLUMN_CATALOG.map((c) => c.name);

/** The catalog entry of a FOCUS 1.2 column; throws for a name the catalog does not hold. */
export const focusColumn: (name: string) => FocusColumnSpec<FocusColumnName> = columnLookup(
  FOCUS_COLUMN_CATALOG,
  "FOCUS 1.2",
  "FOCUS_COLUMN_CATALOG in contracts/focus-columns.ts",
);
