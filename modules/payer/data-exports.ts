import { BcmdataexportsExport } from "@cdktf/provider-aws/lib/bcmdataexports-export";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { type Cur2QueryOptions, cohQuery, cur2Query, type ExportQuery, focusQuery } from "./export-queries";

export interface DataExportsProps {
  /** Provider of the payer in us-east-1 (Data Exports only run there). */
  readonly provider: TerraformProvider;
  /** Bucket the exports write to (the payer's CUR bucket, or the admin's replica bucket in direct delivery). */
  readonly bucketName: string;
  /** Region of that bucket. */
  readonly bucketRegion: string;
  /** Key prefix; each export writes below <s3Prefix>/<export name>/. */
  readonly s3Prefix: string;
  readonly cur: Cur2QueryOptions & { readonly exportName: string };
  /** FOCUS 1.2 (FOCUS_1_2_AWS) export name. @default no FOCUS export */
  readonly focusExportName?: string;
  /** Cost Optimization Hub recommendations export name. @default no COH export */
  readonly cohExportName?: string;
  /** Resources the exports wait for (the bucket policy that lets Data Exports write). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The payer's AWS Data Exports: CUR 2.0 always, FOCUS and Cost Optimization Hub optionally. Every
 * export writes Parquet, overwrites the month's files on refresh (OVERWRITE_REPORT) and refreshes
 * whenever AWS updates the billing data (SYNCHRONOUS).
 */
export class DataExports extends Construct {
  readonly cur: BcmdataexportsExport;
  readonly focus?: BcmdataexportsExport;
  readonly coh?: BcmdataexportsExport;

  constructor(scope: Construct, id: string, props: DataExportsProps) {
    super(scope, id);
    const make = (cid: string, name: string, description: string, query: ExportQuery): BcmdataexportsExport =>
      new BcmdataexportsExport(this, cid, {
        provider: props.provider,
        export: [
          {
            name,
            description,
            dataQuery: [
              {
                queryStatement: query.queryStatement,
                ...(Object.keys(query.tableConfigurations).length
                  ? { tableConfigurations: query.tableConfigurations }
                  : {}),
              },
            ],
            destinationConfigurations: [
              {
                s3Destination: [
                  {
                    s3Bucket: props.bucketName,
                    s3Prefix: props.s3Prefix,
                    s3Region: props.bucketRegion,
                    s3OutputConfigurations: [
                      {
                        outputType: "CUSTOM",
                        format: "PARQUET",
                        compression: "PARQUET",
                        overwrite: "OVERWRITE_REPORT",
                      },
                    ],
                  },
                ],
              },
            ],
            refreshCadence: [{ frequency: "SYNCHRONOUS" }],
          },
        ],
        dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      });

    this.cur = make("cur2", props.cur.exportName, "CUR 2.0 for the FinOps landing", cur2Query(props.cur));
    if (props.focusExportName) {
      this.focus = make("focus", props.focusExportName, "FOCUS 1.2 for the FinOps landing", focusQuery());
    }
    if (props.cohExportName) {
      this.coh = make("coh", props.cohExportName, "Cost Optimization Hub recommendations", cohQuery());
    }
  }

  /** Every export, for replication rules and tests. */
  get all(): BcmdataexportsExport[] {
    return [this.cur, this.focus, this.coh].filter((e): e is BcmdataexportsExport => e !== undefined);
  }
}
