/**
 * The manifest of an AWS Data Exports delivery (CUR 2.0, FOCUS), exactly as AWS writes it, and where
 * it sits. Sources (cited by the tests in test/unit/functions/shared/cur-manifest.test.ts):
 * - "Data Exports manifest file reference"
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html): the manifest is a
 *   JSON document whose top-level fields are executionId (string), exportArn (string), columns
 *   (objects with name and type), dataFiles (full s3:// URIs of the data files) and
 *   additionalOutputFiles (Athena/Redshift integration files). Nothing else: the billing period and
 *   the export name are not fields; they come from the object key and the exportArn.
 * - "Understanding export delivery"
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html): data under
 *   `<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/`, the manifest at
 *   `<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json` (overwrite); with
 *   "create new report" each execution writes below a `<timestamp>-<executionId>/` folder in both.
 */
import * as z from "zod";
import { CurDeliveryError } from "./cur-delivery-error";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const manifestSchema = z.looseObject({
  executionId: z
    .string({ error: "is missing; a Data Exports manifest names the export execution that delivered it" })
    .min(1, { error: "is empty; a Data Exports manifest names the export execution that delivered it" }),
  exportArn: z
    .string({ error: "is missing; a Data Exports manifest names the export that produced it" })
    .regex(/^arn:aws[a-z-]*:bcm-data-exports:[a-z0-9-]*:\d{12}:export\/.+$/, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a Data Exports export ARN (arn:aws:bcm-data-exports:<region>:<account>:export/<name>-<id>)`,
    }),
  columns: z
    .array(
      z.looseObject({
        name: z.string({ error: "is missing; each column has a name" }).min(1, { error: "is empty" }),
        type: z.string({ error: "is missing; each column has a type" }).min(1, { error: "is empty" }),
      }),
      { error: "is missing; the manifest lists the export's columns" },
    )
    .min(1, { error: "is empty; the manifest lists no columns" }),
  dataFiles: z
    .array(
      z
        .string()
        .regex(/^s3:\/\/[^/]+\/.+$/, { error: (iss) => `${JSON.stringify(iss.input)} is not an s3:// URI` }),
      { error: "is missing; the manifest lists its data files as s3:// URIs" },
    )
    .min(1, { error: "is empty: the delivery has no data files; re-deliver the month" }),
  // Delivered with the Athena or Redshift integration; the ingest does not read them.
  additionalOutputFiles: z.array(z.unknown()).optional(),
});

export type CurManifest = z.infer<typeof manifestSchema>;
export type ManifestColumn = CurManifest["columns"][number];

/** "overwrite": one delivery per period, replaced in place; "create-new": one folder per execution. */
export type DeliveryLayout = "overwrite" | "create-new";

/** The `<timestamp>-<executionId>` folder a create-new execution writes into. */
export interface ExecutionFolder {
  /** The folder name, e.g. "2026-06-01T23:48:02.356Z-9b6b32ef-2b70-3d10-9448-07e23ebce6b9". */
  readonly folder: string;
  /** The timestamp part, as written. */
  readonly timestamp: string;
  /** Milliseconds since the epoch of the timestamp (orders executions). */
  readonly time: number;
  /** The executionId part (the manifest's executionId). */
  readonly id: string;
}

/** Where a manifest sits, read from its object key. */
export interface ManifestLocation {
  /** The export's S3 prefix, as configured. */
  readonly s3Prefix: string;
  /** `<prefix>/<export>`. */
  readonly exportBase: string;
  readonly exportName: string;
  /** YYYY-MM. */
  readonly billingPeriod: string;
  /** The partition folder as written in the key: "BILLING_PERIOD=YYYY-MM" (CUR 2.0) or "billing_period=YYYY-MM". */
  readonly partition: string;
  readonly layout: DeliveryLayout;
  /** create-new only. */
  readonly execution?: ExecutionFolder;
  /** The period's metadata folder (every execution's manifest lies below it), ending in "/". */
  readonly periodMetadataFolder: string;
  /** The folder the delivery's data files must lie in (with the execution folder in create-new), ending in "/". */
  readonly dataFolder: string;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const EXECUTION_FOLDER = /^(\d{4}-?\d{2}-?\d{2}T\d{2}:?\d{2}:?\d{2}(?:\.\d+)?Z)-(.+)$/;

/** Parses a create-new execution folder name; undefined when it is not `<ISO timestamp>-<executionId>`. */
export function parseExecutionFolder(folder: string): ExecutionFolder | undefined {
  const m = EXECUTION_FOLDER.exec(folder);
  if (!m) return undefined;
  const timestamp = m[1]!;
  const time = Date.parse(
    timestamp.includes("-")
      ? timestamp
      : timestamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/, "$1-$2-$3T$4:$5:$6"),
  );
  if (Number.isNaN(time)) return undefined;
  return { folder, timestamp, time, id: m[2]! };
}

