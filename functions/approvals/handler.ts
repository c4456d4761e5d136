/** The approvals function: one step of the budget-change workflow per invocation (workflow.ts). */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { formatIssues } from "../shared/cost-explorer-params";
import { readEnv } from "../shared/env";
import { DynamoApprovalStore } from "./dynamo-store";
import { approvalStepSchema, runStep } from "./workflow";

const env = readEnv(
  z.object({
    ACCOUNTS_TABLE: z.string().min(3),
    BUDGETS_TABLE: z.string().min(3),
    ALLOCATIONS_TABLE: z.string().min(3),
    SPEND_TABLE: z.string().min(3),
    INGESTION_RUNS_TABLE: z.string().min(3),
    SPEND_CARDS_TABLE: z.string().min(3),
    BUDGET_CHANGES_TABLE: z.string().min(3),
  }),
);
const logger = new Logger({ serviceName: "approvals" });
const store = new DynamoApprovalStore(
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

export const handler = async (event: unknown) => {
  const parsed = approvalStepSchema.safeParse(event);
  if (!parsed.success) throw new Error(`approvals expects a workflow step: ${formatIssues(parsed.error)}`);
  logger.info("approval step", { action: parsed.data.action, changeId: parsed.data.changeId });
  return runStep(store, parsed.data, () => new Date());
};
