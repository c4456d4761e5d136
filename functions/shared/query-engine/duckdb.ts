import { createWriteStream } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, NoSuchKey, type S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { CurDeliveryError } from "../cur-delivery-error";
import { withTable } from "../cur-queries";
import { type CurDelivery, type QueryEngine, QueryFailedError, type QueryRow, type QueryValue } from "./port";
import { createTypedCurView } from "./typed-view";

export { createTypedCurView, type LocalDataFile, type TypedViewOptions, viewTypeOf } from "./typed-view";

/**
 * The view's column with the s3:// URI of the file each line was read from: the SQL's `{{file}}`
 * (cur-queries.ts), so a check names the file of a bad line.
 */
export const CUR_FILE_COLUMN = "cur_file";
/** The view's column with each line's row number in its file (Parquet; NULL for CSV): `{{row}}`. */
export const CUR_ROW_COLUMN = "cur_row";

/** Copies one object of the delivery to a local file; throws CurDeliveryError when it is missing. */
export type ObjectFetcher = (bucket: string, key: string, dest: string) => Promise<void>;

/** Fetches from S3 (the emulator or AWS) with a real SDK client. */
export function s3Fetcher(s3: S3Client): ObjectFetcher {
  return async (bucket, key, dest) => {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(out.Body as Readable, createWriteStream(dest));
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey")
        throw new CurDeliveryError(
          `s3://${bucket}/${key}`,
          "the manifest lists this data file but it does not exist; wait for the delivery (or replication) to finish, then re-run the ingest",
        );
      throw e;
    }
  };
}

/** Fetches from a local directory laid out like the bucket (tests, and files already on disk). */
export function localFetcher(rootDir: string): ObjectFetcher {
  return async (bucket, key, dest) => {
    try {
      await copyFile(path.join(rootDir, ...key.split("/")), dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        throw new CurDeliveryError(
          `s3://${bucket}/${key}`,
          "the manifest lists this data file but it does not exist",
        );
      throw e;
    }
  };
}

export interface DuckDbEngineOptions {
  readonly fetch: ObjectFetcher;
  /** DuckDB worker threads. @default 2 */
  readonly threads?: number;
  /** DuckDB memory limit, e.g. "1GB". @default DuckDB's (80% of RAM) */
  readonly memoryLimit?: string;
}

/**
 * The local adapter: the delivery's data files (Parquet or gzip CSV) are copied to a temp directory
 * (keeping the S3 key layout) and queried in process through one typed view (typed-view.ts) built
 * from the manifest's column types, with the billing period as a constant `billing_period` column
 * (Data Exports writes it in the path, not in the files).
 * EMULATION of Athena for the local target and tests; not used in the Lambda bundle.
 */
export class DuckDbQueryEngine implements QueryEngine {
  readonly kind = "duckdb" as const;
  private instance?: DuckDBInstance;
  private dir?: string;

  constructor(private readonly options: DuckDbEngineOptions) {}

  private async connection() {
    if (!this.instance) {
      this.instance = await DuckDBInstance.create(":memory:", {
        threads: String(this.options.threads ?? 2),
        ...(this.options.memoryLimit ? { memory_limit: this.options.memoryLimit } : {}),
      });
    }
    const c = await this.instance.connect();
    // Days and periods are UTC, as AWS bills them: a Parquet TIMESTAMP WITH TIME ZONE column would
    // otherwise be cast (and its usage day taken) in the machine's zone.
    await c.run("SET TimeZone = 'UTC'");
    return c;
  }

  async attach(delivery: CurDelivery): Promise<readonly string[]> {
    this.dir ??= await mkdtemp(path.join(os.tmpdir(), "finops-cur-"));
    const files: string[] = [];
    for (const key of delivery.dataKeys) {
      const dest = path.join(this.dir, ...key.split("/"));
      await mkdir(path.dirname(dest), { recursive: true });
      await this.options.fetch(delivery.bucket, key, dest);
      if ((await stat(dest)).size === 0)
        throw new CurDeliveryError(
          `s3://${delivery.bucket}/${key}`,
          "the data file is empty (0 bytes); the export was interrupted: re-deliver the month, then re-run the ingest",
        );
      files.push(dest);
    }
    const c = await this.connection();
    try {
      return await createTypedCurView(c, {
        files: files.map((f, i) => ({ path: f, label: `s3://${delivery.bucket}/${delivery.dataKeys[i]}` })),
        columns: delivery.columns,
        billingPeriod: delivery.billingPeriod,
        fileColumn: CUR_FILE_COLUMN,
        rowColumn: CUR_ROW_COLUMN,
      });
    } finally {
      c.closeSync();
    }
  }

  async query(sql: string, params: readonly string[]): Promise<QueryRow[]> {
    const c = await this.connection();
    try {
      const reader = await c.runAndReadAll(withTable(sql, "cur", CUR_FILE_COLUMN, CUR_ROW_COLUMN), [
        ...params,
      ]);
      return reader.getRowObjectsJson().map((row) => {
        const out: QueryRow = {};
        for (const [k, v] of Object.entries(row)) out[k] = toValue(v);
        return out;
      });
    } catch (e) {
      throw new QueryFailedError("duckdb", (e as Error).message);
    } finally {
      c.closeSync();
    }
  }

  async close(): Promise<void> {
    this.instance?.closeSync();
    this.instance = undefined;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** DuckDB's JSON view gives BIGINT and DECIMAL as strings; numbers that fit come back as numbers. */
function toValue(v: unknown): QueryValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}
