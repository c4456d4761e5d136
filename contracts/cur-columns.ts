/**
 * The one catalog of the CUR 2.0 (Data Exports table COST_AND_USAGE_REPORT) columns the landing
 * selects, in the export's order: each column's name, its type as Glue/Athena and the delivery's
 * manifest name it (the Data Exports table dictionary's type, e.g. "map<string,string>"), its DuckDB
 * type (how the emulator and the local engine type it), and which exports carry it. Everything that
 * needs the column list derives from here: the export's SELECT (modules/payer/export-queries.ts),
 * the Glue table (modules/data-platform/glue-cur-table.ts), the sample generator
 * (emulator/cur/generator.ts) and the ingest (functions/shared/cur-queries.ts).
 *
 * Checked against AWS's published table dictionary ("Cost and Usage Report (CUR) 2.0",
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html) by
 * test/unit/contracts/cur-columns.test.ts with the fixture test/fixtures/aws/cur2-table-dictionary.json.
 *
 * Plain data and types only: this file imports nothing.
 */

/** A column's type as the Data Exports dictionary, the manifest and Glue/Athena spell it. */
export type CurAthenaType = "string" | "double" | "timestamp" | "map<string,string>" | "map<string,double>";

/** The same type in DuckDB's spelling (timestamps are UTC). */
export type CurDuckType =
  | "VARCHAR"
  | "DOUBLE"
  | "TIMESTAMP"
  | "MAP(VARCHAR, VARCHAR)"
  | "MAP(VARCHAR, DOUBLE)";

/** The DuckDB type of each dictionary type: one fixed mapping, so the two never disagree. */
export const DUCK_TYPE_OF: Readonly<Record<CurAthenaType, CurDuckType>> = {
  string: "VARCHAR",
  double: "DOUBLE",
  timestamp: "TIMESTAMP",
  "map<string,string>": "MAP(VARCHAR, VARCHAR)",
  "map<string,double>": "MAP(VARCHAR, DOUBLE)",
};

/**
 * Which exports carry a column (the CUR 2.0 table configurations, dictionary "Table configuration"):
 * - `cur2`: every CUR 2.0 export;
 * - `resources`: added by INCLUDE_RESOURCES (line_item_resource_id);
 * - `splitCostAllocation`: added by INCLUDE_SPLIT_COST_ALLOCATION_DATA;
 * - `iamPrincipal`: added by INCLUDE_IAM_PRINCIPAL_DATA.
 */
export type CurColumnGroup = "cur2" | "resources" | "splitCostAllocation" | "iamPrincipal";

export interface CurColumnSpec<N extends string = string, G extends CurColumnGroup = CurColumnGroup> {
  readonly name: N;
  readonly type: CurAthenaType;
  readonly duckType: CurDuckType;
  readonly group: G;
}

const col = <const N extends string, const G extends CurColumnGroup>(
  name: N,
  type: CurAthenaType,
  group: G,
): CurColumnSpec<N, G> => ({ name, type, duckType: DUCK_TYPE_OF[type], group });

