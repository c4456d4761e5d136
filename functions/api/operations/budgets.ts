/** Budgets: list, read, create and change them; large amount changes go to approval. */
import type { z } from "zod";
import { belowConfig, configuredAccounts, reconcile } from "../config-budgets";
import {
  type Account,
  type Budget,
  type BudgetChange,
  type BudgetPatch,
  type Caller,
  canReadBudget,
  conflict,
  forbidden,
  notFound,
  requireFinance,
  requireMember,
} from "../domain";
import { type ApiDeps, ConflictError } from "../repository";
import type { createBudgetBody, listBudgetsQuery, updateBudgetBody } from "../schemas";
import { publicChange } from "./approvals";
import { ok, type Result } from "./common";

export async function listBudgets(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof listBudgetsQuery>,
): Promise<Result> {
  requireMember(caller);
  const budgets = await deps.repo.listBudgets(query.year === undefined ? {} : { year: query.year });
  return ok({
    budgets: await withConfig(
      deps,
      budgets.filter((b) => canReadBudget(caller, b)),
    ),
  });
}

/**
 * Budgets with their reconciliation against the accounts config (`config`), for each budget that
 * holds accounts whose budget the config sets (config-budgets.ts).
 */
async function withConfig(deps: ApiDeps, budgets: Budget[]): Promise<Budget[]> {
  const config = deps.configBudgets;
  if (!config?.size || budgets.length === 0) return budgets;
  const accounts = await deps.repo.listAccounts({ allocationStatus: "allocated" });
  return budgets.map((b) => {
    const held = configuredAccounts(
      accounts.filter((a) => a.budgetId === b.budgetId),
      config,
    );
    return held.length ? { ...b, config: reconcile(b, held) } : b;
  });
}

/** The accounts config's floor for a budget: its configured accounts (plus `adding`), when there are any. */
export async function configuredAccountsOf(deps: ApiDeps, budgetId: string, adding?: Account) {
  const config = deps.configBudgets;
  if (!config?.size) return [];
  const accounts = (await deps.repo.listAccounts({ allocationStatus: "allocated" })).filter(
    (a) => a.budgetId === budgetId && a.accountId !== adding?.accountId,
  );
  return configuredAccounts(adding ? [...accounts, adding] : accounts, config);
}

async function existingBudget(deps: ApiDeps, budgetId: string, year: number): Promise<Budget> {
  const budget = await deps.repo.getBudget(budgetId, year);
  if (!budget) throw notFound(`no budget "${budgetId}" for ${year}`);
  return budget;
}

export async function getBudget(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  year: number,
): Promise<Result> {
  requireMember(caller);
  const budget = await existingBudget(deps, budgetId, year);
  if (!canReadBudget(caller, budget)) throw forbidden(`budget ${budgetId} is not one you own or manage`);
  return ok({ budget: (await withConfig(deps, [budget]))[0] });
}

export async function createBudget(
  deps: ApiDeps,
  caller: Caller,
  body: z.output<typeof createBudgetBody>,
): Promise<Result> {
  requireMember(caller);
  requireFinance(caller, "create budgets");
  const budget: Budget = {
    ...body,
    version: 1,
    updatedAt: deps.now().toISOString(),
    updatedBy: caller.sub,
    ...(caller.email ? { updatedByEmail: caller.email } : {}),
  };
  try {
    await deps.repo.createBudget(budget);
  } catch (e) {
    if (e instanceof ConflictError)
      throw conflict(
        `budget "${body.budgetId}" for ${body.year} exists; change it with PATCH /budgets/${body.budgetId}/${body.year}`,
      );
    throw e;
  }
  return { status: 201, body: { budget } };
}

/**
 * The budget after a change: version bumped, `updatedBy` the writer's `sub` and `updatedByEmail`
 * their email when given (a previous writer's email is never left next to a new `sub`).
 */
export function applyPatch(
  budget: Budget,
  patch: BudgetPatch,
  by: string,
  at: string,
  byEmail?: string,
): Budget {
  const { updatedByEmail: _previous, ...rest } = budget;
  return {
    ...rest,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.amountUsd !== undefined ? { amountUsd: patch.amountUsd } : {}),
    ...(patch.owner !== undefined ? { owner: patch.owner } : {}),
    ...(patch.managers !== undefined ? { managers: [...patch.managers] } : {}),
    ...(patch.scope !== undefined ? { scope: patch.scope } : {}),
    version: budget.version + 1,
    updatedAt: at,
    updatedBy: by,
    ...(byEmail ? { updatedByEmail: byEmail } : {}),
  };
}

/** Whether a change must go through the approval workflow: its amount moves by more than the threshold. */
export function needsApproval(budget: Budget, patch: BudgetPatch, thresholdUsd: number): boolean {
  return patch.amountUsd !== undefined && Math.abs(patch.amountUsd - budget.amountUsd) > thresholdUsd;
}

export async function updateBudget(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  year: number,
  body: z.output<typeof updateBudgetBody>,
): Promise<Result> {
  requireMember(caller);
  requireFinance(caller, "change budgets");
  const budget = await existingBudget(deps, budgetId, year);
  const { reason, ...patch } = body;
  if (patch.amountUsd !== undefined) {
    const held = await configuredAccountsOf(deps, budgetId);
    if (reconcile({ ...budget, amountUsd: patch.amountUsd }, held).status === "below-config")
      throw belowConfig(budget, patch.amountUsd, held);
  }
  const pending = await deps.repo.listBudgetChanges({ status: "pending" });
  if (pending.some((c) => c.budgetId === budgetId && c.year === year))
    throw conflict(
      `budget ${budgetId} ${year} has a change waiting for approval; decide it first (GET /approvals)`,
    );
  const now = deps.now().toISOString();
  if (needsApproval(budget, patch, deps.approvalThresholdUsd)) {
    const change: BudgetChange = {
      changeId: deps.newId(),
      budgetId,
      year,
      baseVersion: budget.version,
      previousAmountUsd: budget.amountUsd,
      changes: patch,
      submittedBy: caller.sub,
      ...(caller.email ? { submittedByEmail: caller.email } : {}),
      submittedAt: now,
      reason,
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
        note: `the amount changes by more than ${deps.approvalThresholdUsd} USD: a FinancialAdmin other than you must approve it`,
      },
    };
  }
  const updated = applyPatch(budget, patch, caller.sub, now, caller.email);
  try {
    await deps.repo.updateBudget(updated, budget.version);
  } catch (e) {
    if (e instanceof ConflictError)
      throw conflict(`budget ${budgetId} ${year} changed meanwhile; read it again and retry`);
    throw e;
  }
  return ok({ budget: updated });
}
