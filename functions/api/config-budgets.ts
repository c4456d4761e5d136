/**
 * Reconciliation of the application's budgets with the member budgets of the accounts config
 * (docs/budgets.md). One source of truth per figure:
 *
 * - An account's own monthly budget is the accounts config's `members[].budget.monthlyUsd` (the AWS
 *   Budget that alerts on it is made from it); the API shows it on the account and never writes it.
 * - An application budget (annual, a group of accounts) is the API's; it must hold at least the
 *   configured annual amounts (12 × monthly) of the accounts mapped to it. The API refuses, with 409
 *   naming the config field, a budget amount or an account mapping that would break that, and every
 *   budget that holds configured accounts shows the comparison (`config`), so a mismatch that a
 *   deploy introduced later (a raised monthlyUsd) is visible, never silent.
 */
import { CONFIG_BUDGET_FIELD } from "../../contracts/member-config";
import { type Account, ApiError, type Budget } from "./domain";

/** Account id → monthly USD, from the accounts config. */
export type ConfigBudgets = ReadonlyMap<string, number>;

export interface ConfiguredAccount {
  readonly accountId: string;
  readonly name?: string;
  readonly monthlyUsd: number;
  readonly annualUsd: number;
}

export interface BudgetReconciliation {
  /** Where the accounts' amounts come from. */
  readonly field: string;
  /** Sum of the configured annual amounts of the accounts mapped to the budget. */
  readonly annualUsd: number;
  readonly accounts: readonly ConfiguredAccount[];
  /** "below-config": the budget holds less than its accounts' configured amounts. */
  readonly status: "ok" | "below-config";
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** The configured accounts among `accounts` (those mapped to a budget, or about to be). */
export function configuredAccounts(accounts: readonly Account[], config: ConfigBudgets): ConfiguredAccount[] {
  return accounts
    .filter((a) => config.has(a.accountId))
    .map((a) => {
      const monthlyUsd = config.get(a.accountId)!;
      return {
        accountId: a.accountId,
        ...(a.name ? { name: a.name } : {}),
        monthlyUsd,
        annualUsd: cents(monthlyUsd * 12),
      };
    })
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
}

export function reconcile(budget: Budget, accounts: readonly ConfiguredAccount[]): BudgetReconciliation {
  const annualUsd = cents(accounts.reduce((s, a) => s + a.annualUsd, 0));
  return {
    field: CONFIG_BUDGET_FIELD,
    annualUsd,
    accounts,
    status: budget.amountUsd + 1e-9 < annualUsd ? "below-config" : "ok",
  };
}

/** The 409 for a budget amount below what the config gives its accounts. */
export function belowConfig(
  budget: Pick<Budget, "budgetId" | "year">,
  amountUsd: number,
  accounts: readonly ConfiguredAccount[],
): ApiError {
  const annual = cents(accounts.reduce((s, a) => s + a.annualUsd, 0));
  const list = accounts
    .map((a) => `${a.accountId}${a.name ? ` ${a.name}` : ""} ${a.monthlyUsd} × 12`)
    .join(", ");
  return new ApiError(
    409,
    `budget ${budget.budgetId} ${budget.year} would hold ${amountUsd} USD, less than the ${annual} USD a year the accounts config gives its accounts (${CONFIG_BUDGET_FIELD}: ${list}); the config is the source of truth for those accounts' budgets: give the budget at least ${annual} USD, or lower ${CONFIG_BUDGET_FIELD} in the accounts config and deploy`,
  );
}
