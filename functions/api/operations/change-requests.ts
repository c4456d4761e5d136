/**
 * A budget manager's request to change their budget's amount (the finance console's "Request a
 * change"): `POST /budgets/{budgetId}/{year}/change-requests` `{amountUsd, reason}`. Only finance may
 * change a budget directly (PATCH); the owner and managers of a budget may ask, and every request,
 * whatever its size, goes through the approval workflow: a pending change a FinancialAdmin approves or
 * rejects in the inbox (GET /approvals, POST /approvals/{changeId}/decision), applied by the workflow.
 * Finance may use it too (it always asks for approval, unlike PATCH below the threshold).
 */
import * as z from "zod";
import { belowConfig, reconcile } from "../config-budgets";
import {
  type BudgetChange,
  type Caller,
  canReadBudget,
  conflict,
  forbidden,
  notFound,
  requireMember,
} from "../domain";
import type { ApiDeps } from "../repository";
import { createBudgetBody, updateBudgetBody } from "../schemas";
import { publicChange } from "./approvals";
import { configuredAccountsOf } from "./budgets";
import type { Result } from "./common";

export const changeRequestBody = z.strictObject({
  amountUsd: createBudgetBody.shape.amountUsd,
  reason: updateBudgetBody.shape.reason,
});

export async function requestBudgetChange(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  year: number,
  body: z.output<typeof changeRequestBody>,
): Promise<Result> {
  requireMember(caller);
  const budget = await deps.repo.getBudget(budgetId, year);
  if (!budget) throw notFound(`no budget "${budgetId}" for ${year}`);
  if (!canReadBudget(caller, budget))
    throw forbidden(`budget ${budgetId} is not one you own or manage; ask its owner (${budget.owner})`);
  if (body.amountUsd === budget.amountUsd)
    throw conflict(`budget ${budgetId} ${year} is already ${budget.amountUsd} USD; nothing to request`);
  const held = await configuredAccountsOf(deps, budgetId);
  if (reconcile({ ...budget, amountUsd: body.amountUsd }, held).status === "below-config")
    throw belowConfig(budget, body.amountUsd, held);
  const pending = await deps.repo.listBudgetChanges({ status: "pending" });
  if (pending.some((c) => c.budgetId === budgetId && c.year === year))
    throw conflict(`budget ${budgetId} ${year} has a change waiting for approval; wait for its decision`);
  const change: BudgetChange = {
    changeId: deps.newId(),
    budgetId,
    year,
    baseVersion: budget.version,
    previousAmountUsd: budget.amountUsd,
    changes: { amountUsd: body.amountUsd },
    submittedBy: caller.sub,
    ...(caller.email ? { submittedByEmail: caller.email } : {}),
    submittedAt: deps.now().toISOString(),
    reason: body.reason,
    status: "pending",
  };
  await deps.repo.putBudgetChange(change);
  const executionArn = await deps.approvals.start({ changeId: change.changeId });
  // An update, not a put: the workflow's first step may have stored its task token meanwhile.
  await deps.repo.setChangeExecution(change.changeId, executionArn);
  return {
    status: 202,
    body: {
      change: publicChange({ ...change, executionArn }),
      note: "a FinancialAdmin other than you must approve it (GET /approvals)",
    },
  };
}
