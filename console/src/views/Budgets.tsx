import { useState } from "react";
import { changeRequestBody } from "../../../functions/api/operations/change-requests";
import { updateBudgetBody } from "../../../functions/api/schemas";
import type { Api, Budget } from "../api";
import { money } from "../format";
import { FieldError, Form, useForm } from "../forms/Form";
import { DataTable, Status, useLoad } from "../ui";
import { check } from "../validate";

/**
 * Budgets in scope with the selected month's actual against the month's share of the budget.
 * Changes are requested here: finance changes a budget (PATCH; an amount change above the approval
 * threshold starts the approval workflow, 202), a budget's owner or manager requests a change of its
 * amount (POST …/change-requests, always approved by a FinancialAdmin). Both show in the inbox.
 */
export function Budgets({ api, finance, month }: { api: Api; finance: boolean; month?: string }) {
  const year = month ? Number(month.slice(0, 4)) : new Date().getUTCFullYear();
  const budgets = useLoad(() => api.budgets(year), [year]);
  const actual = useLoad(
    (signal) => (month ? api.spend({ month, groupBy: "budget" }, signal) : Promise.resolve(undefined)),
    [month],
  );
  const [notice, setNotice] = useState("");
  /** The month's actual, once read (undefined while loading or after an error, shown as such). */
  const spentOf = (b: Budget) =>
    actual.data ? (actual.data.groups.find((g) => g.key === b.budgetId)?.amountUsd ?? 0) : undefined;
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Budgets {year}</h2>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <Status loaded={budgets} />
      {actual.error && <Status loaded={actual} />}
      {budgets.data && (
        <DataTable
          caption={`Budgets and actual spend${month ? ` in ${month}` : ""}`}
          csvName={`budgets-${year}`}
          testId="budgets"
          columns={[
            { header: "Budget", value: (b: Budget) => b.budgetId },
            { header: "Name", value: (b) => b.name },
            { header: "Scope", value: (b) => `${b.scope.level}: ${b.scope.name}` },
            { header: "Owner", value: (b) => b.owner },
            {
              header: "Annual amount (USD)",
              value: (b) => b.amountUsd.toFixed(2),
              render: (b) => money(b.amountUsd),
              numeric: true,
            },
            {
              header: "Month share (USD)",
              value: (b) => (b.amountUsd / 12).toFixed(2),
              render: (b) => money(b.amountUsd / 12),
              numeric: true,
            },
            {
              header: `Actual ${month ?? ""} (USD)`,
              value: (b) => spentOf(b)?.toFixed(2) ?? "",
              render: (b) => {
                const spent = spentOf(b);
                return spent === undefined ? (actual.error ? "unavailable" : "…") : money(spent);
              },
              numeric: true,
            },
          ]}
          rows={budgets.data.budgets}
          rowKey={(b) => `${b.budgetId}-${b.year}`}
        />
      )}
      {budgets.data && budgets.data.budgets.length > 0 && (
        <RequestChange
          api={api}
          finance={finance}
          budgets={budgets.data.budgets}
          onDone={(text) => {
            setNotice(text);
            budgets.reload();
          }}
        />
      )}
    </section>
  );
}

function RequestChange({
  api,
  finance,
  budgets,
  onDone,
}: {
  api: Api;
  finance: boolean;
  budgets: readonly Budget[];
  onDone(text: string): void;
}) {
  const [key, setKey] = useState(`${budgets[0]!.budgetId}/${budgets[0]!.year}`);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const form = useForm("change", {
    validate: () => {
      const amountUsd = amount.trim() === "" ? undefined : Number(amount);
      const input = {
        ...(amountUsd === undefined ? {} : { amountUsd: Number.isNaN(amountUsd) ? amount : amountUsd }),
        reason,
      };
      const parsed = finance ? check(updateBudgetBody, input) : check(changeRequestBody, input);
      return parsed.ok || !parsed.errors.body
        ? parsed
        : { ok: false, errors: { amountUsd: parsed.errors.body } };
    },
    send: async (value) => {
      const [budgetId, year] = key.split("/") as [string, string];
      const res = finance
        ? await api.updateBudget(budgetId, Number(year), value)
        : await api.requestChange(budgetId, Number(year), value as { amountUsd: number; reason: string });
      setAmount("");
      setReason("");
      return res.status === 202
        ? `Change of ${budgetId} sent for approval: ${res.body.note ?? ""}`
        : `Budget ${budgetId} updated.`;
    },
    onDone,
  });
  return (
    <Form form={form} title="Request a budget change" submitLabel="Request change">
      <label htmlFor="change-budget">Budget</label>
      <select id="change-budget" value={key} onChange={(e) => setKey(e.target.value)}>
        {budgets.map((b) => (
          <option key={`${b.budgetId}/${b.year}`} value={`${b.budgetId}/${b.year}`}>
            {b.name} ({b.budgetId}, {b.year}: {money(b.amountUsd)})
          </option>
        ))}
      </select>
      <label htmlFor="change-amountUsd">New annual amount (USD)</label>
      <input
        id="change-amountUsd"
        inputMode="decimal"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        {...form.fieldProps("amountUsd")}
      />
      <FieldError form={form} field="amountUsd" label="New annual amount" />
      <label htmlFor="change-reason">Reason</label>
      <textarea
        id="change-reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        {...form.fieldProps("reason")}
      />
      <FieldError form={form} field="reason" label="Reason" />
    </Form>
  );
}
