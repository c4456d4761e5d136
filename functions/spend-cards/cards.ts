/**
 * Spend cards: a budget's spend in one period against its pro-rated allowance, with the top movers
 * (services and accounts whose spend changed most against the previous period's run rate).
 * Pure: inputs are the budget, the period, the spend rows and the accounts' mapping histories.
 */
import type { Allocation, Budget, CardMover, SpendCard, SpendRow } from "../api/domain";
import { budgetAt } from "../api/operations/spend";
import { type Period, previousPeriod, proRatedAllowance } from "../shared/period-calendar";

export const TOP_MOVERS = 5;

const round2 = (n: number): number => Math.round(n * 100) / 100;

export interface CardInput {
  readonly budget: Pick<Budget, "budgetId" | "year" | "amountUsd">;
  readonly period: Period;
  /** Spend rows covering the period and the previous period (any accounts; filtered here). */
  readonly rows: readonly SpendRow[];
  /** Mapping history per account, oldest first. */
  readonly histories: ReadonlyMap<string, readonly Allocation[]>;
  readonly final: boolean;
  readonly sourceVersion: string;
  readonly generatedAt: string;
}

function spendOf(input: CardInput, period: Pick<Period, "start" | "end">): SpendRow[] {
  return input.rows.filter(
    (r) =>
      r.usageDate >= period.start &&
      r.usageDate <= period.end &&
      budgetAt(input.histories.get(r.accountId) ?? [], r.usageDate) === input.budget.budgetId,
  );
}

function sumBy(rows: readonly SpendRow[], key: (r: SpendRow) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + r.unblendedCost);
  return m;
}

/** The movers of one dimension: current vs the previous period scaled to this period's length. */
export function movers(
  dimension: CardMover["dimension"],
  current: ReadonlyMap<string, number>,
  previous: ReadonlyMap<string, number>,
  scale: number,
): CardMover[] {
  const keys = new Set([...current.keys(), ...previous.keys()]);
  return [...keys].map((key) => {
    const currentUsd = current.get(key) ?? 0;
    const baselineUsd = (previous.get(key) ?? 0) * scale;
    return {
      dimension,
      key,
      currentUsd: round2(currentUsd),
      baselineUsd: round2(baselineUsd),
      deltaUsd: round2(currentUsd - baselineUsd),
    };
  });
}

export function computeCard(input: CardInput): Omit<SpendCard, "approval" | "comments"> {
  const { budget, period } = input;
  const prev = previousPeriod(period.start);
  const current = spendOf(input, period);
  const previous = spendOf(input, prev);
  const spendUsd = current.reduce((s, r) => s + r.unblendedCost, 0);
  const allowanceUsd = proRatedAllowance({ amount: budget.amountUsd, per: "year" }, period);
  const scale = period.days / prev.days;
  const top = [
    ...movers(
      "service",
      sumBy(current, (r) => r.service),
      sumBy(previous, (r) => r.service),
      scale,
    ),
    ...movers(
      "account",
      sumBy(current, (r) => r.accountId),
      sumBy(previous, (r) => r.accountId),
      scale,
    ),
  ]
    .filter((m) => m.deltaUsd !== 0)
    .sort(
      (a, b) =>
        Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) ||
        a.dimension.localeCompare(b.dimension) ||
        a.key.localeCompare(b.key),
    )
    .slice(0, TOP_MOVERS);
  return {
    budgetId: budget.budgetId,
    periodId: period.id,
    year: budget.year,
    month: period.month,
    start: period.start,
    end: period.end,
    final: input.final,
    allowanceUsd: round2(allowanceUsd),
    spendUsd: round2(spendUsd),
    varianceUsd: round2(spendUsd - allowanceUsd),
    status: spendUsd > allowanceUsd ? "over" : "within",
    topMovers: top,
    sourceVersion: input.sourceVersion,
    generatedAt: input.generatedAt,
  };
}
