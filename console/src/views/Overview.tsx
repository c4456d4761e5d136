import { useMemo, useState } from "react";
import type { Api } from "../api";
import { Chart } from "../chart";
import { daysInMonth, money, previousMonth } from "../format";
import { type Column, DataTable, Status, useLoad } from "../ui";

interface Row {
  key: string;
  amountUsd: number;
}

/** Month total, previous month, daily chart, top accounts and services, budget vs actual vs forecast. */
export function Overview({ api, months }: { api: Api; months: readonly string[] }) {
  const [month, setMonth] = useState(months[0] ?? "");
  const [accountId, setAccountId] = useState("");
  const [budgetId, setBudgetId] = useState("");
  const filters = { budgetId, accountId };
  const lists = useLoad(() => Promise.all([api.accounts(), api.budgets()]), []);
  const data = useLoad(
    async (signal) => {
      if (!month) return undefined;
      // One after another: each call reads the month's spend, and the API answers them in turn anyway.
      const byBudget = await api.spend({ month, groupBy: "budget", ...filters }, signal);
      const byAccount = await api.spend({ month, groupBy: "account", ...filters }, signal);
      const byService = await api.spend({ month, groupBy: "service", ...filters }, signal);
      const byDay = await api.spend({ month, groupBy: "day", ...filters }, signal);
      const previous = await api.spend(
        { month: previousMonth(month), groupBy: "budget", ...filters },
        signal,
      );
      return { byBudget, byAccount, byService, byDay, previous };
    },
    [month, accountId, budgetId],
  );
  const accounts = lists.data?.[0].accounts ?? [];
  const budgets = lists.data?.[1].budgets ?? [];
  const nameOf = (id: string) => accounts.find((a) => a.accountId === id)?.name;
  const d = data.data;
  const days = useMemo(() => (d ? [...d.byDay.groups].sort((a, b) => a.key.localeCompare(b.key)) : []), [d]);
  const lastDay = days.at(-1)?.key;
  const spec = useMemo(
    () => ({
      categories: days.map((g) => g.key.slice(8)),
      series: [{ name: "Spend (USD)", values: days.map((g) => g.amountUsd) }],
    }),
    [days],
  );
  const year = Number(month.slice(0, 4));
  const budgetRows = (d?.byBudget.groups ?? []).map((g) => {
    const b = budgets.find((x) => x.budgetId === g.key && x.year === year);
    const allowance = b ? (b.amountUsd * daysInMonth(month)) / (year % 4 === 0 ? 366 : 365) : undefined;
    const daysSeen = lastDay ? Number(lastDay.slice(8)) : daysInMonth(month);
    const forecast = (g.amountUsd / daysSeen) * daysInMonth(month);
    return { ...g, name: b?.name, allowance, forecast };
  });
  const money2 = (n: number | undefined) => (n === undefined ? "" : n.toFixed(2));
  const top: (label: string, name?: (r: Row) => string | undefined) => Column<Row>[] = (label, name) => [
    { header: label, value: (r) => r.key },
    ...(name ? [{ header: "Name", value: (r: Row) => name(r) ?? "" }] : []),
    {
      header: "Spend (USD)",
      value: (r) => money2(r.amountUsd),
      render: (r) => money(r.amountUsd),
      numeric: true,
    },
  ];
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Overview</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Month
          <select value={month} onChange={(e) => setMonth(e.target.value)}>
            {months.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Account
          <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.accountId} value={a.accountId}>
                {a.name ? `${a.name} (${a.accountId})` : a.accountId}
              </option>
            ))}
          </select>
        </label>
        <label>
          Budget
          <select value={budgetId} onChange={(e) => setBudgetId(e.target.value)}>
            <option value="">All budgets</option>
            {[...new Set(budgets.map((b) => b.budgetId))].map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
      </form>
      {!month && <p>No CUR month has been ingested yet.</p>}
      <Status loaded={data} />
      {d && (
        <>
          <div className="kpis">
            <div className="kpi">
              <span>Spend {month}</span>
              <strong data-testid="total-month">{money(d.byBudget.totalUsd)}</strong>
              <small>{lastDay ? `through ${lastDay}` : "no spend"}</small>
            </div>
            <div className="kpi">
              <span>Spend {previousMonth(month)}</span>
              <strong data-testid="total-previous">{money(d.previous.totalUsd)}</strong>
              <small>previous month</small>
            </div>
            <div className="kpi">
              <span>Unallocated {month}</span>
              <strong data-testid="total-unallocated">
                {money(d.byBudget.groups.find((g) => g.key === "(unallocated)")?.amountUsd ?? 0)}
              </strong>
              <small>accounts in no budget</small>
            </div>
          </div>
          <h3>Daily spend</h3>
          <Chart spec={spec} label={`Daily spend of ${month}, ${days.length} days`} />
          <div className="grid2">
            <DataTable
              caption="Top accounts"
              csvName={`accounts-${month}`}
              testId="top-accounts"
              columns={top("Account", (r) => nameOf(r.key))}
              rows={d.byAccount.groups.slice(0, 10)}
              rowKey={(r) => r.key}
            />
            <DataTable
              caption="Top services"
              csvName={`services-${month}`}
              testId="top-services"
              columns={top("Service")}
              rows={d.byService.groups.slice(0, 10)}
              rowKey={(r) => r.key}
            />
          </div>
          <DataTable
            caption="Budget vs actual vs forecast"
            csvName={`budgets-${month}`}
            testId="budget-vs-actual"
            columns={[
              { header: "Budget", value: (r) => r.key },
              { header: "Name", value: (r) => r.name ?? "" },
              {
                header: "Allowance (USD)",
                value: (r) => money2(r.allowance),
                render: (r) => (r.allowance === undefined ? "—" : money(r.allowance)),
                numeric: true,
              },
              {
                header: "Actual (USD)",
                value: (r) => money2(r.amountUsd),
                render: (r) => money(r.amountUsd),
                numeric: true,
              },
              {
                header: "Forecast (USD)",
                value: (r) => money2(r.forecast),
                render: (r) => money(r.forecast),
                numeric: true,
              },
            ]}
            rows={budgetRows}
            rowKey={(r) => r.key}
          />
        </>
      )}
    </section>
  );
}
