import { z } from "zod";
import { CurDeliveryError } from "./cur-delivery-error";

/** Manifest versions of AWS Data Exports (CUR 2.0) this ingest understands. */
export const KNOWN_MANIFEST_VERSIONS = ["1.0"] as const;

const manifestSchema = z.looseObject({
  version: z.string({ error: "is missing; a CUR 2.0 Data Exports manifest names its version" }),
  exportName: z.string({ error: "is missing; the manifest names the export it belongs to" }).min(1),
  executionId: z.string({ error: "is missing; the manifest names the export execution" }).min(1),
  billingPeriod: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "is not a billing period YYYY-MM" })
    .optional(),
  dataFiles: z
    .array(
      z
        .string()
        .regex(/^s3:\/\/[^/]+\/.+$/, { error: (iss) => `${JSON.stringify(iss.input)} is not an s3:// URI` }),
      { error: "is missing; the manifest lists its Parquet files as s3:// URIs" },
    )
    .min(1, { error: "is empty: the delivery has no data files; re-deliver the month" }),
  columns: z
    .array(z.looseObject({ name: z.string(), type: z.string() }), {
      error: "is missing; the manifest lists the export's columns",
    })
    .min(1, { error: "is empty; the manifest lists no columns" }),
});

export type CurManifest = z.infer<typeof manifestSchema>;

/** Where a manifest sits: <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json */
export interface ManifestLocation {
  readonly exportBase: string;
  readonly billingPeriod: string;
}

export function parseManifestKey(key: string, s3Prefix: string, exportName: string): ManifestLocation {
  const base = `${s3Prefix}/${exportName}`;
  const m = /^(.+)\/metadata\/BILLING_PERIOD=(\d{4}-(?:0[1-9]|1[0-2]))\/[^/]+-Manifest\.json$/.exec(key);
  if (!m || m[1] !== base)
    throw new CurDeliveryError(
      "key",
      `"${key}" is not a manifest of export ${exportName}; expected ${base}/metadata/BILLING_PERIOD=YYYY-MM/${exportName}-Manifest.json (check cur.s3Prefix and cur.exportName)`,
    );
  return { exportBase: base, billingPeriod: m[2]! };
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
      "version",
      "this is a legacy CUR (1.0) manifest (reportKeys/assemblyId); the ingest reads CUR 2.0 Data Exports only: point the export at CUR 2.0",
    );
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : "manifest";
    throw new CurDeliveryError(field, issue.message);
  }
  const manifest = parsed.data;
  if (!(KNOWN_MANIFEST_VERSIONS as readonly string[]).includes(manifest.version))
    throw new CurDeliveryError(
      "version",
      `"${manifest.version}" is not a manifest version this ingest knows (${KNOWN_MANIFEST_VERSIONS.join(", ")}); update the ingest for the new Data Exports schema before re-running`,
    );
  if (manifest.billingPeriod !== undefined && manifest.billingPeriod !== location.billingPeriod)
    throw new CurDeliveryError(
      "billingPeriod",
      `the manifest says ${manifest.billingPeriod} but sits under BILLING_PERIOD=${location.billingPeriod}; the delivery is mixed up: re-deliver the month`,
    );
  return manifest;
}

/**
 * Object keys of the manifest's data files. The manifest names the bucket the export wrote to (the
 * payer's, when replicated); the keys are the same in the replica, so only the key is kept. Every
 * file must lie in the period's data folder.
 */
export function dataKeysOf(manifest: CurManifest, location: ManifestLocation): string[] {
  const folder = `${location.exportBase}/data/BILLING_PERIOD=${location.billingPeriod}/`;
  return manifest.dataFiles.map((uri, i) => {
    const key = uri.replace(/^s3:\/\/[^/]+\//, "");
    if (!key.startsWith(folder) || key.includes(".."))
      throw new CurDeliveryError(
        `dataFiles.${i}`,
        `${uri} is outside the period's data folder ${folder}; the manifest does not belong to this export`,
      );
    return key;
  });
}

/** Columns missing from a list (case-insensitive), in the order required. */
export function missingColumns(have: readonly string[], required: readonly string[]): string[] {
  const set = new Set(have.map((c) => c.toLowerCase()));
  return required.filter((c) => !set.has(c));
}
