/**
 * Spend of a month or period, grouped by budget (as mapped on each usage day), account, service, day
 * or day and service; filtered by budget, account, OU, environment or budget owner, always inside
 * the caller's scope.
 */
import type { z } from "zod";
import { CONFIG_ENVIRONMENT_FIELD } from "../../../contracts/member-config";
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

/**
 * Amounts of one day's groups in whole cents that add up to the day's own total rounded to the cent
 * (largest remainder): rounding each group alone could leave a day's stack a few cents off its total.
 */
export function centsSummingToTotal(amounts: readonly number[]): number[] {
  const exact = amounts.map((a) => a * 100);
  const floors = exact.map((x) => Math.floor(x + 1e-6));
  let left = Math.round(exact.reduce((a, b) => a + b, 0)) - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - floors[i]! }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
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
  const environments = deps.configEnvironments ?? new Map<string, string>();
  if (query.environment !== undefined) {
    const known = [...new Set(environments.values())].sort();
    if (!known.includes(query.environment))
      throw badRequest(
        `environment: ${query.environment} is not an environment of the accounts config (${CONFIG_ENVIRONMENT_FIELD}); ${known.length ? `use one of ${known.join(", ")}` : "the API knows no environment: the member config the admin stack wrote lists no member"}`,
      );
  }
  // The OU filter reads the accounts table (account-sync's ouName); filters only narrow what the
  // scope lets through below, they never widen it.
  const ouOf =
    query.ou === undefined
      ? undefined
      : new Map((await deps.repo.listAccounts()).map((a) => [a.accountId, a.ouName]));
  const ownerOf =
    query.owner === undefined
      ? undefined
      : new Map(
          (await deps.repo.listBudgets({ year: Number(query.month.slice(0, 4)) })).map((b) => [
            b.budgetId,
            b.owner.toLowerCase(),
          ]),
        );
  const rows = (await deps.repo.spendOfMonth(query.month)).filter(
    (r) =>
      r.usageDate >= range.start &&
      r.usageDate <= range.end &&
      (query.accountId === undefined || r.accountId === query.accountId) &&
      (ouOf === undefined || ouOf.get(r.accountId) === query.ou) &&
      (query.environment === undefined || environments.get(r.accountId) === query.environment),
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
    if (ownerOf && (budgetId === undefined || ownerOf.get(budgetId) !== query.owner)) continue;
    const key = {
      budget: budgetId ?? "(unallocated)",
      account: r.accountId,
      service: r.service,
      day: r.usageDate,
      "day,service": `${r.usageDate} ${r.service}`,
    }[query.groupBy];
    groups.set(key, (groups.get(key) ?? 0) + r.unblendedCost);
    total += r.unblendedCost;
  }
  const filters = Object.fromEntries(
    (["budgetId", "accountId", "ou", "environment", "owner"] as const)
      .filter((f) => query[f] !== undefined)
      .map((f) => [f, query[f]]),
  );
  return ok({
    month: query.month,
    ...(query.period ? { period: query.period } : {}),
    from: range.start,
    to: range.end,
    groupBy: query.groupBy,
    ...(Object.keys(filters).length ? { filters } : {}),
    currency: "USD",
    totalUsd: round2(total),
    groups: query.groupBy === "day,service" ? byDayAndService(groups) : sortedGroups(groups),
  });
}

const sortedGroups = (groups: ReadonlyMap<string, number>) =>
  [...groups.entries()]
    .map(([key, amount]) => ({ key, amountUsd: round2(amount) }))
    .sort((a, b) => b.amountUsd - a.amountUsd || a.key.localeCompare(b.key));

/** Day by day (oldest first), each day's services largest first, in cents that sum to the day's total. */
function byDayAndService(groups: ReadonlyMap<string, number>) {
  const days = new Map<string, { service: string; amount: number }[]>();
  for (const [key, amount] of groups) {
    const day = key.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push({ service: key.slice(11), amount });
    days.set(day, list);
  }
  return [...days.keys()].sort().flatMap((day) => {
    const services = days.get(day)!;
    const cents = centsSummingToTotal(services.map((s) => s.amount));
    return services
      .map((s, i) => ({ key: `${day} ${s.service}`, day, service: s.service, amountUsd: cents[i]! / 100 }))
      .sort((a, b) => b.amountUsd - a.amountUsd || a.service.localeCompare(b.service));
  });
}
