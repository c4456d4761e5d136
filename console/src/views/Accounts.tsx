import { useState } from "react";
import { mapAccountBody } from "../../../functions/api/schemas";
import type { Account, Api, Budget } from "../api";
import { DataTable, ErrorMessage, Status, useLoad } from "../ui";
import { check, type FieldErrors } from "../validate";

/** Every account in scope; for finance, the unallocated queue, each mapped to a budget from here. */
export function Accounts({ api, finance }: { api: Api; finance: boolean }) {
  const all = useLoad(() => api.accounts(), []);
  const queue = useLoad(() => (finance ? api.accounts(true) : Promise.resolve(undefined)), [finance]);
  const budgets = useLoad(() => (finance ? api.budgets() : Promise.resolve(undefined)), [finance]);
  const reload = () => {
    all.reload();
    queue.reload();
  };
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Accounts</h2>
      {finance && (
        <>
          <Status loaded={queue} />
          {queue.data && (
            <div className="table-wrap">
              <h3>Unallocated queue ({queue.data.accounts.length})</h3>
              <p className="muted">
                Accounts Organizations lists that are in no budget. Map each to a budget: its spend counts for
                that budget from now on.
              </p>
              {queue.data.accounts.length === 0 ? (
                <p>Every account is allocated.</p>
              ) : (
                <ul className="queue" data-testid="unallocated-queue">
                  {queue.data.accounts.map((a) => (
                    <MapAccount
                      key={a.accountId}
                      api={api}
                      account={a}
                      budgets={budgets.data?.budgets ?? []}
                      onMapped={reload}
                    />
                  ))}
                </ul>
              )}
            </div>
          )}
        </>
      )}
      <Status loaded={all} />
      {all.data && (
        <DataTable
          caption="Accounts"
          csvName="accounts"
          testId="accounts"
          columns={[
            { header: "Account", value: (a: Account) => a.accountId },
            { header: "Name", value: (a) => a.name ?? "" },
            { header: "Organizations state", value: (a) => a.orgStatus ?? "" },
            { header: "Allocation", value: (a) => a.allocationStatus },
            { header: "Budget", value: (a) => a.budgetId ?? "" },
          ]}
          rows={all.data.accounts}
          rowKey={(a) => a.accountId}
        />
      )}
    </section>
  );
}

function MapAccount({
  api,
  account,
  budgets,
  onMapped,
}: {
  api: Api;
  account: Account;
  budgets: readonly Budget[];
  onMapped(): void;
}) {
  const [budgetId, setBudgetId] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const id = `map-${account.accountId}`;
  const submit = async () => {
    const parsed = check(mapAccountBody, { budgetId, ...(reason.trim() ? { reason } : {}) });
    if (!parsed.ok) return setErrors(parsed.errors);
    setBusy(true);
    try {
      await api.mapAccount(account.accountId, parsed.value);
      setErrors({});
      onMapped();
    } catch (e) {
      setErrors({ form: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <li>
      <form
        className="inline-form"
        aria-label={`Map account ${account.accountId}`}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <span className="who">
          <strong>{account.name ?? account.accountId}</strong> {account.accountId}
          {account.orgStatus ? ` · ${account.orgStatus}` : ""}
        </span>
        <label htmlFor={`${id}-budget`}>Budget</label>
        <select
          id={`${id}-budget`}
          value={budgetId}
          onChange={(e) => setBudgetId(e.target.value)}
          aria-invalid={errors.budgetId ? true : undefined}
          aria-describedby={errors.budgetId ? `${id}-budget-error` : undefined}
        >
          <option value="">Choose a budget</option>
          {[...new Map(budgets.map((b) => [b.budgetId, b])).values()].map((b) => (
            <option key={b.budgetId} value={b.budgetId}>
              {b.name} ({b.budgetId}, owner {b.owner})
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-reason`}>Reason</label>
        <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
        <button type="submit" disabled={busy}>
          Map
        </button>
        {errors.budgetId && (
          <span className="field-error" id={`${id}-budget-error`}>
            Budget: {errors.budgetId}
          </span>
        )}
        {errors.form && <ErrorMessage>{errors.form}</ErrorMessage>}
      </form>
    </li>
  );
}
