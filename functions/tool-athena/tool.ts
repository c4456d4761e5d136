/**
 * The Athena tool: one read-only statement (SELECT, WITH … SELECT, SHOW, DESCRIBE) checked by the
 * SQL guard, run in the FinOps workgroup (bytes-scanned cutoff, enforced result encryption) under
 * a role that can only read the CUR tables. Input `{ "sql": "…" }`; at most MAX_ROWS rows back.
 */
import * as z from "zod";
import { formatIssues } from "../shared/cost-explorer-params";
import type { QueryEngine, QueryRow } from "../shared/query-engine/port";
import type { SqlCheckResult } from "../shared/sql-guard/guard";

export const MAX_ROWS = 1000;

export const athenaToolInput = z.strictObject({
  sql: z
    .string({ error: "must be one read-only SQL statement as a string" })
    .min(1, { error: "must not be empty" })
    .describe(
      "One Trino statement: SELECT, WITH … SELECT, SHOW or DESCRIBE. Anything else (DDL, DML, CTAS, UNLOAD, EXPLAIN ANALYZE, CALL, several statements) is refused.",
    ),
});
export const athenaToolJsonSchema = z.toJSONSchema(athenaToolInput);

export interface AthenaToolDeps {
  readonly engine: Pick<QueryEngine, "query">;
  readonly check: (sql: string) => SqlCheckResult;
}

export async function runAthenaTool(
  deps: AthenaToolDeps,
  input: unknown,
): Promise<{ result: { kind: string; rows: QueryRow[]; truncated: boolean } } | { error: string }> {
  const parsed = athenaToolInput.safeParse(input);
  if (!parsed.success) return { error: formatIssues(parsed.error) };
  const verdict = deps.check(parsed.data.sql);
  if (!verdict.allowed) return { error: `refused (${verdict.category}): ${verdict.reason}` };
  try {
    const rows = await deps.engine.query(parsed.data.sql, []);
    return {
      result: { kind: verdict.kind, rows: rows.slice(0, MAX_ROWS), truncated: rows.length > MAX_ROWS },
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