/**
 * Reads the billing period and the layout from a manifest's key:
 *   overwrite:  <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
 *   create-new: <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<timestamp>-<executionId>/<export>-Manifest.json
 * The partition name is matched case-insensitively (FOCUS exports write billing_period=).
 */
export function parseManifestKey(key: string, s3Prefix: string, exportName: string): ManifestLocation {
  const base = s3Prefix ? `${s3Prefix.replace(/\/+$/, "")}/${exportName}` : exportName;
  const expected = `expected ${base}/metadata/BILLING_PERIOD=YYYY-MM/${exportName}-Manifest.json (overwrite) or ${base}/metadata/BILLING_PERIOD=YYYY-MM/<timestamp>-<executionId>/${exportName}-Manifest.json (create new)`;
  const wrong = (why: string): CurDeliveryError =>
    new CurDeliveryError(
      "key",
      `"${key}" is not a manifest of export ${exportName}: ${why}; ${expected} (check cur.s3Prefix and cur.exportName)`,
    );
  if (!key.startsWith(`${base}/metadata/`)) throw wrong(`it is not under ${base}/metadata/`);
  const parts = key.slice(`${base}/metadata/`.length).split("/");
  if (parts.length !== 2 && parts.length !== 3) throw wrong("it is not one or two folders below metadata/");
  const partition = parts[0]!;
  const pm = /^([A-Za-z_]+)=(.*)$/.exec(partition);
  if (!pm || pm[1]!.toUpperCase() !== "BILLING_PERIOD")
    throw wrong(`its partition folder "${partition}" is not BILLING_PERIOD=YYYY-MM`);
  const billingPeriod = pm[2]!;
  if (!PERIOD.test(billingPeriod)) throw wrong(`"${billingPeriod}" is not a billing period YYYY-MM`);
  const file = parts[parts.length - 1]!;
  if (file !== `${exportName}-Manifest.json`)
    throw wrong(`the manifest file is "${file}", not ${exportName}-Manifest.json`);
  const periodMetadataFolder = `${base}/metadata/${partition}/`;
  if (parts.length === 2)
    return {
      s3Prefix,
      exportBase: base,
      exportName,
      billingPeriod,
      partition,
      layout: "overwrite",
      periodMetadataFolder,
      dataFolder: `${base}/data/${partition}/`,
    };
  const execution = parseExecutionFolder(parts[1]!);
  if (!execution)
    throw wrong(
      `its execution folder "${parts[1]}" is not <timestamp>-<executionId> (e.g. 2026-06-01T23:48:02.356Z-<uuid>)`,
    );
  return {
    s3Prefix,
    exportBase: base,
    exportName,
    billingPeriod,
    partition,
    layout: "create-new",
    execution,
    periodMetadataFolder,
    dataFolder: `${base}/data/${partition}/${execution.folder}/`,
  };
}

