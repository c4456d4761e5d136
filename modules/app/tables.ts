import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { APP_TABLES, type AppTable, TABLE_DEFINITIONS, TABLES, type Table } from "../../contracts/tables";
import type { BindableTable, BundledFunction } from "../bundled-function";

export interface AppTablesProps {
  readonly names: Names;
  /** The data platform's data key (ARN): every table is encrypted with it. */
  readonly kmsKeyArn: string;
  /** Deletion protection and prevent_destroy. */
  readonly protect: boolean;
  readonly provider?: TerraformProvider;
}

export interface AppTables {
  readonly tables: Readonly<Record<AppTable, DynamodbTable>>;
  /** An application table as a function binding (BundledFunction.bindTable). */
  bindable(table: AppTable): BindableTable;
}

/**
 * The application's own DynamoDB tables (contracts/tables.ts: spend-cards, budget-changes),
 * created in `scope` itself as `table-<name>` (their Terraform addresses are FinOpsApp's, unchanged
 * since the application was one constructor): on-demand, point-in-time recovery, the data key.
 */
export function addAppTables(scope: Construct, props: AppTablesProps): AppTables {
  const { names, kmsKeyArn, protect, provider } = props;
  const tables = {} as Record<AppTable, DynamodbTable>;
  for (const name of APP_TABLES) {
    const def = TABLE_DEFINITIONS[name];
    tables[name] = new DynamodbTable(scope, `table-${name}`, {
      provider,
      name: names.dataTable(name),
      billingMode: "PAY_PER_REQUEST",
      hashKey: def.partitionKey,
      rangeKey: def.sortKey,
      attribute: [def.partitionKey, def.sortKey]
        .filter((a): a is string => a !== undefined)
        .map((a) => ({ name: a, type: "S" })),
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn },
      deletionProtectionEnabled: protect,
      lifecycle: { preventDestroy: protect },
    });
  }
  return {
    tables,
    bindable: (table) => ({ table, name: names.dataTable(table), arn: tables[table].arn, kmsKeyArn }),
  };
}

/**
 * Sets all seven table variables on an application function (api, approvals, spend-cards), whatever
 * it is bound to: their shared cold start (functions/shared/app-tables-env.ts) reads every one.
 */
export function setAppTableNames(fn: BundledFunction, table: (table: Table) => BindableTable): void {
  for (const t of TABLES) fn.setTableName(table(t));
}
