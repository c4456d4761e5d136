/**
 * Cold start of the FinOps application's functions (api, approvals, spend-cards): the seven table
 * variables modules/app/index.ts sets on each of them, validated once, and one DynamoDB document
 * client. A missing or malformed variable fails the cold start with every bad name (readEnv).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { readEnv } from "./env";

/** Physical names of the tables the application reads and writes, by role. */
export interface TableNames {
  readonly accounts: string;
  readonly budgets: string;
  readonly allocations: string;
  readonly spend: string;
  readonly ingestionRuns: string;
  readonly spendCards: string;
  readonly budgetChanges: string;
}

const tableName = z.string().min(3);

/** The table variables, as a schema other variables extend (`appTablesEnvSchema.extend({...})`). */
export const appTablesEnvSchema = z.object({
  ACCOUNTS_TABLE: tableName,
  BUDGETS_TABLE: tableName,
  ALLOCATIONS_TABLE: tableName,
  SPEND_TABLE: tableName,
  INGESTION_RUNS_TABLE: tableName,
  SPEND_CARDS_TABLE: tableName,
  BUDGET_CHANGES_TABLE: tableName,
});

export type AppTablesEnv = z.output<typeof appTablesEnvSchema>;

export function appTableNames(env: AppTablesEnv): TableNames {
  return {
    accounts: env.ACCOUNTS_TABLE,
    budgets: env.BUDGETS_TABLE,
    allocations: env.ALLOCATIONS_TABLE,
    spend: env.SPEND_TABLE,
    ingestionRuns: env.INGESTION_RUNS_TABLE,
    spendCards: env.SPEND_CARDS_TABLE,
    budgetChanges: env.BUDGET_CHANGES_TABLE,
  };
}

/** A document client that drops undefined attributes (the domain types' optional fields). */
export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Reads the table variables plus the function's own (`extra`), and makes the document client.
 * Returns the whole parsed environment, the table map and the client.
 */
export function appTablesFromEnv<E extends z.ZodRawShape = Record<never, never>>(
  extra?: E,
  processEnv: NodeJS.ProcessEnv = process.env,
  client?: DynamoDBClient,
) {
  const env = readEnv(appTablesEnvSchema.extend(extra ?? ({} as E)), processEnv);
  return { env, tables: appTableNames(env as AppTablesEnv), ddb: documentClient(client) };
}