/** Every CUR 2.0 column the landing knows, in the order the export selects them. */
export const CUR_COLUMN_CATALOG = [
  col("bill_bill_type", "string", "cur2"),
  col("bill_billing_entity", "string", "cur2"),
  col("bill_billing_period_end_date", "timestamp", "cur2"),
  col("bill_billing_period_start_date", "timestamp", "cur2"),
  col("bill_invoice_id", "string", "cur2"),
  col("bill_invoicing_entity", "string", "cur2"),
  col("bill_payer_account_id", "string", "cur2"),
  col("bill_payer_account_name", "string", "cur2"),
  col("cost_category", "map<string,string>", "cur2"),
  col("discount", "map<string,double>", "cur2"),
  col("discount_bundled_discount", "double", "cur2"),
  col("discount_total_discount", "double", "cur2"),
  col("identity_line_item_id", "string", "cur2"),
  col("identity_time_interval", "string", "cur2"),
  col("line_item_availability_zone", "string", "cur2"),
  col("line_item_blended_cost", "double", "cur2"),
  col("line_item_blended_rate", "string", "cur2"),
  col("line_item_currency_code", "string", "cur2"),
  col("line_item_legal_entity", "string", "cur2"),
  col("line_item_line_item_description", "string", "cur2"),
  col("line_item_line_item_type", "string", "cur2"),
  col("line_item_net_unblended_cost", "double", "cur2"),
  col("line_item_net_unblended_rate", "string", "cur2"),
  col("line_item_normalization_factor", "double", "cur2"),
  col("line_item_normalized_usage_amount", "double", "cur2"),
  col("line_item_operation", "string", "cur2"),
  col("line_item_product_code", "string", "cur2"),
  col("line_item_resource_id", "string", "resources"),
  col("line_item_tax_type", "string", "cur2"),
  col("line_item_unblended_cost", "double", "cur2"),
  col("line_item_unblended_rate", "string", "cur2"),
  col("line_item_usage_account_id", "string", "cur2"),
  col("line_item_usage_account_name", "string", "cur2"),
  col("line_item_usage_amount", "double", "cur2"),
  col("line_item_usage_end_date", "timestamp", "cur2"),
  col("line_item_usage_start_date", "timestamp", "cur2"),
  col("line_item_usage_type", "string", "cur2"),
  col("pricing_currency", "string", "cur2"),
  col("pricing_lease_contract_length", "string", "cur2"),
  col("pricing_offering_class", "string", "cur2"),
  col("pricing_public_on_demand_cost", "double", "cur2"),
  col("pricing_public_on_demand_rate", "string", "cur2"),
  col("pricing_purchase_option", "string", "cur2"),
  col("pricing_rate_code", "string", "cur2"),
  col("pricing_rate_id", "string", "cur2"),
  col("pricing_term", "string", "cur2"),
  col("pricing_unit", "string", "cur2"),
  col("product", "map<string,string>", "cur2"),
  col("product_comment", "string", "cur2"),
  col("product_fee_code", "string", "cur2"),
  col("product_fee_description", "string", "cur2"),
  col("product_from_location", "string", "cur2"),
  col("product_from_location_type", "string", "cur2"),
  col("product_from_region_code", "string", "cur2"),
  col("product_instance_family", "string", "cur2"),
  col("product_instance_type", "string", "cur2"),
  col("product_instancesku", "string", "cur2"),
  col("product_location", "string", "cur2"),
  col("product_location_type", "string", "cur2"),
  col("product_operation", "string", "cur2"),
  col("product_pricing_unit", "string", "cur2"),
  col("product_product_family", "string", "cur2"),
  col("product_region_code", "string", "cur2"),
  col("product_servicecode", "string", "cur2"),
  col("product_sku", "string", "cur2"),
  col("product_to_location", "string", "cur2"),
  col("product_to_location_type", "string", "cur2"),
  col("product_to_region_code", "string", "cur2"),
  col("product_usagetype", "string", "cur2"),
  col("reservation_amortized_upfront_cost_for_usage", "double", "cur2"),
  col("reservation_amortized_upfront_fee_for_billing_period", "double", "cur2"),
  col("reservation_availability_zone", "string", "cur2"),
  col("reservation_effective_cost", "double", "cur2"),
  col("reservation_end_time", "string", "cur2"),
  col("reservation_modification_status", "string", "cur2"),
  col("reservation_net_amortized_upfront_cost_for_usage", "double", "cur2"),
  col("reservation_net_amortized_upfront_fee_for_billing_period", "double", "cur2"),
  col("reservation_net_effective_cost", "double", "cur2"),
  col("reservation_net_recurring_fee_for_usage", "double", "cur2"),
  col("reservation_net_unused_amortized_upfront_fee_for_billing_period", "double", "cur2"),
  col("reservation_net_unused_recurring_fee", "double", "cur2"),
  col("reservation_net_upfront_value", "double", "cur2"),
  col("reservation_normalized_units_per_reservation", "string", "cur2"),
  col("reservation_number_of_reservations", "string", "cur2"),
  col("reservation_recurring_fee_for_usage", "double", "cur2"),
  col("reservation_reservation_a_r_n", "string", "cur2"),
  col("reservation_start_time", "string", "cur2"),
  col("reservation_subscription_id", "string", "cur2"),
  col("reservation_total_reserved_normalized_units", "string", "cur2"),
  col("reservation_total_reserved_units", "string", "cur2"),
  col("reservation_units_per_reservation", "string", "cur2"),
  col("reservation_unused_amortized_upfront_fee_for_billing_period", "double", "cur2"),
  col("reservation_unused_normalized_unit_quantity", "double", "cur2"),
  col("reservation_unused_quantity", "double", "cur2"),
  col("reservation_unused_recurring_fee", "double", "cur2"),
  col("reservation_upfront_value", "double", "cur2"),
  col("resource_tags", "map<string,string>", "cur2"),
  col("savings_plan_amortized_upfront_commitment_for_billing_period", "double", "cur2"),
  col("savings_plan_end_time", "string", "cur2"),
  col("savings_plan_instance_type_family", "string", "cur2"),
  col("savings_plan_net_amortized_upfront_commitment_for_billing_period", "double", "cur2"),
  col("savings_plan_net_recurring_commitment_for_billing_period", "double", "cur2"),
  col("savings_plan_net_savings_plan_effective_cost", "double", "cur2"),
  col("savings_plan_offering_type", "string", "cur2"),
  col("savings_plan_payment_option", "string", "cur2"),
  col("savings_plan_purchase_term", "string", "cur2"),
  col("savings_plan_recurring_commitment_for_billing_period", "double", "cur2"),
  col("savings_plan_region", "string", "cur2"),
  col("savings_plan_savings_plan_a_r_n", "string", "cur2"),
  col("savings_plan_savings_plan_effective_cost", "double", "cur2"),
  col("savings_plan_savings_plan_rate", "double", "cur2"),
  col("savings_plan_start_time", "string", "cur2"),
  col("savings_plan_total_commitment_to_date", "double", "cur2"),
  col("savings_plan_used_commitment", "double", "cur2"),
  col("split_line_item_actual_usage", "double", "splitCostAllocation"),
  col("split_line_item_net_split_cost", "double", "splitCostAllocation"),
  col("split_line_item_net_unused_cost", "double", "splitCostAllocation"),
  col("split_line_item_parent_resource_id", "string", "splitCostAllocation"),
  col("split_line_item_public_on_demand_split_cost", "double", "splitCostAllocation"),
  col("split_line_item_public_on_demand_unused_cost", "double", "splitCostAllocation"),
  col("split_line_item_reserved_usage", "double", "splitCostAllocation"),
  col("split_line_item_split_cost", "double", "splitCostAllocation"),
  col("split_line_item_split_usage", "double", "splitCostAllocation"),
  col("split_line_item_split_usage_ratio", "double", "splitCostAllocation"),
  col("split_line_item_unused_cost", "double", "splitCostAllocation"),
  col("line_item_iam_principal", "string", "iamPrincipal"),
] as const;

