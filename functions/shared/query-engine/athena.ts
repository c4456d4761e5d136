/**
 * The AWS adapter of the query engine port: the CUR 2.0 Glue table (partition projection on
 * billing_period) queried through the data platform's workgroup, which enforces encryption and the
 * bytes-scanned cutoff.
 *
 * What it relies on from Athena (AWS documentation):
 * - Only the delivery's files: once `attach` has a delivery, `{{cur}}` becomes
 *   `(SELECT * FROM "db"."table" WHERE billing_period = '<period>' AND "$path" IN ('s3://<bucket>/<key>', ...)) AS cur`.
 *   `"$path"` is the S3 URI of the object a row was read from
 *   (https://docs.aws.amazon.com/athena/latest/ug/select.html#select-path), so a stale or
 *   half-replicated file left under `BILLING_PERIOD=` by an earlier delivery is not counted, as
 *   the DuckDB engine reads exactly the manifest's files. The alias is the DuckDB view's name, so
 *   write `FROM {{cur}}` (no alias of your own) and qualify columns, if at all, as `cur.<column>`.
 *   The subquery's `SELECT *` leaves `"$path"` out, so the SQL's `{{file}}` (the file a line was read
 *   from, cur-queries.ts) is NULL here: the delivery check's errors say "one of the delivery's files"
 *   on Athena, where the DuckDB engine names the file.
 * - The query string limit is 262,144 bytes of UTF-8 and not adjustable
 *   (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html). A delivery whose file list
 *   does not fit fails at `attach` with a CurDeliveryError instead of being chunked: the port's
 *   queries aggregate across files (SUM, COUNT, GROUP BY), so per-chunk results cannot be merged
 *   without knowing the SQL. With this landing's keys (~100 bytes a URI) the ceiling is ~2,400 files.
 * - The header row: `GetQueryResults` returns a DML (SELECT) result's column names as the first
 *   row of the first page; DDL and UTILITY results (SHOW, DESCRIBE) have no such row: DML results
 *   are CSV files with a header, DDL results plain text
 *   (https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html, "Identify
 *   query output files"). `GetQueryExecution`'s `QueryExecution.StatementType` says which
 *   (https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecution.html).
 * - Values: every `Datum` is a `VarCharValue` string (absent for NULL) and `ColumnInfo.Type` names
 *   its type; `athenaValue` converts them (see there).
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  type StatementType,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { CurDeliveryError } from "../cur-delivery-error";
import { withTable } from "../cur-queries";
import { type CurDelivery, type QueryEngine, QueryFailedError, type QueryRow, type QueryValue } from "./port";

/** Athena's query string limit in bytes (UTF-8); not adjustable. */
export const ATHENA_MAX_QUERY_BYTES = 262_144;

/**
 * Bytes of the query string kept free for the SQL around `{{cur}}` when `attach` checks that the
 * delivery's file list fits (the ingest's queries are ~3 KB). `query` checks the exact length again.
 */
export const ATHENA_SQL_RESERVE_BYTES = 16_384;

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

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The s3:// URIs Athena reports in `"$path"` for the delivery's data files. */
export function deliveryUris(delivery: Pick<CurDelivery, "bucket" | "dataKeys">): string[] {
  return delivery.dataKeys.map((key) => `s3://${delivery.bucket}/${key}`);
}

/**
 * What `{{cur}}` becomes for a delivery: the table restricted to the billing period's partition and
 * to exactly the delivery's files, aliased `cur`.
 */
export function deliveryTableReference(
  database: string,
  table: string,
  delivery: Pick<CurDelivery, "billingPeriod" | "bucket" | "dataKeys">,
): string {
  const uris = deliveryUris(delivery).map(literal).join(", ");
  return `(SELECT * FROM ${ident(database)}.${ident(table)} WHERE billing_period = ${literal(delivery.billingPeriod)} AND "$path" IN (${uris})) AS cur`;
}

/**
 * Whether the first row of the first `GetQueryResults` page holds the column names: only for DML.
 * Should Athena leave `StatementType` out, the row is taken for a header only when it repeats the
 * column names exactly.
 */
export function hasHeaderRow(
  statementType: StatementType | string | undefined,
  columnNames: readonly string[],
  firstRow: readonly (string | undefined)[] | undefined,
): boolean {
  if (statementType === "DML") return true;
  if (statementType !== undefined) return false;
  return (
    firstRow !== undefined &&
    firstRow.length === columnNames.length &&
    firstRow.every((v, i) => v === columnNames[i])
  );
}

