/** The approvals function: one step of the budget-change workflow per invocation (workflow.ts). */
import { appTablesFromEnv } from "../shared/app-tables-env";
import { formatIssues } from "../shared/cost-explorer-params";
import { lambdaHandler, logger } from "../shared/observability";
import { DynamoApprovalStore } from "./dynamo-store";
import { approvalStepSchema, runStep } from "./workflow";

const { ddb, tables } = appTablesFromEnv();
const store = new DynamoApprovalStore(ddb, tables);

export const handler = lambdaHandler(async (event: unknown) => {
  const parsed = approvalStepSchema.safeParse(event);
  if (!parsed.success) throw new Error(`approvals expects a workflow step: ${formatIssues(parsed.error)}`);
  logger.info("approval step", { action: parsed.data.action, changeId: parsed.data.changeId });
  return runStep(store, parsed.data, () => new Date());
});
