/** Budget changes held for approval: list them, and let a FinancialAdmin decide them. */
import type { z } from "zod";
import {
  ApiError,
  type BudgetChange,
  type Caller,
  conflict,
  forbidden,
  notFound,
  requireFinance,
  requireMember,
} from "../domain";
import { type ApiDeps, ConflictError } from "../repository";
import type { decisionBody, listChangesQuery } from "../schemas";
import { ok, type Result } from "./common";

/** A change as the API shows it: never the task token. */
export function publicChange(change: BudgetChange): Omit<BudgetChange, "taskToken"> {
  const { taskToken: _token, ...rest } = change;
  return rest;
}

export async function listBudgetChanges(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof listChangesQuery>,
): Promise<Result> {
  requireMember(caller);
  requireFinance(caller, "list budget changes");
  const changes = await deps.repo.listBudgetChanges(query.status ? { status: query.status } : {});
  return ok({ changes: changes.map(publicChange) });
}

/**
 * Whether the caller submitted the change: by `sub`, and, for changes stored before audit fields
 * held the `sub`, by the username or the verified email they held then.
 */
function isSubmitter(caller: Caller, change: BudgetChange): boolean {
  const by = change.submittedBy;
  if (by === caller.sub) return true;
  const same = (x: string | undefined) => x !== undefined && x.toLowerCase() === by.toLowerCase();
  return same(caller.username) || same(caller.email);
}

export async function decideBudgetChange(
  deps: ApiDeps,
  caller: Caller,
  changeId: string,
  body: z.output<typeof decisionBody>,
): Promise<Result> {
  requireMember(caller);
  if (!caller.groups.includes("FinancialAdmins"))
    throw forbidden("only FinancialAdmins may approve or reject budget changes");
  const change = await deps.repo.getBudgetChange(changeId);
  if (!change) throw notFound(`no budget change ${changeId}`);
  if (isSubmitter(caller, change))
    throw forbidden("you submitted this change; another FinancialAdmin must decide it");
  if (change.status !== "pending") throw conflict(`change ${changeId} is already ${change.status}`);
  if (!change.taskToken)
    throw new ApiError(
      409,
      `change ${changeId} has not reached the approval step yet; retry in a few seconds`,
    );
  const outcome = {
    status: body.decision === "approve" ? ("approved" as const) : ("rejected" as const),
    decidedBy: caller.sub,
    ...(caller.email ? { decidedByEmail: caller.email } : {}),
    decidedAt: deps.now().toISOString(),
    ...(body.note ? { decisionNote: body.note } : {}),
  };
  try {
    await deps.repo.decideBudgetChange(changeId, outcome);
  } catch (e) {
    if (e instanceof ConflictError) throw conflict(`change ${changeId} was decided meanwhile`);
    throw e;
  }
  await deps.approvals.complete(change.taskToken, {
    decision: body.decision,
    by: caller.sub,
    ...(body.note ? { note: body.note } : {}),
  });
  return ok({ change: publicChange({ ...change, ...outcome }) });
}
