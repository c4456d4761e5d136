import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { withTable } from "../cur-queries";
import { type CurDelivery, type QueryEngine, QueryFailedError, type QueryRow, type QueryValue } from "./port";

export interface AthenaEngineOptions {
  readonly athena: AthenaClient;
  readonly workgroup: string;
  readonly database: string;
  readonly table: string;
  /** Give up waiting for a query after this long (and stop it). @default 600 */
  readonly maxWaitSeconds?: number;
  /** First poll delay; doubles up to maxPollMs. @default 500 */
  readonly initialPollMs?: number;
  /** @default 5000 */
  readonly maxPollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const NUMERIC = new Set([
  "double",
  "float",
  "real",
  "bigint",
  "integer",
  "int",
  "smallint",
  "tinyint",
  "decimal",
]);

/**
 * The AWS adapter: the CUR 2.0 Glue table (partition projection on billing_period) queried through
 * the data platform's workgroup, which enforces encryption and the bytes-scanned cutoff.
 */
export class AthenaQueryEngine implements QueryEngine {
  readonly kind = "athena" as const;

  constructor(private readonly options: AthenaEngineOptions) {}

  /** Athena reads the table's fixed schema from Glue; partition projection finds the month's prefix. */
  async attach(_delivery: CurDelivery): Promise<undefined> {
    return undefined;
  }

  async query(sql: string, params: readonly string[]): Promise<QueryRow[]> {
    const o = this.options;
    const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const started = await o.athena.send(
      new StartQueryExecutionCommand({
        QueryString: withTable(sql, `"${o.database}"."${o.table}"`),
        WorkGroup: o.workgroup,
        QueryExecutionContext: { Database: o.database },
        // Athena takes execution parameters as SQL literals; ours are validated YYYY-MM strings.
        ExecutionParameters: params.length ? params.map((p) => `'${p.replace(/'/g, "''")}'`) : undefined,
      }),
    );
    const id = started.QueryExecutionId!;
    const deadline = Date.now() + (o.maxWaitSeconds ?? 600) * 1000;
    let delay = o.initialPollMs ?? 500;
    let state: QueryExecutionState | undefined;
    for (;;) {
      const got = await o.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      state = got.QueryExecution?.Status?.State;
      if (state === "SUCCEEDED") break;
      if (state === "FAILED" || state === "CANCELLED")
        throw new QueryFailedError(
          "athena",
          `${id} ${state}: ${got.QueryExecution?.Status?.StateChangeReason ?? "no reason given"}`,
        );
      if (Date.now() + delay > deadline) {
        await o.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw new QueryFailedError(
          "athena",
          `${id} still ${state} after ${o.maxWaitSeconds ?? 600} s; stopped it. Raise the wait or look at the workgroup's queue`,
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, o.maxPollMs ?? 5000);
    }

    const rows: QueryRow[] = [];
    let token: string | undefined;
    let header = true;
    let types: string[] = [];
    let names: string[] = [];
    do {
      const page = await o.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }),
      );
      if (types.length === 0) {
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        names = info.map((c) => c.Name!);
        types = info.map((c) => (c.Type ?? "varchar").toLowerCase());
      }
      for (const r of page.ResultSet?.Rows ?? []) {
        if (header) {
          header = false; // the first row of the first page repeats the column names
          continue;
        }
        const out: QueryRow = {};
        (r.Data ?? []).forEach((d, i) => {
          const raw = d.VarCharValue;
          const value: QueryValue =
            raw === undefined ? null : NUMERIC.has(types[i]!.replace(/\(.*$/, "")) ? Number(raw) : raw;
          out[names[i]!] = value;
        });
        rows.push(out);
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }

  async close(): Promise<void> {}
}