export type CurColumnName = (typeof CUR_COLUMN_CATALOG)[number]["name"];
type NameIn<G extends CurColumnGroup> = Extract<(typeof CUR_COLUMN_CATALOG)[number], { group: G }>["name"];

const namesIn = <G extends CurColumnGroup>(...groups: G[]): NameIn<G>[] =>
  CUR_COLUMN_CATALOG.filter((c) => (groups as CurColumnGroup[]).includes(c.group)).map(
    (c) => c.name as NameIn<G>,
  );

/**
 * The columns of the sample month the local generator writes (an export with INCLUDE_RESOURCES =
 * TRUE, the config's default): every CUR 2.0 base column and line_item_resource_id.
 */
export const CUR2_BASE_COLUMNS: readonly NameIn<"cur2" | "resources">[] = namesIn("cur2", "resources");
/** Present only with INCLUDE_SPLIT_COST_ALLOCATION_DATA = TRUE (ECS/EKS split cost allocation). */
export const CUR2_SPLIT_COST_COLUMNS: readonly NameIn<"splitCostAllocation">[] =
  namesIn("splitCostAllocation");
/** Present only with INCLUDE_IAM_PRINCIPAL_DATA = TRUE. */
export const CUR2_IAM_PRINCIPAL_COLUMNS: readonly NameIn<"iamPrincipal">[] = namesIn("iamPrincipal");

export interface CurSelection {
  /** INCLUDE_RESOURCES: the dictionary has it add line_item_resource_id ("Added by: INCLUDE RESOURCES"). */
  readonly includeResourceIds: boolean;
  readonly splitCostAllocationData: boolean;
  readonly includeIamPrincipalData: boolean;
}

/** The columns an export with these table options selects, in order. */
export function curSelectedColumns(o: CurSelection): CurColumnSpec<CurColumnName>[] {
  return CUR_COLUMN_CATALOG.filter(
    (c) =>
      c.group === "cur2" ||
      (c.group === "resources" && o.includeResourceIds) ||
      (c.group === "splitCostAllocation" && o.splitCostAllocationData) ||
      (c.group === "iamPrincipal" && o.includeIamPrincipalData),
  );
}

/**
 * A lookup of a column catalog by name that throws, naming the catalog, for a name it does not
 * hold (the CUR 2.0 and FOCUS catalogs both use it).
 */
export function columnLookup<S extends { readonly name: string }>(
  catalog: readonly S[],
  what: string,
  where: string,
): (name: string) => S {
  const byName: ReadonlyMap<string, S> = new Map(catalog.map((c) => [c.name, c]));
  return (name) => {
    const c = byName.get(name);
    if (!c) throw new Error(`"${name}" is not a ${what} column of ${where}; add it there`);
    return c;
  };
}

/** The catalog entry of a CUR 2.0 column; throws for a name the catalog does not hold. */
export const curColumn: (name: string) => CurColumnSpec<CurColumnName> = columnLookup(
  CUR_COLUMN_CATALOG,
  "CUR 2.0",
  "CUR_COLUMN_CATALOG in contracts/cur-columns.ts",
);

/**
 * Columns of money the ingest's spend query reads (every one goes through SUM), in the order the
 * delivery check tests them (it names the first bad one). It refuses a line whose value in one of
 * them is not a finite number below MAX_LINE_AMOUNT in magnitude.
 */
export const MONEY_COLUMNS = [
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
] as const satisfies readonly NameIn<"cur2">[];

/**
 * Columns the ingest reads. A delivery without one of them cannot be ingested (CUR 2.0 has a fixed
 * schema, so a missing column means a wrong or broken export, not a quiet month). All are in every
 * export (group `cur2`: the type says so).
 */
export const REQUIRED_CUR_COLUMNS = [
  "line_item_usage_account_id",
  "line_item_product_code",
  "product_servicecode",
  "line_item_usage_start_date",
  "line_item_line_item_type",
  ...MONEY_COLUMNS,
  "reservation_reservation_a_r_n",
  "savings_plan_savings_plan_a_r_n",
  "bill_billing_period_start_date",
  "bill_invoice_id",
  "identity_line_item_id",
] as const satisfies readonly NameIn<"cur2">[];
