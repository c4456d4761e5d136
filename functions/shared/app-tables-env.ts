/**
 * Cold start of the FinOps application's functions (api, approvals, spend-cards): the seven table
 * variables (names in contracts/tables.ts) modules/app sets on each of them, validated once, and one DynamoDB document
 * client. A missing or malformed variable fails the cold start with every bad name (readEnv).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { TABLE_ENV } from "../../contracts/tables";
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
  [TABLE_ENV.accounts]: tableName,
  [TABLE_ENV.budgets]: tableName,
  [TABLE_ENV.allocations]: tableName,
  [TABLE_ENV.spend]: tableName,
  [TABLE_ENV["ingestion-runs"]]: tableName,
  [TABLE_ENV["spend-cards"]]: tableName,
  [TABLE_ENV["budget-changes"]]: tableName,
});

export type AppTablesEnv = z.output<typeof appTablesEnvSchema>;

export function appTableNames(env: AppTablesEnv): TableNames {
  return {
    accounts: env[TABLE_ENV.accounts],
    budgets: env[TABLE_ENV.budgets],
    allocations: env[TABLE_ENV.allocations],
    spend: env[TABLE_ENV.spend],
    ingestionRuns: env[TABLE_ENV["ingestion-runs"]],
    spendCards: env[TABLE_ENV["spend-cards"]],
    budgetChanges: env[TABLE_ENV["budget-changes"]],
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
