/**
 * EMULATION of how AWS Data Exports writes one execution of an export to S3: the data file and the
 * manifest, in the key layout and manifest shape AWS documents, for both output formats and both
 * overwrite settings. The CUR 2.0 generator (generator.ts) and the FOCUS derivation (focus.ts) write
 * through this one module, so the emulator cannot drift from AWS's format in one of them only.
 *
 * Sources:
 * - "Data Exports manifest file reference"
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html): the manifest's
 *   top-level fields are executionId, exportArn, columns ({ name, type }), dataFiles (full s3://
 *   URIs, `s3://<bucket>/<path>/<export-name>-<part-number>.<extension>`) and
 *   additionalOutputFiles. There is no version, export name or billing period in it.
 * - "Understanding export delivery"
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html):
 *     overwrite:  <prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet
 *                 <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
 *     create new: the same with a `<timestamp>-<executionId>/` folder below BILLING_PERIOD=YYYY-MM
 *                 in both data/ and metadata/.
 * - Data Exports API, ExportArn (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_DataExports_Export.html):
 *   `arn:aws:bcm-data-exports:<region>:<account>:export/<name>-<uuid>`.
 *
 * Formats: Parquet (snappy; maps as maps, numbers as doubles) or gzip CSV with a header row, where
 * map columns are JSON text and numbers and timestamps are text, as a CSV export carries them.
 */
import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** The export's `Format` (S3OutputConfigurations): PARQUET → "parquet", TEXT_OR_CSV → "csv". */
export type DeliveryFormat = "parquet" | "csv";
/** The export's `Overwrite` (S3OutputConfigurations). */
export type DeliveryOverwrite = "OVERWRITE_REPORT" | "CREATE_NEW_REPORT";

export interface DeliveryOptions {
  /** YYYY-MM. */
  readonly billingPeriod: string;
  /** The account that owns the export (the payer). */
  readonly payerId: string;
  readonly exportName: string;
  /** Key prefix of the export in the bucket. */
  readonly s3Prefix: string;
  /** Bucket named in the manifest's dataFiles. @default "local-bucket" */
  readonly bucket?: string;
  /** @default "parquet" */
  readonly format?: DeliveryFormat;
  /** @default "OVERWRITE_REPORT" */
  readonly overwrite?: DeliveryOverwrite;
  /** The export's ARN. @default an ARN of AWS's form, `export/<name>-<uuid>`, derived from the name and payer */
  readonly exportArn?: string;
  /** The execution's id (a UUID on AWS). @default a UUID derived from the export, period and seed */
  readonly executionId?: string;
  /** When the execution ran (the create-new folder's timestamp). @default the first day of the next month */
  readonly executedAt?: Date;
  /** Varies the default execution id. @default 1 */
  readonly seed?: number;
}

/** One column: its name, its DuckDB type (how the rows are typed), and its type as the manifest names it. */
export interface DeliveryColumn {
  readonly name: string;
  readonly duckType: string;
  readonly manifestType: string;
}

/** The manifest exactly as AWS documents it. */
export interface DeliveryManifest {
  readonly executionId: string;
  readonly exportArn: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly dataFiles: readonly string[];
  readonly additionalOutputFiles: readonly unknown[];
}

export interface DeliveryFiles {
  /** Data file first, manifest last: the order AWS writes (and uploads must keep). */
  readonly files: readonly { readonly key: string; readonly path: string }[];
  readonly dataKey: string;
  readonly manifestKey: string;
  readonly manifest: DeliveryManifest;
}

/** A UUID-shaped id derived from its inputs (deterministic, so the sample bytes are reproducible). */
export function emulatedUuid(...parts: readonly string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function nextMonth(billingPeriod: string): Date {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(billingPeriod);
  if (!m) throw new Error(`billingPeriod "${billingPeriod}" is not a month; give YYYY-MM, e.g. "2026-01"`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
}

/** What one execution writes where, and under which ids. */
export function deliveryKeys(o: DeliveryOptions): {
  dataKey: string;
  manifestKey: string;
  executionId: string;
  exportArn: string;
} {
  const executionId =
    o.executionId ?? emulatedUuid("execution", o.exportName, o.billingPeriod, String(o.seed ?? 1));
  const exportArn =
    o.exportArn ??
    `arn:aws:bcm-data-exports:us-east-1:${o.payerId}:export/${o.exportName}-${emulatedUuid("export", o.payerId, o.exportName)}`;
  const base = o.s3Prefix ? `${o.s3Prefix.replace(/\/+$/, "")}/${o.exportName}` : o.exportName;
  const partition = `BILLING_PERIOD=${o.billingPeriod}`;
  const folder =
    (o.overwrite ?? "OVERWRITE_REPORT") === "CREATE_NEW_REPORT"
      ? `/${(o.executedAt ?? nextMonth(o.billingPeriod)).toISOString()}-${executionId}`
      : "";
  const ext = (o.format ?? "parquet") === "parquet" ? "snappy.parquet" : "csv.gz";
  return {
    dataKey: `${base}/data/${partition}${folder}/${o.exportName}-00001.${ext}`,
    manifestKey: `${base}/metadata/${partition}${folder}/${o.exportName}-Manifest.json`,
    executionId,
    exportArn,
  };
}

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Writes one execution's data file and manifest under outDir, in the S3 key layout. */
export async function writeDelivery(
  rows: readonly object[],
  columns: readonly DeliveryColumn[],
  options: DeliveryOptions & { readonly outDir: string },
): Promise<DeliveryFiles> {
  const { dataKey, manifestKey, executionId, exportArn } = deliveryKeys(options);
  const dataPath = join(options.outDir, dataKey);
  const manifestPath = join(options.outDir, manifestKey);
  await mkdir(dirname(dataPath), { recursive: true });
  await mkdir(dirname(manifestPath), { recursive: true });

  // Rows go through NDJSON into a typed table, then COPY to the export's format.
  const ndjson = join(
    options.outDir,
    `.${options.exportName}-${options.billingPeriod}-${executionId}.ndjson`,
  );
  await writeFile(ndjson, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    const typed = columns.map((c) => `${c.name}: ${q(c.duckType)}`).join(", ");
    await connection.run(
      `CREATE TABLE delivery AS SELECT * FROM read_json(${q(ndjson)}, format = 'newline_delimited', hive_partitioning = false, columns = {${typed}})`,
    );
    if ((options.format ?? "parquet") === "parquet") {
      await connection.run(`COPY delivery TO ${q(dataPath)} (FORMAT parquet, COMPRESSION snappy)`);
    } else {
      const select = columns
        .map((c) =>
          c.duckType.startsWith("MAP")
            ? `CAST(to_json(${c.name}) AS VARCHAR) AS ${c.name}`
            : c.duckType === "TIMESTAMP"
              ? `strftime(${c.name}, '%Y-%m-%dT%H:%M:%SZ') AS ${c.name}`
              : c.name,
        )
        .join(", ");
      await connection.run(
        `COPY (SELECT ${select} FROM delivery) TO ${q(dataPath)} (FORMAT csv, HEADER true, COMPRESSION gzip)`,
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(ndjson, { force: true });
  }

  const manifest: DeliveryManifest = {
    executionId,
    exportArn,
    columns: columns.map((c) => ({ name: c.name, type: c.manifestType })),
    dataFiles: [`s3://${options.bucket ?? "local-bucket"}/${dataKey}`],
    additionalOutputFiles: [],
  };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    files: [
      { key: dataKey, path: dataPath },
      { key: manifestKey, path: manifestPath },
    ],
    dataKey,
    manifestKey,
    manifest,
  };
}
