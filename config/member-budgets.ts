import type { MemberConfig } from "../contracts/member-config";
import type { AccountConfig } from "./schema";

/**
 * The members whose monthly budget the accounts config sets (members[].budget.monthlyUsd), by account
 * id: each gets an AWS Budget, and the FinOps API holds application budgets to their amounts
 * (docs/budgets.md). Retired members are left out (their baseline, budget included, is destroyed).
 */
export function memberBudgets(config: AccountConfig): Record<string, number> {
  return Object.fromEntries(
    config.members.filter((m) => m.budget && !m.retired).map((m) => [m.id, m.budget!.monthlyUsd]),
  );
}

/**
 * The member config document the admin stack writes for the FinOps API (contracts/member-config.ts):
 * every non-retired member's environment and, when set, its monthly budget, by account id.
 */
export function memberConfig(config: AccountConfig): MemberConfig {
  return Object.fromEntries(
    config.members
      .filter((m) => !m.retired)
      .map((m) => [
        m.id,
        m.budget
          ? { environment: m.environment, monthlyUsd: m.budget.monthlyUsd }
          : { environment: m.environment },
      ]),
  );
}
