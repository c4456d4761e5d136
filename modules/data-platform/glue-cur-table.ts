import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { CurConfig } from "../../config/schema";
import {
  CUR2_COLUMNS,
  CUR2_IAM_PRINCIPAL_COLUMNS,
  CUR2_SPLIT_COST_COLUMNS,
  FOCUS_COLUMNS,
} from "../payer/export-queries";

/** Months before this are never projected (CUR 2.0 exports backfill at most 36 months). */
export const PROJECTION_START = "2020-01";

const CUR2_TIMESTAMPS = new Set([
  "bill_billing_period_end_date",
  "bill_billing_period_start_date",
  "line_item_usage_end_date",
  "line_item_usage_start_date",
]);
const CUR2_MAPS: Record<string, string> = {
  product: "map<string,string>",
  resource_tags: "map<string,string>",
  cost_category: "map<string,string>",
  discount: "map<string,double>",
};
/** Rates are strings in CUR 2.0 (they carry their own precision); costs, fees and quantities are doubles. */
const CUR2_DOUBLE =
  /(_cost|_amount|_fee|_factor|_discount|_quantity|_value|_commitment|_to_date|_for_billing_period|_for_usage|savings_plan_rate|_usage|_ratio)$/;

/** The Athena/Glue type of a CUR 2.0 column (AWS's CUR 2.0 data dictionary). */
export function cur2ColumnType(name: string): string {
  if (CUR2_MAPS[name]) return CUR2_MAPS[name]!;
  if (CUR2_TIMESTAMPS.has(name)) return "timestamp";
  if (name.endsWith("_rate") && name !== "savings_plan_savings_plan_rate") return "string";
  return CUR2_DOUBLE.test(name) ? "double" : "string";
}

const FOCUS_DOUBLE = new Set([
  "BilledCost",
  "CommitmentDiscountQuantity",
  "ConsumedQuantity",
  "ContractedCost",
  "ContractedUnitPrice",
  "EffectiveCost",
  "ListCost",
  "ListUnitPrice",
  "PricingCurrencyContractedUnitPrice",
  "PricingCurrencyEffectiveCost",
  "PricingCurrencyListUnitPrice",
  "PricingQuantity",
]);

export function focusColumnType(name: string): string {
  if (FOCUS_DOUBLE.has(name)) return "double";
  if (/Period(Start|End)$/.test(name)) return "timestamp";
  if (["SkuPriceDetails", "Tags", "x_CostCategories"].includes(name)) return "map<string,string>";
  if (name === "x_Discounts") return "map<string,double>";
  return "string";
}

export interface GlueCurTablesProps {
  readonly names: Names;
  readonly cur: CurConfig;
  /** Bucket the exports land in for the admin (the replica, or the export's own with direct delivery). */
  readonly bucketName: string;
  /** @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * The Glue database and the CUR 2.0 table over the export's data prefix, partitioned by
 * billing_period with partition projection: Athena computes each month's location from the
 * template, so there is no crawler, no race with a delivery, and no schema drift between months
 * (CUR 2.0's schema is fixed; the columns are the export's own list). The same for FOCUS when enabled.
 */
export class GlueCurTables extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly cur: GlueCatalogTable;
  readonly focus?: GlueCatalogTable;

  constructor(scope: Construct, id: string, props: GlueCurTablesProps) {
    super(scope, id);
    const preventDestroy = props.preventDestroy ?? true;
    this.database = new GlueCatalogDatabase(this, "database", {
      provider: props.provider,
      name: props.names.glueDatabase,
      description: "FinOps CUR 2.0 (and FOCUS) tables over the admin's export bucket",
      lifecycle: { preventDestroy },
    });
    const curColumns = [
      ...CUR2_COLUMNS,
      ...(props.cur.splitCostAllocationData ? CUR2_SPLIT_COST_COLUMNS : []),
      ...(props.cur.includeIamPrincipalData ? CUR2_IAM_PRINCIPAL_COLUMNS : []),
    ];
    this.cur = this.table("cur-table", props, props.names.curTable, props.cur.exportName, {
      columns: curColumns.map((name) => ({ name, type: cur2ColumnType(name) })),
      description: "CUR 2.0 (COST_AND_USAGE_REPORT) export, one partition per billing period",
      preventDestroy,
    });
    if (props.cur.focus.enabled) {
      this.focus = this.table("focus-table", props, props.names.focusTable, props.names.focusExportName, {
        columns: FOCUS_COLUMNS.map((name) => ({ name: name.toLowerCase(), type: focusColumnType(name) })),
        description: "FOCUS 1.2 (with AWS columns) export, one partition per billing period",
        preventDestroy,
      });
    }
  }

  private table(
    id: string,
    props: GlueCurTablesProps,
    name: string,
    exportName: string,
    o: { columns: { name: string; type: string }[]; description: string; preventDestroy: boolean },
  ): GlueCatalogTable {
    const data = `s3://${props.bucketName}/${props.cur.s3Prefix}/${exportName}/data`;
    return new GlueCatalogTable(this, id, {
      provider: props.provider,
      databaseName: this.database.name,
      name,
      description: o.description,
      tableType: "EXTERNAL_TABLE",
      parameters: {
        classification: "parquet",
        EXTERNAL: "TRUE",
        "projection.enabled": "true",
        "projection.billing_period.type": "date",
        "projection.billing_period.format": "yyyy-MM",
        "projection.billing_period.range": `${PROJECTION_START},NOW`,
        "projection.billing_period.interval": "1",
        "projection.billing_period.interval.unit": "MONTHS",
        // $${...} is a literal ${...} for Athena, not a Terraform interpolation.
        "storage.location.template": `${data}/BILLING_PERIOD=$\${billing_period}/`,
      },
      partitionKeys: [{ name: "billing_period", type: "string", comment: "YYYY-MM (BILLING_PERIOD=)" }],
      storageDescriptor: {
        location: `${data}/`,
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: {
          serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
          parameters: { "serialization.format": "1" },
        },
        columns: o.columns,
      },
      lifecycle: { preventDestroy: o.preventDestroy },
    });
  }
}