/** Parses and checks a manifest's text; every problem is a CurDeliveryError naming the field. */
export function parseManifest(text: string, location: ManifestLocation): CurManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CurDeliveryError(
      "manifest",
      `is not valid JSON (${(e as Error).message}); the manifest object is corrupt or truncated: re-deliver the month`,
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new CurDeliveryError("manifest", "is not a JSON object; this is not a Data Exports manifest");
  const obj = json as Record<string, unknown>;
  if ("reportKeys" in obj || "assemblyId" in obj)
    throw new CurDeliveryError(
      "manifest",
      "this is a legacy CUR (1.0) manifest (reportKeys/assemblyId); the ingest reads CUR 2.0 Data Exports only: point the export at CUR 2.0 (Data Exports, table COST_AND_USAGE_REPORT)",
    );
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : "manifest";
    throw new CurDeliveryError(field, issue.message);
  }
  const manifest = parsed.data;

  const resource = manifest.exportArn.slice(manifest.exportArn.indexOf(":export/") + ":export/".length);
  const name = location.exportName;
  const suffix = resource.startsWith(`${name}-`) ? resource.slice(name.length + 1) : undefined;
  if (resource !== name && !(suffix !== undefined && UUID.test(suffix)))
    throw new CurDeliveryError(
      "exportArn",
      `${manifest.exportArn} is not export ${name} (its resource is export/${resource}, expected export/${name} or export/${name}-<id>); the manifest sits in another export's folder: check cur.exportName, or re-deliver the month`,
    );

  if (location.execution && manifest.executionId !== location.execution.id)
    throw new CurDeliveryError(
      "executionId",
      `"${manifest.executionId}" is not the execution of the folder it sits in (${location.execution.folder}, execution ${location.execution.id}); the delivery is mixed up: re-deliver the month`,
    );

  const seenColumns = new Map<string, number>();
  manifest.columns.forEach((c, i) => {
    const prior = seenColumns.get(c.name.toLowerCase());
    if (prior !== undefined)
      throw new CurDeliveryError(
        `columns.${i}.name`,
        `"${c.name}" is listed twice (also columns.${prior}); the manifest is corrupt: re-deliver the month`,
      );
    seenColumns.set(c.name.toLowerCase(), i);
  });

  const seenFiles = new Map<string, number>();
  manifest.dataFiles.forEach((uri, i) => {
    const prior = seenFiles.get(uri);
    if (prior !== undefined)
      throw new CurDeliveryError(
        `dataFiles.${i}`,
        `${uri} is listed twice (also dataFiles.${prior}); reading it twice would double the month: re-deliver the month`,
      );
    seenFiles.set(uri, i);
  });
  return manifest;
}

/** The data file formats Data Exports writes: Parquet, or gzip-compressed CSV. */
export type DataFileFormat = "parquet" | "csv.gz";

/** The format of a data file from its name; undefined when it is neither. */
export function dataFileFormat(key: string): DataFileFormat | undefined {
  if (/\.parquet$/i.test(key)) return "parquet";
  if (/\.csv\.gz$/i.test(key)) return "csv.gz";
  return undefined;
}

/**
 * Object keys of the manifest's data files. The manifest names the bucket the export wrote to (the
 * payer's, when replicated); the keys are the same in the replica, so only the key is kept. Every
 * file must lie in the period's data folder (for create-new, in the same execution's folder) and
 * be Parquet or gzip CSV.
 */
export function dataKeysOf(manifest: CurManifest, location: ManifestLocation): string[] {
  const dataRoot = `${location.exportBase}/data/`;
  const rest = location.dataFolder.slice(dataRoot.length);
  return manifest.dataFiles.map((uri, i) => {
    const key = uri.replace(/^s3:\/\/[^/]+\//, "");
    // The partition name may differ in case between metadata/ and data/ only; everything else is exact.
    const inFolder =
      key.startsWith(dataRoot) &&
      key.slice(dataRoot.length, dataRoot.length + location.partition.length).toUpperCase() ===
        location.partition.toUpperCase() &&
      key
        .slice(dataRoot.length + location.partition.length)
        .startsWith(rest.slice(location.partition.length)) &&
      !key.includes("..");
    if (!inFolder)
      throw new CurDeliveryError(
        `dataFiles.${i}`,
        `${uri} is outside the period's data folder ${location.dataFolder}; the manifest does not belong to this ${location.layout === "create-new" ? "execution" : "export"}: re-deliver the month`,
      );
    if (!dataFileFormat(key))
      throw new CurDeliveryError(
        `dataFiles.${i}`,
        `${uri} is neither Parquet (.parquet) nor gzip CSV (.csv.gz), the formats Data Exports writes; check the export's format`,
      );
    return key;
  });
}

/** Columns missing from a list (case-insensitive), in the order required. */
export function missingColumns(have: readonly string[], required: readonly string[]): string[] {
  const set = new Set(have.map((c) => c.toLowerCase()));
  return required.filter((c) => !set.has(c));
}
