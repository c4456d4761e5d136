/** Spend-card Lambda: the Monday schedule and the CUR ingest's "period committed" event. */
import * as z from "zod";
import { appTablesFromEnv } from "../shared/app-tables-env";
import { lambdaHandler, logger } from "../shared/observability";
import { DynamoCardStore } from "./dynamo-store";
import { parseCardTrigger, todayIn } from "./events";
import { type RunResult, runCards } from "./run";

const { env, ddb, tables } = appTablesFromEnv({ TIME_ZONE: z.string().min(1) });
const store = new DynamoCardStore(ddb, tables);

export const handler = lambdaHandler(async (event: unknown): Promise<RunResult | { ignored: string }> => {
  const trigger = parseCardTrigger(event);
  if (trigger.kind === "ignored") {
    logger.info("no cards", { reason: trigger.reason });
    return { ignored: trigger.reason };
  }
  const result = await runCards(store, trigger, todayIn(env.TIME_ZONE, new Date()), () => new Date());
  logger.info("spend cards", { trigger: trigger.kind, ...result });
  return result;
});
