/**
 * What every API operation shares: its result, and the caller's budget scope. Operations are pure
 * functions of (dependencies, caller, validated input); authorization by group and scope happens
 * in them, before any read of data the caller may not see:
 * - Admins and FinancialAdmins ("finance") see and change everything; only Admins list users;
 *   only FinancialAdmins decide budget changes, and never their own.
 * - BU/Department/Portfolio/Product managers see only the budgets they own or manage, the accounts
 *   mapped to those budgets, their spend and their cards; they approve and comment their cards.
 * - A user in no group gets 403 everywhere.
 */
import { type Caller, isFinance, managesBudget, requireMember } from "../domain";
import type { ApiDeps } from "../repository";

export interface Result {
  readonly status: number;
  readonly body: unknown;
}
export const ok = (body: unknown): Result => ({ status: 200, body });

/** Budget ids the caller manages (any year). */
async function scopeBudgetIds(deps: ApiDeps, caller: Caller): Promise<Set<string>> {
  const budgets = await deps.repo.listBudgets();
  return new Set(budgets.filter((b) => managesBudget(caller, b)).map((b) => b.budgetId));
}

/** The caller's visible budget ids, or "all" for finance. */
export async function visibleBudgetIds(deps: ApiDeps, caller: Caller): Promise<Set<string> | "all"> {
  requireMember(caller);
  if (isFinance(caller)) return "all";
  return scopeBudgetIds(deps, caller);
}

export const visible = (scope: Set<string> | "all", budgetId: string | undefined): boolean =>
  scope === "all" || (budgetId !== undefined && scope.has(budgetId));
