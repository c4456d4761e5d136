import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { CurConfig } from "../../config/schema";
import { curColumn, curSelectedColumns } from "../../contracts/cur-columns";
import { FOCUS_COLUMN_CATALOG, focusColumn } from "../../contracts/focus-columns";

/**
 * The Glue resources a reader of the CUR tables needs in its policy: the catalog, the landing's
 * database and its tables (Athena reads the table definitions through Glue).
 */
export function curCatalogResources(names: Names, region: string, account: string): string[] {
  const glue = (path: string) => `arn:aws:glue:${region}:${account}:${path}`;
  return [glue("catalog"), glue(`database/${names.glueDatabase}`), glue(`table/${names.glueDatabase}/*`)];
}

/** Months before this are never projected (CUR 2.0 exports backfill at most 36 months). */
export const PROJECTION_START = "2020-01";

/** The Athena/Glue type of a CUR 2.0 column (contracts/cur-columns.ts, after AWS's CUR 2.0 dictionary). */
export function cur2ColumnType(name: string): string {
  return curColumn(name).type;
}

/** The Athena/Glue type of a FOCUS 1.2 column (contracts/focus-columns.ts, after AWS's dictionary). */
export function focusColumnType(name: string): string {
  return focusColumn(name).type;
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
    this.cur = this.table("cur-table", props, props.names.curTable, props.cur.exportName, {
      columns: curSelectedColumns(props.cur).map((c) => ({ name: c.name, type: c.type })),
      description: "CUR 2.0 (COST_AND_USAGE_REPORT) export, one partition per billing period",
      preventDestroy,
    });
    if (props.cur.focus.enabled) {
      this.focus = this.table("focus-table", props, props.names.focusTable, props.names.focusExportName, {
        columns: FOCUS_COLUMN_CATALOG.map((c) => ({ name: c.name.toLowerCase(), type: c.type })),
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
