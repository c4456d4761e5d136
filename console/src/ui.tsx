/** Shared pieces of the views: data loading, tables with CSV export, messages. */
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { toCsv } from "./format";

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: string;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change; `reload()` runs it again. The signal aborts when the view goes or
 * the inputs change, so a load of several calls stops issuing them.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what load depends on
  useEffect(() => {
    const controller = new AbortController();
    const live = () => !controller.signal.aborted;
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => live() && setState({ data, loading: false }),
      (e: Error) => live() && setState({ error: e.message, loading: false }),
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function ErrorMessage({ children }: { children: ReactNode }) {
  return (
    <p className="error" role="alert">
      {children}
    </p>
  );
}

export function Status({ loaded }: { loaded: Loaded<unknown> }) {
  if (loaded.error) return <ErrorMessage>{loaded.error}</ErrorMessage>;
  if (loaded.loading && loaded.data === undefined)
    return (
      <p className="muted" aria-live="polite">
        Loading…
      </p>
    );
  return null;
}

export interface Column<R> {
  readonly header: string;
  readonly value: (r: R) => string | number | undefined;
  readonly render?: (r: R) => ReactNode;
  readonly numeric?: boolean;
}

/** A table with a caption and an "Export CSV" button (the same columns and values). */
export function DataTable<R>({
  caption,
  columns,
  rows,
  rowKey,
  csvName,
  testId,
  footer,
}: {
  caption: string;
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey: (r: R) => string;
  csvName: string;
  testId?: string;
  footer?: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <div className="table-head">
        <h3 id={`${csvName}-caption`}>{caption}</h3>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            downloadCsv(
              `${csvName}.csv`,
              toCsv(
                columns.map((c) => c.header),
                rows.map((r) => columns.map((c) => c.value(r))),
              ),
            )
          }
        >
          Export CSV<span className="visually-hidden"> of {caption}</span>
        </button>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1; axe scrollable-region-focusable) */}
      <section className="scroll" aria-labelledby={`${csvName}-caption`} tabIndex={0}>
        <table data-testid={testId}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col" className={c.numeric ? "num" : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Nothing to show.
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={rowKey(r)}>
                  {columns.map((c) => (
                    <td key={c.header} className={c.numeric ? "num" : undefined}>
                      {c.render ? c.render(r) : c.value(r)}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
          {footer}
        </table>
      </section>
    </div>
  );
}

/** Saves a CSV file through a temporary link (the browser's download). */
export function downloadCsv(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
