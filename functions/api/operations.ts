/**
 * The API operations: pure functions of (dependencies, caller, validated input). Authorization by
 * group and scope happens here, before any read of data the caller may not see:
 * - Admins and FinancialAdmins ("finance") see and change everything; only Admins list users;
 *   only FinancialAdmins decide budget changes, and never their own.
 * - BU/Department/Portfolio/Product managers see only the budgets they own or manage, the accounts
 *   mapped to those budgets, their spend and their cards; they approve and comment their cards.
 * - A user in no group gets 403 everywhere.
 */

import type { z } from "zod";
import { periodsOfMonth } from "../shared/period-calendar";
import {
  type Account,
  type Actor,
  ApiError,
  actor,
  type Budget,
  type BudgetChange,
  type BudgetPatch,
  badRequest,
  type Caller,
  canReadBudget,
  conflict,
  forbidden,
  isFinance,
  managesBudget,
  notFound,
  requireFinance,
  requireMember,
  type SpendCard,
} from "./domain";
import { type ApiDeps, ConflictError } from "./repository";
import type {
  approveCardBody,
  commentCardBody,
  createBudgetBody,
  decisionBody,
  listAccountsQuery,
  listBudgetsQuery,
  listCardsQuery,
  listChangesQuery,
  mapAccountBody,
  spendQuery,
  unmapAccountBody,
  updateBudgetBody,
} from "./schemas";

export interface Result {
  readonly status: number;
  readonly body: unknown;
}
const ok = (body: unknown): Result => ({ status: 200, body });

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Budget ids the caller manages (any year). */
async function scopeBudgetIds(deps: ApiDeps, caller: Caller): Promise<Set<string>> {
  const budgets = await deps.repo.listBudgets();
  return new Set(budgets.filter((b) => managesBudget(caller, b)).map((b) => b.budgetId));
}

/** The caller's visible budget ids, or "all" for finance. */
async function visibleBudgetIds(deps: ApiDeps, caller: Caller): Promise<Set<string> | "all"> {
  requireMember(caller);
  if (isFinance(caller)) return "all";
  return scopeBudgetIds(deps, caller);
}

const visible = (scope: Set<string> | "all", budgetId: string | undefined): boolean =>
  scope === "all" || (budgetId !== undefined && scope.has(budgetId));

/** The audit fields of an allocation entry: the caller's `sub` and verified email. */
function changedBy(caller: Caller): { changedBy: string; changedByEmail?: string } {
  const a = actor(caller);
  return { changedBy: a.by, ...(a.byEmail ? { changedByEmail: a.byEmail } : {}) };
}

// Accounts ------------------------------------------------------------------------------------------

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
    return ok({ accounts: await deps.repo.listAccounts({ allocationStatus: "unallocated" }) });
  }
  const accounts = await deps.repo.listAccounts();
  return ok({ accounts: accounts.filter((a) => visible(scope, a.budgetId)) });
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

// Budgets -------------------------------------------------------------------------------------------

export async function listBudgets(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof listBudgetsQuery>,
): Promise<Result> {
  requireMember(caller);
  const budgets = await deps.repo.listBudgets(query.year === undefined ? {} : { year: query.year });
  return ok({ budgets: budgets.filter((b) => canReadBudget(caller, b)) });
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
  return ok({ budget });
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
    await deps.repo.putBudgetChange({ ...change, executionArn });
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

// Approvals -----------------------------------------------------------------------------------------

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

// Spend ---------------------------------------------------------------------------------------------

/** The budget an account was mapped to at the end of a usage day, from its history (oldest first). */
export function budgetAt(
  history: readonly { validFrom: string; budgetId?: string }[],
  day: string,
): string | undefined {
  const endOfDay = `${day}T23:59:59.999Z`;
  let current: string | undefined;
  for (const h of history) {
    if (h.validFrom <= endOfDay) current = h.budgetId;
    else break;
  }
  return current;
}

export async function spend(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof spendQuery>,
): Promise<Result> {
  const scope = await visibleBudgetIds(deps, caller);
  const month = periodsOfMonth(query.month);
  let range = { start: month[0]!.start, end: month[month.length - 1]!.end };
  if (query.period) {
    const period = month.find((p) => p.id === query.period);
    if (!period) throw badRequest(`period: ${query.period} is not a period of ${query.month}`);
    range = { start: period.start, end: period.end };
  }
  if (query.budgetId && !visible(scope, query.budgetId))
    throw forbidden(`budget ${query.budgetId} is not one you own or manage`);
  if (query.accountId && scope !== "all") {
    const account = await deps.repo.getAccount(query.accountId);
    if (!account || !visible(scope, account.budgetId))
      throw forbidden(`account ${query.accountId} is not mapped to a budget you own or manage`);
  }
  const rows = (await deps.repo.spendOfMonth(query.month)).filter(
    (r) =>
      r.usageDate >= range.start &&
      r.usageDate <= range.end &&
      (query.accountId === undefined || r.accountId === query.accountId),
  );
  const accounts = [...new Set(rows.map((r) => r.accountId))];
  const histories = new Map(
    await Promise.all(accounts.map(async (a) => [a, await deps.repo.allocationHistory(a)] as const)),
  );
  const groups = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    const budgetId = budgetAt(histories.get(r.accountId) ?? [], r.usageDate);
    if (!visible(scope, budgetId)) continue;
    if (query.budgetId && budgetId !== query.budgetId) continue;
    const key = {
      budget: budgetId ?? "(unallocated)",
      account: r.accountId,
      service: r.service,
      day: r.usageDate,
    }[query.groupBy];
    groups.set(key, (groups.get(key) ?? 0) + r.unblendedCost);
    total += r.unblendedCost;
  }
  return ok({
    month: query.month,
    ...(query.period ? { period: query.period } : {}),
    from: range.start,
    to: range.end,
    groupBy: query.groupBy,
    currency: "USD",
    totalUsd: round2(total),
    groups: [...groups.entries()]
      .map(([key, amount]) => ({ key, amountUsd: round2(amount) }))
      .sort((a, b) => b.amountUsd - a.amountUsd || a.key.localeCompare(b.key)),
  });
}

