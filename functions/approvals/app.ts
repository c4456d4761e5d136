/**
 * The approvals function over its store: one step of the budget-change workflow per invocation
 * (workflow.ts), the event being the `Payload` the state machine's Lambda tasks send
 * (contracts/approvals.ts). handler.ts is the Lambda entry (the store from the environment); the local
 * approval workflow (local/approval-workflow.ts) binds the state machine's tasks to this same entry.
 */
import { formatIssues } from "../shared/cost-explorer-params";
import { lambdaHandler, logger } from "../shared/observability";
import { type ApprovalStore, approvalStepSchema, runStep } from "./workflow";

export function approvalsHandler(store: ApprovalStore, now: () => Date = () => new Date()) {
  return lambdaHandler(async (event: unknown) => {
    const parsed = approvalStepSchema.safeParse(event);
    if (!parsed.success) throw new Error(`approvals expects a workflow step: ${formatIssues(parsed.error)}`);
    logger.info("approval step", { action: parsed.data.action, changeId: parsed.data.changeId });
    return runStep(store, parsed.data, now);
  });
}
