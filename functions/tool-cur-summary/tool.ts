/**
 * The monthly CUR summary tool: `{ month: "YYYY-MM", query: <name> }` picks one predefined,
 * parameterized query (functions/shared/cur-summary-queries.ts); no SQL comes from the caller.
 */
import { toCurSummaryQuery } from "../shared/cur-summary-queries";
import type { QueryEngine, QueryRow } from "../shared/query-engine/port";

export async function runCurSummaryTool(
  engine: Pick<QueryEngine, "query">,
  table: string,
  input: unknown,
): Promise<{ result: { query: string; month: string; rows: QueryRow[] } } | { error: string }> {
  const q = toCurSummaryQuery(input, table);
  if (!q.ok) return { error: q.error };
  try {
    const rows = await engine.query(q.value.sql, q.value.parameters);
    return { result: { query: q.value.name, month: q.value.parameters[0], rows } };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
