/**
 * The ground truth of a generated CUR 2.0 month: every figure is the sum of
 * `line_item_unblended_cost` over the rows it names, rounded to 6 decimals (generator.ts's header
 * says what each one holds).
 */
import type { CurRow } from "./generator-columns";
import { r6 } from "./generator-pricing";

export interface CurGroundTruth {
  readonly billingPeriod: string;
  readonly rowCount: number;
  readonly total: number;
  readonly byAccount: Readonly<Record<string, number>>;
  readonly byService: Readonly<Record<string, number>>;
  readonly byLineItemType: Readonly<Record<string, number>>;
  readonly byAccountServiceDay: readonly {
    readonly accountId: string;
    readonly service: string;
    readonly day: string;
    readonly unblendedCost: number;
  }[];
  readonly credits: { readonly total: number; readonly byAccount: Readonly<Record<string, number>> };
  readonly tax: { readonly total: number; readonly byAccount: Readonly<Record<string, number>> };
  readonly refunds: { readonly total: number; readonly byAccount: Readonly<Record<string, number>> };
  readonly savingsPlan: {
    readonly coveredUsage: number;
    readonly negation: number;
    readonly recurringFee: number;
    readonly upfrontFee: number;
  };
}

export function computeGroundTruth(billingPeriod: string, rows: readonly CurRow[]): CurGroundTruth {
  const add = (m: Record<string, number>, k: string, v: number): void => {
    m[k] = (m[k] ?? 0) + v;
  };
  const fix = (m: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, r6(v)]));
  const byAccount: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const byASD: Record<string, number> = {};
  const credits: Record<string, number> = {};
  const tax: Record<string, number> = {};
  const refunds: Record<string, number> = {};
  let total = 0;
  for (const row of rows) {
    const cost = row.line_item_unblended_cost as number;
    const account = row.line_item_usage_account_id as string;
    const service = row.product_servicecode as string;
    const type = row.line_item_line_item_type as string;
    total += cost;
    add(byAccount, account, cost);
    add(byService, service, cost);
    add(byType, type, cost);
    add(byASD, `${account}|${service}|${(row.line_item_usage_start_date as string).slice(0, 10)}`, cost);
    if (type === "Credit") add(credits, account, cost);
    if (type === "Tax") add(tax, account, cost);
    if (type === "Refund") add(refunds, account, cost);
  }
  const sum = (m: Record<string, number>): number => r6(Object.values(m).reduce((a, b) => a + b, 0));
  return {
    billingPeriod,
    rowCount: rows.length,
    total: r6(total),
    byAccount: fix(byAccount),
    byService: fix(byService),
    byLineItemType: fix(byType),
    byAccountServiceDay: Object.entries(byASD)
      .map(([k, v]) => {
        const [accountId, service, day] = k.split("|") as [string, string, string];
        return { accountId, service, day, unblendedCost: r6(v) };
      })
      .sort((a, b) =>
        a.accountId === b.accountId
          ? a.day === b.day
            ? a.service.localeCompare(b.service)
            : a.day.localeCompare(b.day)
          : a.accountId.localeCompare(b.accountId),
      ),
    credits: { total: sum(credits), byAccount: fix(credits) },
    tax: { total: sum(tax), byAccount: fix(tax) },
    refunds: { total: sum(refunds), byAccount: fix(refunds) },
    savingsPlan: {
      coveredUsage: r6(byType.SavingsPlanCoveredUsage ?? 0),
      negation: r6(byType.SavingsPlanNegation ?? 0),
      recurringFee: r6(byType.SavingsPlanRecurringFee ?? 0),
      upfrontFee: r6(byType.SavingsPlanUpfrontFee ?? 0),
    },
  };
}
