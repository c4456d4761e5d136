/**
 * The data platform's DynamoDB tables as data: key schema, indexes and TTL attribute. One source
 * for the Terraform module (modules/data-platform/tables.ts), the handlers and the tests that
 * create the same tables on the emulator. Access patterns: docs/data-platform.md.
 */
export interface TableIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface TableDefinition {
  /** Logical name; the physical name is Names.dataTable(<this>). */
  readonly table: DataTable;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly TableIndex[];
  /** Attribute holding the expiry (epoch seconds) of items that expire. @default none */
  readonly ttlAttribute?: string;
}

export const DATA_TABLES = ["accounts", "budgets", "allocations", "spend", "ingestion-runs"] as const;
export type DataTable = (typeof DATA_TABLES)[number];

export const TABLE_DEFINITIONS: Readonly<Record<DataTable, TableDefinition>> = {
  /** One item per account ever seen in the organization; never deleted. */
  accounts: {
    table: "accounts",
    partitionKey: "accountId",
    indexes: [{ name: "byAllocationStatus", partitionKey: "allocationStatus", sortKey: "accountId" }],
  },
  /** Annual (calendar-year) budgets: one item per budget and year. */
  budgets: {
    table: "budgets",
    partitionKey: "budgetId",
    sortKey: "year",
    indexes: [],
  },
  /** Account → budget mappings with history: one item per mapping, keyed by when it starts. */
  allocations: {
    table: "allocations",
    partitionKey: "accountId",
    sortKey: "validFrom",
    indexes: [{ name: "byBudget", partitionKey: "budgetId", sortKey: "validFrom" }],
  },
  /**
   * Spend per account × service × day, per billing period and ingestion version:
   * pk "<billingPeriod>#<version>", sk "<accountId>#<service>#<day>". Readers resolve the
   * current version of a period from ingestion-runs first, so a half-written version is never read.
   */
  spend: {
    table: "spend",
    partitionKey: "pk",
    sortKey: "sk",
    indexes: [],
  },
  /**
   * Per billing period: the "current" pointer item (sk "current") and one record per run
   * (sk "run#<startedAt>#<runId>", expiring after dataPlatform.ingestionRunRetentionDays).
   */
  "ingestion-runs": {
    table: "ingestion-runs",
    partitionKey: "billingPeriod",
    sortKey: "sk",
    indexes: [],
    ttlAttribute: "expiresAt",
  },
};

/** Sort key of the pointer item that names the committed version of a billing period. */
export const CURRENT_POINTER_SK = "current";

export function spendPartitionKey(billingPeriod: string, version: string): string {
  return `${billingPeriod}#${version}`;
}
