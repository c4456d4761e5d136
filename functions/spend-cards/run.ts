/**
 * One card run: which periods, which budgets, and the idempotent write per (budget, period).
 * A card is rewritten only when its source data changed (another ingestion version) or it becomes
 * final; a final card is never replaced by a provisional one. Review (approval, comments) survives.
 */
import type { Allocation, Budget, SpendCard, SpendRow } from "../api/domain";
import {
  type Period,
  periodsEndedInWeekBefore,
  periodsOfMonth,
  previousPeriod,
} from "../shared/period-calendar";
import { computeCard } from "./cards";
import type { CardTrigger } from "./events";

export interface CardStore {
  listBudgets(year: number): Promise<Budget[]>;
  /** Committed spend of a month and its ingestion version; undefined when never ingested. */
  spendOfMonth(month: string): Promise<{ version: string; rows: SpendRow[] } | undefined>;
  allocationHistory(accountId: string): Promise<Allocation[]>;
  /**
   * Writes the computed part of a card unless the stored one has the same sourceVersion and final
   * flag, or is final while this one is not. Returns whether it wrote.
   */
  putCard(card: Omit<SpendCard, "approval" | "comments">): Promise<boolean>;
}

export interface RunResult {
  readonly periods: string[];
  readonly written: string[];
  readonly unchanged: string[];
  readonly skipped: string[];
}

export function periodsFor(trigger: Exclude<CardTrigger, { kind: "ignored" }>, today: string): Period[] {
  if (trigger.kind === "weekly") return periodsEndedInWeekBefore(trigger.date ?? today);
  return periodsOfMonth(trigger.billingPeriod);
}

export async function runCards(
  store: CardStore,
  trigger: Exclude<CardTrigger, { kind: "ignored" }>,
  today: string,
  now: () => Date,
): Promise<RunResult> {
  const periods = periodsFor(trigger, today);
  const result: RunResult = { periods: periods.map((p) => p.id), written: [], unchanged: [], skipped: [] };
  const months = new Map<string, { version: string; rows: SpendRow[] } | undefined>();
  const month = async (m: string) => {
    if (!months.has(m)) months.set(m, await store.spendOfMonth(m));
    return months.get(m);
  };
  const histories = new Map<string, Allocation[]>();
  for (const period of periods) {
    const current = await month(period.month);
    if (!current) {
      result.skipped.push(`${period.id}: no CUR ingested for ${period.month} yet`);
      continue;
    }
    const prev = await month(previousPeriod(period.start).month);
    const rows = [...current.rows, ...(prev && prev !== current ? prev.rows : [])];
    for (const a of new Set(rows.map((r) => r.accountId)))
      if (!histories.has(a)) histories.set(a, await store.allocationHistory(a));
    const budgets = await store.listBudgets(Number(period.month.slice(0, 4)));
    for (const budget of budgets) {
      const card = computeCard({
        budget,
        period,
        rows,
        histories,
        final: trigger.kind === "final",
        sourceVersion: current.version,
        generatedAt: now().toISOString(),
      });
      const wrote = await store.putCard(card);
      (wrote ? result.written : result.unchanged).push(`${budget.budgetId}/${period.id}`);
    }
  }
  return result;
}
