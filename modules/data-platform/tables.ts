import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { DATA_TABLES, type DataTable, TABLE_DEFINITIONS } from "../../contracts/tables";
import type { BindableTable } from "../bundled-function";

export interface DataPlatformTablesProps {
  readonly names: Names;
  /** Customer-managed key (ARN) of every table. */
  readonly kmsKeyArn: string;
  /**
   * Protect the tables: deletion protection on and prevent_destroy (organization.allowDataStoreDestroy
   * false). @default true
   */
  readonly protect?: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * The data platform's DynamoDB tables, designed from their access patterns (docs/data-platform.md;
 * keys in contracts/tables.ts): on-demand, point-in-time recovery, SSE with the data
 * key, deletion protection, and TTL where items expire (ingestion run records).
 */
export class DataPlatformTables extends Construct {
  readonly tables: Readonly<Record<DataTable, DynamodbTable>>;
  private readonly names: Names;
  private readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: DataPlatformTablesProps) {
    super(scope, id);
    this.names = props.names;
    this.kmsKeyArn = props.kmsKeyArn;
    const protect = props.protect ?? true;
    const tables = {} as Record<DataTable, DynamodbTable>;
    for (const name of DATA_TABLES) {
      const def = TABLE_DEFINITIONS[name];
      const keyAttributes = [
        def.partitionKey,
        def.sortKey,
        ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
      ].filter((a): a is string => a !== undefined);
      tables[name] = new DynamodbTable(this, name, {
        provider: props.provider,
        name: props.names.dataTable(name),
        billingMode: "PAY_PER_REQUEST",
        hashKey: def.partitionKey,
        rangeKey: def.sortKey,
        attribute: [...new Set(keyAttributes)].map((a) => ({ name: a, type: "S" })),
        globalSecondaryIndex: def.indexes.map((i) => ({
          name: i.name,
          hashKey: i.partitionKey,
          rangeKey: i.sortKey,
          projectionType: "ALL",
        })),
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
        deletionProtectionEnabled: protect,
        ...(def.ttlAttribute ? { ttl: { attributeName: def.ttlAttribute, enabled: true } } : {}),
        lifecycle: { preventDestroy: protect },
      });
    }
    this.tables = tables;
  }

  arn(table: DataTable): string {
    return this.tables[table].arn;
  }

  /** The table as a function binding (BundledFunction.bindTable): physical name, ARN, data key. */
  bindable(table: DataTable): BindableTable {
    return { table, name: this.names.dataTable(table), arn: this.arn(table), kmsKeyArn: this.kmsKeyArn };
  }
}
