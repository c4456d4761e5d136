/** Time helpers of the CUR 2.0 generator: the billing period's bounds and how CUR writes instants. */

export const MS_DAY = 86_400_000;
export const MS_HOUR = 3_600_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** "YYYY-MM-DD HH:MM:SS" for DuckDB TIMESTAMP (UTC). */
export function ts(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

export function periodBounds(billingPeriod: string): { start: number; end: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(billingPeriod);
  if (!m) throw new Error(`billingPeriod "${billingPeriod}" is not a month; give YYYY-MM, e.g. "2026-01"`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
}
