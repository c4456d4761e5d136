/** Spend-card Lambda: the Monday schedule and the CUR ingest's "period committed" event. */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { readEnv } from "../shared/env";
import { DynamoCardStore } from "./dynamo-store";
import { parseCardTrigger, todayIn } from "./events";
import { type RunResult, runCards } from "./run";

const env = readEnv(
  z.object({
    ACCOUNTS_TABLE: z.string().min(3),
    BUDGETS_TABLE: z.string().min(3),
    ALLOCATIONS_TABLE: z.string().min(3),
    SPEND_TABLE: z.string().min(3),
    INGESTION_RUNS_TABLE: z.string().min(3),
    SPEND_CARDS_TABLE: z.string().min(3),
    BUDGET_CHANGES_TABLE: z.string().min(3),
    TIME_ZONE: z.string().min(1),
  }),
);

const logger = new Logger({ serviceName: "spend-cards" });
const store = new DynamoCardStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  {
    accounts: env.ACCOUNTS_TABLE,
    budgets: env.BUDGETS_TABLE,
    allocations: env.ALLOCATIONS_TABLE,
    spend: env.SPEND_TABLE,
    ingestionRuns: env.INGESTION_RUNS_TABLE,
    spendCards: env.SPEND_CARDS_TABLE,
    budgetChanges: env.BUDGET_CHANGES_TABLE,
  },
);

export const handler = async (event: unknown): Promise<RunResult | { ignored: string }> => {
  const trigger = parseCardTrigger(event);
  if (trigger.kind === "ignored") {
    logger.info("no cards", { reason: trigger.reason });
    return { ignored: trigger.reason };
  }
  const result = await runCards(store, trigger, todayIn(env.TIME_ZONE, new Date()), () => new Date());
  logger.info("spend cards", { trigger: trigger.kind, ...result });
  return result;
};
