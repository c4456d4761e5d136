import { useState } from "react";
import { decisionBody } from "../../../functions/api/schemas";
import type { Api, BudgetChange } from "../api";
import { money } from "../format";
import { DataTable, ErrorMessage, Status, useLoad } from "../ui";
import { check } from "../validate";

/**
 * The approver's inbox: pending budget changes, approved or rejected with a comment (FinancialAdmins
 * only, never their own change: the API refuses both, and the buttons are not offered), and history.
 */
export function Approvals({ api, canDecide, sub }: { api: Api; canDecide: boolean; sub: string }) {
  const changes = useLoad(() => api.approvals(), []);
  const pending = changes.data?.changes.filter((c) => c.status === "pending") ?? [];
  const done = changes.data?.changes.filter((c) => c.status !== "pending") ?? [];
  const amount = (c: BudgetChange) =>
    c.changes.amountUsd === undefined ? "" : `${money(c.previousAmountUsd)} → ${money(c.changes.amountUsd)}`;
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Approvals</h2>
      <Status loaded={changes} />
      <h3>Waiting for a decision ({pending.length})</h3>
      {pending.length === 0 && <p>No change is waiting.</p>}
      <ul className="queue" data-testid="pending-changes">
        {pending.map((c) => (
          <li key={c.changeId}>
            <div className="who">
              <strong>
                {c.budgetId} {c.year}
              </strong>{" "}
              {amount(c)} · “{c.reason}” · by {c.submittedByEmail ?? c.submittedBy}
            </div>
            {canDecide && c.submittedBy !== sub ? (
              <Decide api={api} change={c} onDone={changes.reload} />
            ) : (
              <p className="muted">
                {canDecide
                  ? "You submitted this change: another FinancialAdmin decides it."
                  : "Only FinancialAdmins decide."}
              </p>
            )}
          </li>
        ))}
      </ul>
      <DataTable
        caption="History"
        csvName="approvals-history"
        testId="changes-history"
        columns={[
          { header: "Budget", value: (c: BudgetChange) => `${c.budgetId} ${c.year}` },
          { header: "Change", value: amount },
          { header: "Status", value: (c) => c.status },
          { header: "Submitted by", value: (c) => c.submittedByEmail ?? c.submittedBy },
          { header: "Decided by", value: (c) => c.decidedByEmail ?? c.decidedBy ?? "" },
          { header: "Comment", value: (c) => c.decisionNote ?? "" },
        ]}
        rows={done}
        rowKey={(c) => c.changeId}
      />
    </section>
  );
}

function Decide({ api, change, onDone }: { api: Api; change: BudgetChange; onDone(): void }) {
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const id = `note-${change.changeId}`;
  const decide = async (decision: "approve" | "reject") => {
    const parsed = check(decisionBody, { decision, ...(note.trim() ? { note } : {}) });
    if (!parsed.ok) return setError(Object.values(parsed.errors).join("; "));
    setBusy(true);
    try {
      await api.decide(change.changeId, parsed.value);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="inline-form"
      aria-label={`Decide the change of ${change.budgetId}`}
      onSubmit={(e) => e.preventDefault()}
    >
      <label htmlFor={id}>Comment</label>
      <input id={id} value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="button" disabled={busy} onClick={() => void decide("approve")}>
        Approve
      </button>
      <button type="button" className="danger" disabled={busy} onClick={() => void decide("reject")}>
        Reject
      </button>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </form>
  );
}
