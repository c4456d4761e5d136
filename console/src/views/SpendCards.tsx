import { useState } from "react";
import type { Api, SpendCard } from "../api";
import { money } from "../format";
import { DataTable, ErrorMessage, Status, useLoad } from "../ui";

/** The weekly spend cards in scope, provisional and final; approved by finance or the budget's managers. */
export function SpendCards({ api }: { api: Api }) {
  const cards = useLoad(() => api.cards(), []);
  const [error, setError] = useState("");
  const approve = async (c: SpendCard) => {
    try {
      await api.approveCard(c.budgetId, c.periodId);
      setError("");
      cards.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Spend cards</h2>
      <Status loaded={cards} />
      {error && <ErrorMessage>{error}</ErrorMessage>}
      {cards.data && (
        <DataTable
          caption="Weekly cards"
          csvName="spend-cards"
          testId="cards"
          columns={[
            { header: "Budget", value: (c: SpendCard) => c.budgetId },
            { header: "Period", value: (c) => `${c.periodId} (${c.start} – ${c.end})` },
            { header: "State", value: (c) => (c.final ? "final" : "provisional") },
            {
              header: "Allowance (USD)",
              value: (c) => c.allowanceUsd.toFixed(2),
              render: (c) => money(c.allowanceUsd),
              numeric: true,
            },
            {
              header: "Spend (USD)",
              value: (c) => c.spendUsd.toFixed(2),
              render: (c) => money(c.spendUsd),
              numeric: true,
            },
            { header: "Status", value: (c) => c.status },
            {
              header: "Top mover",
              value: (c) =>
                c.topMovers[0] ? `${c.topMovers[0].key} ${c.topMovers[0].deltaUsd.toFixed(2)}` : "",
            },
            {
              header: "Approval",
              value: (c) => (c.approval ? `approved by ${c.approval.byEmail ?? c.approval.by}` : ""),
              render: (c) =>
                c.approval ? (
                  `approved by ${c.approval.byEmail ?? c.approval.by}`
                ) : (
                  <button type="button" className="secondary" onClick={() => void approve(c)}>
                    Approve
                    <span className="visually-hidden">
                      {" "}
                      card {c.budgetId} {c.periodId}
                    </span>
                  </button>
                ),
            },
          ]}
          rows={[...cards.data.cards].sort(
            (a, b) => b.periodId.localeCompare(a.periodId) || a.budgetId.localeCompare(b.budgetId),
          )}
          rowKey={(c) => `${c.budgetId}-${c.periodId}`}
        />
      )}
    </section>
  );
}
