/** Spend of a month or period, grouped by budget (as mapped on each usage day), account, service or day. */
import type { z } from "zod";
import { periodsOfMonth } from "../../shared/period-calendar";
import { badRequest, type Caller, forbidden } from "../domain";
import type { ApiDeps } from "../repository";
import type { spendQuery } from "../schemas";
import { ok, type Result, visible, visibleBudgetIds } from "./common";

const round2 = (n: number): number => Math.round(n * 100) / 100;

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
