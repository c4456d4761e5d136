/**
 * The Overview's daily spend stacked by service, from GET /spend?groupBy=day,service (no DOM:
 * unit-tested in Node): one stacked series per service for the chart, and the same figures as
 * rows (a day, each service's amount, the day's total) for the table the chart offers as its text
 * alternative. The API gives each day's services in cents that add up to the day's total, so a
 * row's total is the sum of its cells, in integer cents.
 */

export interface DayServiceGroup {
  readonly day: string;
  readonly service: string;
  readonly amountUsd: number;
}

export interface DailyByService {
  /** Services, largest spend of the range first. */
  readonly services: readonly string[];
  /** One row per day with spend, oldest first; `byService[s]` is 0 for a service without spend that day. */
  readonly rows: readonly { day: string; byService: Readonly<Record<string, number>>; totalUsd: number }[];
  /** What chart.tsx draws (echarts-setup.ts's ChartSpec): one series per service, stacked. */
  readonly spec: {
    readonly categories: readonly string[];
    readonly series: readonly { name: string; values: readonly number[]; stack?: string }[];
  };
}

const cents = (n: number) => Math.round(n * 100);

export function dailyByService(groups: readonly DayServiceGroup[]): DailyByService {
  const serviceTotals = new Map<string, number>();
  const days = new Map<string, Record<string, number>>();
  for (const g of groups) {
    serviceTotals.set(g.service, (serviceTotals.get(g.service) ?? 0) + cents(g.amountUsd));
    const day = days.get(g.day) ?? {};
    day[g.service] = (cents(day[g.service] ?? 0) + cents(g.amountUsd)) / 100;
    days.set(g.day, day);
  }
  const services = [...serviceTotals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([s]) => s);
  const rows = [...days.keys()].sort().map((day) => {
    const of = days.get(day)!;
    const byService = Object.fromEntries(services.map((s) => [s, of[s] ?? 0]));
    const totalUsd = services.reduce((a, s) => a + cents(byService[s]!), 0) / 100;
    return { day, byService, totalUsd };
  });
  return {
    services,
    rows,
    spec: {
      categories: rows.map((r) => r.day.slice(8)),
      series: services.map((s) => ({ name: s, stack: "spend", values: rows.map((r) => r.byService[s]!) })),
    },
  };
}
