/** Users of the pool, their groups and their budget scope (Admins only). */
import { type Caller, forbidden, isFinance, managesBudget, requireMember } from "../domain";
import type { ApiDeps } from "../repository";
import { ok, type Result } from "./common";

/**
 * The pool's users with their groups and budget scope. A user's scope is computed as for a caller:
 * budgets whose owner or managers are the user's email, only if that email is verified.
 */
export async function listUsers(deps: ApiDeps, caller: Caller): Promise<Result> {
  requireMember(caller);
  if (!caller.groups.includes("Admins")) throw forbidden("only Admins may list users and their scope");
  const [users, budgets] = await Promise.all([deps.users.listUsers(), deps.repo.listBudgets()]);
  return ok({
    users: users.map((u) => {
      const asCaller: Caller = {
        sub: u.sub ?? "",
        ...(u.email && u.emailVerified ? { email: u.email } : {}),
        groups: u.groups,
      };
      const scope = budgets
        .filter((b) => managesBudget(asCaller, b))
        .map((b) => ({
          budgetId: b.budgetId,
          year: b.year,
          role: asCaller.email?.toLowerCase() === b.owner.toLowerCase() ? "owner" : "manager",
        }));
      return { ...u, seesAllBudgets: isFinance(asCaller), budgets: scope };
    }),
  });
}
