import { useMemo, useState } from "react";
import type { Api, SpendFilter } from "../api";
import { Chart } from "../chart";
import { dailyByService } from "../daily-by-service";
import { daysInMonth, money, previousMonth } from "../format";
import { type Column, DataTable, Status, useLoad } from "../ui";

interface Row {
  key: string;
  amountUsd: number;
}

const NO_FILTERS: Readonly<Record<SpendFilter, string>> = {
  accountId: "",
  budgetId: "",
  ou: "",
  environment: "",
  owner: "",
};

const distinct = (xs: readonly (string | undefined)[]): string[] =>
  [...new Set(xs.filter((x): x is string => !!x))].sort((a, b) => a.localeCompare(b));

/**
 * Month total, previous month, daily spend stacked by service, top accounts and services, budget vs
 * actual vs forecast; filtered by account, budget, OU, environment and budget owner (GET /spend's
 * filters, which narrow the caller's scope and never widen it).
 */
export function Overview({ api, months }: { api: Api; months: readonly string[] }) {
  const [month, setMonth] = useState(months[0] ?? "");
  const [filters, setFilters] = useState(NO_FILTERS);
  const set = (f: SpendFilter) => (e: { target: { value: string } }) =>
    setFilters((x) => ({ ...x, [f]: e.target.value }));
  const lists = useLoad(() => Promise.all([api.accounts(), api.budgets()]), []);
  const data = useLoad(
    async (signal) => {
      if (!month) return undefined;
      // One after another: each call reads the month's spend, and the API answers them in turn anyway.
      const byBudget = await api.spend({ month, groupBy: "budget", ...filters }, signal);
      const byAccount = await api.spend({ month, groupBy: "account", ...filters }, signal);
      const byService = await api.spend({ month, groupBy: "service", ...filters }, signal);
      const byDayService = await api.spend({ month, groupBy: "day,service", ...filters }, signal);
      const previous = await api.spend(
        { month: previousMonth(month), groupBy: "budget", ...filters },
        signal,
      );
      return { byBudget, byAccount, byService, byDayService, previous };
    },
    [month, filters],
  );
  const accounts = lists.data?.[0].accounts ?? [];
  const budgets = lists.data?.[1].budgets ?? [];
  const year = Number(month.slice(0, 4));
  const nameOf = (id: string) => accounts.find((a) => a.accountId === id)?.name;
  const d = data.data;
  const daily = useMemo(
    () =>
      dailyByService(
        (d?.byDayService.groups ?? []).map((g) => ({
          day: g.day ?? g.key.slice(0, 10),
          service: g.service ?? g.key.slice(11),
          amountUsd: g.amountUsd,
        })),
      ),
    [d],
  );
  const lastDay = daily.rows.at(-1)?.day;
  const active = Object.values(filters).some((v) => v !== "");
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
          <select value={filters.accountId} onChange={set("accountId")}>
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
          <select value={filters.budgetId} onChange={set("budgetId")}>
            <option value="">All budgets</option>
            {distinct(budgets.map((b) => b.budgetId)).map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        <label>
          OU
          <select value={filters.ou} onChange={set("ou")}>
            <option value="">All OUs</option>
            {distinct(accounts.map((a) => a.ouName)).map((ou) => (
              <option key={ou}>{ou}</option>
            ))}
          </select>
        </label>
        <label>
          Environment
          <select value={filters.environment} onChange={set("environment")}>
            <option value="">All environments</option>
            {distinct(accounts.map((a) => a.environment)).map((env) => (
              <option key={env}>{env}</option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <select value={filters.owner} onChange={set("owner")}>
            <option value="">All owners</option>
            {distinct(budgets.filter((b) => b.year === year).map((b) => b.owner.toLowerCase())).map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        {active && (
          <button type="button" className="secondary" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        )}
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
          <h3>Daily spend by service</h3>
          <Chart
            spec={daily.spec}
            label={`Daily spend of ${month} stacked by service: ${daily.rows.length} days, ${daily.services.length} services; the table "Daily spend by service" below has the figures`}
          />
          <details className="chart-data">
            <summary>Daily spend by service as a table</summary>
            <DataTable
              caption="Daily spend by service"
              csvName={`daily-by-service-${month}`}
              testId="daily-by-service"
              columns={[
                { header: "Day", value: (r) => r.day },
                ...daily.services.map((s) => ({
                  header: s,
                  value: (r: (typeof daily.rows)[number]) => money2(r.byService[s]),
                  render: (r: (typeof daily.rows)[number]) => money(r.byService[s] ?? 0),
                  numeric: true,
                })),
                {
                  header: "Total (USD)",
                  value: (r) => money2(r.totalUsd),
                  render: (r) => money(r.totalUsd),
                  numeric: true,
                },
              ]}
              rows={daily.rows}
              rowKey={(r) => r.day}
            />
          </details>
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
