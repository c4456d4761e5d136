/**
 * The approvals function's steps, called by the state machine (definition.ts):
 * - await: store the task token on the pending change (the API completes it);
 * - apply: apply an approved change to the budget, only if the budget is still at the version the
 *   change was computed against (else BudgetChangedSinceSubmission: the workflow records a failure);
 * - expire / fail: close a change that timed out or could not be applied.
 */
import * as z from "zod";
import { APPROVAL_ERRORS } from "../../contracts/approvals";
import type { Budget, BudgetChange } from "../api/domain";
import { applyPatch } from "../api/operations/budgets";

export interface ApprovalStore {
  getBudgetChange(changeId: string): Promise<BudgetChange | undefined>;
  setChangeTaskToken(changeId: string, taskToken: string): Promise<void>;
  getBudget(budgetId: string, year: number): Promise<Budget | undefined>;
  updateBudget(budget: Budget, expectedVersion: number): Promise<void>;
  /** Sets fields on a change whose status is `from`; ConflictError otherwise. */
  closeChange(changeId: string, from: BudgetChange["status"], fields: Partial<BudgetChange>): Promise<void>;
}

const changeId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/);
export const approvalStepSchema = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("await"), changeId, taskToken: z.string().min(1) }),
  z.strictObject({ action: z.literal("apply"), changeId }),
  z.strictObject({ action: z.literal("expire"), changeId }),
  z.strictObject({ action: z.literal("fail"), changeId, detail: z.string() }),
]);
export type ApprovalStep = z.infer<typeof approvalStepSchema>;

/** An error the state machine sees by name (Lambda's errorType is the error's name). */
export class WorkflowError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export async function runStep(
  store: ApprovalStore,
  step: ApprovalStep,
  now: () => Date,
): Promise<{ ok: true }> {
  const change = await store.getBudgetChange(step.changeId);
  if (!change) throw new Error(`no budget change ${step.changeId}`);
  switch (step.action) {
    case "await":
      await store.setChangeTaskToken(step.changeId, step.taskToken);
      break;
    case "apply": {
      if (change.status !== "approved")
        throw new WorkflowError(
          APPROVAL_ERRORS.notApproved,
          `change ${change.changeId} is ${change.status}, not approved`,
        );
      const budget = await store.getBudget(change.budgetId, change.year);
      if (!budget || budget.version !== change.baseVersion)
        throw new WorkflowError(
          APPROVAL_ERRORS.budgetChanged,
          `budget ${change.budgetId} ${change.year} changed after the change was submitted (version ${budget?.version ?? "none"}, expected ${change.baseVersion}); submit it again`,
        );
      const at = now().toISOString();
      await store.updateBudget(
        applyPatch(budget, change.changes, change.decidedBy ?? change.submittedBy, at),
        budget.version,
      );
      await store.closeChange(change.changeId, "approved", { appliedAt: at });
      break;
    }
    case "expire":
      if (change.status === "pending")
        await store.closeChange(change.changeId, "pending", { status: "expired" });
      break;
    case "fail":
      await store.closeChange(change.changeId, change.status, {
        status: "failed",
        failure: step.detail.slice(0, 2000),
      });
      break;
  }
  return { ok: true };
}
