import type { RolloutEvent, RolloutResult, RolloutStack } from "./waves";

/**
 * The rollout as text for `npm run deploy`: a live status line per scheduler event
 * (formatRolloutEvent) and the per-account result table (renderRolloutTable).
 */

/** "850ms", "12.3s", "2m 05s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

function accountOf(unit: RolloutStack): string {
  return `${unit.accountName} (${unit.accountId})`;
}

/** One status line per event, for live output: "[3/20] member-dev dev (333333333333) failed in 4.1s". */
export function formatRolloutEvent(event: RolloutEvent): string {
  const who = `${event.unit.stack} ${accountOf(event.unit)}`;
  switch (event.type) {
    case "started":
      return `wave ${event.unit.wave}: started ${who}`;
    case "finished":
      return `[${event.done}/${event.total}] ${who} ${event.status} in ${formatDuration(event.durationMs)}`;
    case "skipped":
      return `skipped ${who}: ${event.reason}`;
  }
}

/** The per-account result table (plain text) with a summary line. */
export function renderRolloutTable(result: RolloutResult): string {
  const header = ["#", "Wave", "Stack", "Account", "Regions", "Status", "Duration", "Detail"];
  const rows = result.outcomes.map((o) => [
    o.startIndex === undefined ? "-" : String(o.startIndex + 1),
    String(o.unit.wave),
    o.unit.stack,
    accountOf(o.unit),
    o.unit.regions.join(","),
    o.status,
    o.durationMs === undefined ? "-" : formatDuration(o.durationMs),
    (o.detail ?? "").replace(/\s*\n\s*/g, " ").slice(0, 120),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const l = result.limits;
  const summary = [
    `${result.succeeded} succeeded, ${result.failed} failed, ${result.skipped} skipped in ${formatDuration(result.durationMs)}`,
    `members: max ${l.maxConcurrent} at once${l.capped ? ` (configured ${l.configuredMaxConcurrent}, capped at tolerance + 1)` : ""}, failure tolerance ${l.failureTolerance}, ${l.mode === "STRICT_FAILURE_TOLERANCE" ? "strict" : "soft"}`,
    ...(result.stoppedBy ? [`stopped: ${result.stoppedBy} failed`] : []),
    ...(result.toleranceExceeded ? ["stopped starting members: failure tolerance exceeded"] : []),
  ];
  return `${[line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), "", ...summary].join("\n")}\n`;
}