const INTEGER = new Set(["tinyint", "smallint", "integer", "int"]);
const FLOATING = new Set(["double", "float", "real"]);
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * One result value from its `VarCharValue` and its `ColumnInfo.Type`:
 *   absent VarCharValue                 null (Athena leaves it out for NULL)
 *   tinyint, smallint, integer          number
 *   bigint                              number while it is a safe integer, else the exact text
 *   double, float, real                 number (the text is the double Athena computed, so Number()
 *                                       gives the same double); NaN and ±Infinity stay text
 *   decimal(p,s)                        the exact decimal text (no rounding through a double;
 *                                       DuckDB's engine also returns DECIMAL as text)
 *   boolean                             true / false
 *   anything else (varchar, date,       the text as Athena wrote it
 *   timestamp, map, array, row, ...)
 * A numeric column whose text is not a number is a QueryFailedError naming the column.
 */
export function athenaValue(raw: string | undefined, type: string, column: string): QueryValue {
  if (raw === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, "").trim();
  const bad = (): never => {
    throw new QueryFailedError(
      "athena",
      `column ${column} (${type}) came back as ${JSON.stringify(raw.slice(0, 80))}, which is not a ${base}`,
    );
  };
  if (INTEGER.has(base)) return /^[-+]?\d+$/.test(raw) ? Number(raw) : bad();
  if (base === "bigint") {
    if (!/^[-+]?\d+$/.test(raw)) return bad();
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (FLOATING.has(base)) {
    if (raw === "NaN" || raw === "Infinity" || raw === "-Infinity") return raw;
    return NUMBER_TEXT.test(raw) ? Number(raw) : bad();
  }
  if (base === "decimal") return NUMBER_TEXT.test(raw) ? raw : bad();
  if (base === "boolean") return raw === "true" ? true : raw === "false" ? false : bad();
  return raw;
}

interface AttachedDelivery {
  readonly billingPeriod: string;
  readonly fileCount: number;
  readonly tableReference: string;
}

export class AthenaQueryEngine implements QueryEngine {
  readonly kind = "athena" as const;
  private delivery?: AttachedDelivery;

  constructor(private readonly options: AthenaEngineOptions) {}

  /**
   * Restricts `{{cur}}` to the delivery's billing period and files (until the next attach or close).
   * Athena reads the table's fixed schema from Glue, so no columns come back.
   */
  async attach(delivery: CurDelivery): Promise<undefined> {
    this.delivery = undefined;
    if (!/^\d{4}-\d{2}$/.test(delivery.billingPeriod))
      throw new CurDeliveryError("billingPeriod", `${JSON.stringify(delivery.billingPeriod)} is not YYYY-MM`);
    if (delivery.dataKeys.length === 0) throw new CurDeliveryError("dataFiles", "no data files to read");
    const tableReference = deliveryTableReference(this.options.database, this.options.table, delivery);
    const bytes = Buffer.byteLength(tableReference, "utf8");
    if (bytes > ATHENA_MAX_QUERY_BYTES - ATHENA_SQL_RESERVE_BYTES)
      throw new CurDeliveryError(
        "dataFiles",
        `the manifest lists ${delivery.dataKeys.length} data files; restricting Athena to exactly them takes ${bytes} bytes of SQL, more than Athena's ${ATHENA_MAX_QUERY_BYTES}-byte query string limit (not adjustable) leaves for the query (${ATHENA_SQL_RESERVE_BYTES} bytes kept free). The engine does not split the query, because its results aggregate across files; ingest this month with the DuckDB engine, or change the Athena engine`,
      );
    this.delivery = {
      billingPeriod: delivery.billingPeriod,
      fileCount: delivery.dataKeys.length,
      tableReference,
    };
    return undefined;
  }

  /** The SQL sent to Athena: `{{cur}}` as the attached delivery, or the whole table before any attach. */
  queryString(sql: string): string {
    const o = this.options;
    return withTable(sql, this.delivery?.tableReference ?? `${ident(o.database)}.${ident(o.table)}`);
  }

  async query(sql: string, params: readonly string[]): Promise<QueryRow[]> {
    const o = this.options;
    const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const queryString = this.queryString(sql);
    const bytes = Buffer.byteLength(queryString, "utf8");
    if (bytes > ATHENA_MAX_QUERY_BYTES)
      throw new QueryFailedError(
        "athena",
        `the query string is ${bytes} bytes, over Athena's ${ATHENA_MAX_QUERY_BYTES}-byte limit${
          this.delivery ? ` (the delivery's ${this.delivery.fileCount} file URIs are part of it)` : ""
        }; nothing was sent`,
      );
    const started = await o.athena.send(
      new StartQueryExecutionCommand({
        QueryString: queryString,
        WorkGroup: o.workgroup,
        QueryExecutionContext: { Database: o.database },
        // Athena takes execution parameters as SQL literals; ours are validated YYYY-MM strings.
        ExecutionParameters: params.length ? params.map(literal) : undefined,
      }),
    );
    const id = started.QueryExecutionId!;
    const deadline = Date.now() + (o.maxWaitSeconds ?? 600) * 1000;
    let delay = o.initialPollMs ?? 500;
    let state: QueryExecutionState | undefined;
    let statementType: StatementType | undefined;
    for (;;) {
      const got = await o.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      state = got.QueryExecution?.Status?.State;
      if (state === "SUCCEEDED") {
        statementType = got.QueryExecution?.StatementType;
        break;
      }
      if (state === "FAILED" || state === "CANCELLED") {
        const status = got.QueryExecution?.Status;
        const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? "no reason given";
        throw new QueryFailedError("athena", `${id} ${state}: ${reason}`);
      }
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
    let firstPage = true;
    let types: string[] = [];
    let names: string[] = [];
    do {
      const page = await o.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }),
      );
      if (names.length === 0) {
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        names = info.map((c, i) => c.Name ?? c.Label ?? `_col${i}`);
        types = info.map((c) => c.Type ?? "varchar");
      }
      let pageRows = page.ResultSet?.Rows ?? [];
      if (firstPage) {
        firstPage = false;
        const first = pageRows[0]?.Data?.map((d) => d.VarCharValue);
        if (hasHeaderRow(statementType, names, first)) pageRows = pageRows.slice(1);
      }
      for (const r of pageRows) {
        const out: QueryRow = {};
        (r.Data ?? []).forEach((d, i) => {
          const name = names[i] ?? `_col${i}`;
          out[name] = athenaValue(d.VarCharValue, types[i] ?? "varchar", name);
        });
        rows.push(out);
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }

  async close(): Promise<void> {
    this.delivery = undefined;
  }
}
