/**
 * The query engine port of the CUR ingest: the same SQL (functions/shared/cur-queries.ts) runs on
 * Athena in AWS and on DuckDB locally and in tests.
 */
export type QueryValue = string | number | boolean | null;
export type QueryRow = Record<string, QueryValue>;

/** What one ingest reads: a billing period and the objects its manifest lists. */
export interface CurDelivery {
  readonly billingPeriod: string;
  /** Bucket the data files are read from (where the manifest landed: the replica). */
  readonly bucket: string;
  /** Object keys of the period's data files (Parquet or gzip CSV, by extension). */
  readonly dataKeys: readonly string[];
  /**
   * The manifest's columns (name and Data Exports type): the engine reads every format with these
   * types, so the same SQL sees the same types from Parquet and CSV.
   */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface QueryEngine {
  readonly kind: "athena" | "duckdb";
  /**
   * Makes the delivery (and only its files) queryable as {{cur}}. Returns the columns the engine sees
   * in the data when it can read them (DuckDB reads each file's schema and checks it against the
   * manifest), or undefined when the table's schema is fixed elsewhere (Athena: the Glue table).
   */
  attach(delivery: CurDelivery): Promise<readonly string[] | undefined>;
  /** Runs one SELECT; `params` bind the positional `?` in order. */
  query(sql: string, params: readonly string[]): Promise<QueryRow[]>;
  close(): Promise<void>;
}

/** A query that failed in the engine: names the engine and carries its message. */
export class QueryFailedError extends Error {
  constructor(
    readonly engine: string,
    message: string,
  ) {
    super(`${engine} query failed: ${message}`);
    this.name = "QueryFailedError";
  }
}
