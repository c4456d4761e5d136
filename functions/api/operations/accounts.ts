/** Accounts: list them in scope, map and unmap them to budgets, and their mapping history. */
import type { z } from "zod";
import { CONFIG_BUDGET_FIELD } from "../../../contracts/member-config";
import { belowConfig, reconcile } from "../config-budgets";
import {
  type Account,
  actor,
  type Caller,
  forbidden,
  notFound,
  requireFinance,
  requireMember,
} from "../domain";
import type { ApiDeps } from "../repository";
import type { listAccountsQuery, mapAccountBody, unmapAccountBody } from "../schemas";
import { configuredAccountsOf } from "./budgets";
import { ok, type Result, visible, visibleBudgetIds } from "./common";

/** The audit fields of an allocation entry: the caller's `sub` and verified email. */
function changedBy(caller: Caller): { changedBy: string; changedByEmail?: string } {
  const a = actor(caller);
  return { changedBy: a.by, ...(a.byEmail ? { changedByEmail: a.byEmail } : {}) };
}

export async function listAccounts(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof listAccountsQuery>,
): Promise<Result> {
  const scope = await visibleBudgetIds(deps, caller);
  if (query.unallocated === "true") {
    if (scope !== "all")
      throw forbidden(
        "only Admins and FinancialAdmins may list unallocated accounts (they are in no budget's scope)",
      );
    return ok({
      accounts: withConfigBudget(deps, await deps.repo.listAccounts({ allocationStatus: "unallocated" })),
    });
  }
  const accounts = await deps.repo.listAccounts();
  return ok({
    accounts: withConfigBudget(
      deps,
      accounts.filter((a) => visible(scope, a.budgetId)),
    ),
  });
}

/**
 * Accounts with what the accounts config gives them: their monthly budget (`configBudget`) and
 * their environment (`environment`, what GET /spend?environment= filters by), where it does.
 */
function withConfigBudget(deps: ApiDeps, accounts: Account[]): Account[] {
  const config = deps.configBudgets ?? new Map<string, number>();
  const environments = deps.configEnvironments ?? new Map<string, string>();
  if (!config.size && !environments.size) return accounts;
  return accounts.map((a) => ({
    ...a,
    ...(config.has(a.accountId)
      ? { configBudget: { monthlyUsd: config.get(a.accountId)!, field: CONFIG_BUDGET_FIELD } }
      : {}),
    ...(environments.has(a.accountId) ? { environment: environments.get(a.accountId)! } : {}),
  }));
}

async function existingAccount(deps: ApiDeps, accountId: string): Promise<Account> {
  const account = await deps.repo.getAccount(accountId);
  if (!account)
    throw notFound(
      `account ${accountId} is not in the organization's account list (account-sync adds new accounts)`,
    );
  return account;
}

export async function mapAccount(
  deps: ApiDeps,
  caller: Caller,
  accountId: string,
  body: z.output<typeof mapAccountBody>,
): Promise<Result> {
  requireMember(caller);
  requireFinance(caller, "map accounts to budgets");
  const account = await existingAccount(deps, accountId);
  const budgets = await deps.repo.listBudgets();
  if (!budgets.some((b) => b.budgetId === body.budgetId))
    throw notFound(`budgetId: no budget "${body.budgetId}"; create it first (POST /budgets)`);
  if (account.budgetId === body.budgetId)
    return ok({ accountId, budgetId: body.budgetId, changed: false, note: "already mapped to this budget" });
  // The budget must hold the configured amounts of its accounts, this one included, from this year on.
  if (deps.configBudgets?.has(accountId)) {
    const held = await configuredAccountsOf(deps, body.budgetId, account);
    const year = deps.now().getUTCFullYear();
    for (const b of budgets.filter((x) => x.budgetId === body.budgetId && x.year >= year))
      if (reconcile(b, held).status === "below-config") throw belowConfig(b, b.amountUsd, held);
  }
  const entry = {
    accountId,
    validFrom: deps.now().toISOString(),
    budgetId: body.budgetId,
    ...changedBy(caller),
    ...(body.reason ? { reason: body.reason } : {}),
  };
  await deps.repo.recordAllocation(entry);
  return ok({
    accountId,
    budgetId: body.budgetId,
    changed: true,
    previousBudgetId: account.budgetId ?? null,
  });
}

export async function unmapAccount(
  deps: ApiDeps,
  caller: Caller,
  accountId: string,
  body: z.output<typeof unmapAccountBody>,
): Promise<Result> {
  requireMember(caller);
  requireFinance(caller, "unmap accounts from budgets");
  const account = await existingAccount(deps, accountId);
  if (!account.budgetId) return ok({ accountId, changed: false, note: "account is already unallocated" });
  await deps.repo.recordAllocation({
    accountId,
    validFrom: deps.now().toISOString(),
    ...changedBy(caller),
    ...(body.reason ? { reason: body.reason } : {}),
  });
  return ok({ accountId, changed: true, previousBudgetId: account.budgetId });
}

export async function accountHistory(deps: ApiDeps, caller: Caller, accountId: string): Promise<Result> {
  const scope = await visibleBudgetIds(deps, caller);
  const account = await existingAccount(deps, accountId);
  if (!visible(scope, account.budgetId))
    throw forbidden(`account ${accountId} is not mapped to a budget you own or manage`);
  return ok({ accountId, history: await deps.repo.allocationHistory(accountId) });
}
