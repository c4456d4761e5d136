/**
 * Every DynamoDB table of the landing as data: key schema, indexes, TTL attribute, and the Lambda
 * environment variable that carries its physical name (Names.dataTable(<table>)). One source for
 * the Terraform modules (modules/data-platform/tables.ts, modules/app/tables.ts,
 * BundledFunction.bindTable), the handlers that read the variables, and the tests that create the
 * same tables on the emulator. Access patterns: docs/data-platform.md, docs/api.md.
 *
 * Plain data and types: imports nothing of the project.
 */
export interface TableIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/** The data platform's tables (modules/data-platform). */
export const DATA_TABLES = ["accounts", "budgets", "allocations", "spend", "ingestion-runs"] as const;
export type DataTable = (typeof DATA_TABLES)[number];

/** The FinOps application's own tables (modules/app). */
export const APP_TABLES = ["spend-cards", "budget-changes"] as const;
export type AppTable = (typeof APP_TABLES)[number];

export const TABLES = [...DATA_TABLES, ...APP_TABLES] as const;
export type Table = DataTable | AppTable;

/**
 * The environment variable a function reads a table's physical name from: one name per table,
 * whichever function reads it (BundledFunction.bindTable sets it).
 */
export const TABLE_ENV = {
  accounts: "ACCOUNTS_TABLE",
  budgets: "BUDGETS_TABLE",
  allocations: "ALLOCATIONS_TABLE",
  spend: "SPEND_TABLE",
  "ingestion-runs": "INGESTION_RUNS_TABLE",
  "spend-cards": "SPEND_CARDS_TABLE",
  "budget-changes": "BUDGET_CHANGES_TABLE",
} as const satisfies Readonly<Record<Table, `${string}_TABLE`>>;
export type TableEnvVar = (typeof TABLE_ENV)[Table];

export interface TableDefinition<T extends Table = Table> {
  /** Logical name; the physical name is Names.dataTable(<this>). */
  readonly table: T;
  /** The Lambda environment variable holding the physical name (TABLE_ENV). */
  readonly envVar: (typeof TABLE_ENV)[T];
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly TableIndex[];
  /** Attribute holding the expiry (epoch seconds) of items that expire. @default none */
  readonly ttlAttribute?: string;
}

export const TABLE_DEFINITIONS: { readonly [T in Table]: TableDefinition<T> } = {
  /** One item per account ever seen in the organization; never deleted. */
  accounts: {
    table: "accounts",
    envVar: TABLE_ENV.accounts,
    partitionKey: "accountId",
    indexes: [{ name: "byAllocationStatus", partitionKey: "allocationStatus", sortKey: "accountId" }],
  },
  /** Annual (calendar-year) budgets: one item per budget and year. */
  budgets: {
    table: "budgets",
    envVar: TABLE_ENV.budgets,
    partitionKey: "budgetId",
    sortKey: "year",
    indexes: [],
  },
  /** Account → budget mappings with history: one item per mapping, keyed by when it starts. */
  allocations: {
    table: "allocations",
    envVar: TABLE_ENV.allocations,
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
    envVar: TABLE_ENV.spend,
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
    envVar: TABLE_ENV["ingestion-runs"],
    partitionKey: "billingPeriod",
    sortKey: "sk",
    indexes: [],
    ttlAttribute: "expiresAt",
  },
  /** budgetId + periodId ("2026-03-P2"); approval and comments live on the card (idempotent writes). */
  "spend-cards": {
    table: "spend-cards",
    envVar: TABLE_ENV["spend-cards"],
    partitionKey: "budgetId",
    sortKey: "periodId",
    indexes: [],
  },
  /** One item per submitted change; holds the approval workflow's task token while it waits. */
  "budget-changes": {
    table: "budget-changes",
    envVar: TABLE_ENV["budget-changes"],
    partitionKey: "changeId",
    indexes: [],
  },
};

/** Sort key of the pointer item that names the committed version of a billing period. */
export const CURRENT_POINTER_SK = "current";

/** The spend table's partition key of one billing period's ingestion version. */
export function spendPartitionKey(billingPeriod: string, version: string): string {
  return `${billingPeriod}#${version}`;
}