// Spend cards ---------------------------------------------------------------------------------------

export async function listCards(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof listCardsQuery>,
): Promise<Result> {
  const scope = await visibleBudgetIds(deps, caller);
  if (query.budgetId && !visible(scope, query.budgetId))
    throw forbidden(`budget ${query.budgetId} is not one you own or manage`);
  const budgetIds = query.budgetId ? [query.budgetId] : scope === "all" ? undefined : [...scope];
  if (budgetIds && budgetIds.length === 0) return ok({ cards: [] });
  const cards = await deps.repo.listCards({
    ...(budgetIds ? { budgetIds } : {}),
    ...(query.period ? { periodId: query.period } : {}),
  });
  return ok({
    cards: cards.sort((a, b) => b.periodId.localeCompare(a.periodId) || a.budgetId.localeCompare(b.budgetId)),
  });
}

async function cardForReview(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  periodId: string,
): Promise<SpendCard> {
  const scope = await visibleBudgetIds(deps, caller);
  if (!visible(scope, budgetId)) throw forbidden(`budget ${budgetId} is not one you own or manage`);
  const card = await deps.repo.getCard(budgetId, periodId);
  if (!card) throw notFound(`no spend card for budget ${budgetId} and period ${periodId}`);
  return card;
}

const shownActor = (a: Actor): string => a.byEmail ?? a.by;

export async function approveCard(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  periodId: string,
  body: z.output<typeof approveCardBody>,
): Promise<Result> {
  const card = await cardForReview(deps, caller, budgetId, periodId);
  if (card.approval)
    throw conflict(
      `card ${budgetId} ${periodId} was approved by ${shownActor(card.approval)} at ${card.approval.at}`,
    );
  const approval = {
    ...actor(caller),
    at: deps.now().toISOString(),
    ...(body.note ? { note: body.note } : {}),
  };
  try {
    await deps.repo.setCardApproval(budgetId, periodId, approval);
  } catch (e) {
    if (e instanceof ConflictError) throw conflict(`card ${budgetId} ${periodId} was approved meanwhile`);
    throw e;
  }
  return ok({ card: { ...card, approval } });
}

export async function commentCard(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  periodId: string,
  body: z.output<typeof commentCardBody>,
): Promise<Result> {
  const card = await cardForReview(deps, caller, budgetId, periodId);
  const comment = { ...actor(caller), at: deps.now().toISOString(), text: body.text };
  await deps.repo.addCardComment(budgetId, periodId, comment);
  return { status: 201, body: { card: { ...card, comments: [...(card.comments ?? []), comment] } } };
}

// Ingestion and users -------------------------------------------------------------------------------

export async function ingestionStatus(deps: ApiDeps, caller: Caller): Promise<Result> {
  requireMember(caller);
  const periods = await deps.repo.ingestionStatus();
  const latest = periods.reduce<(typeof periods)[number] | undefined>(
    (m, p) => (!m || p.committedAt > m.committedAt ? p : m),
    undefined,
  );
  return ok({ lastProcessed: latest ?? null, periods });
}

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
