/**
 * The FinOps application's own DynamoDB tables (next to the data platform's, same definition shape):
 * spend cards (one item per budget and period: idempotent writes) and budget changes held for
 * approval. Physical names: Names.dataTable(<table>).
 */
import type { TableDefinition } from "../shared/data-tables";

export const APP_TABLES = ["spend-cards", "budget-changes"] as const;
export type AppTable = (typeof APP_TABLES)[number];

export const APP_TABLE_DEFINITIONS: Readonly<
  Record<AppTable, Omit<TableDefinition, "table"> & { table: AppTable }>
> = {
  /** budgetId + periodId ("2026-03-P2"); approval and comments live on the card. */
  "spend-cards": { table: "spend-cards", partitionKey: "budgetId", sortKey: "periodId", indexes: [] },
  /** One item per submitted change; holds the workflow's task token while it waits. */
  "budget-changes": { table: "budget-changes", partitionKey: "changeId", indexes: [] },
};
