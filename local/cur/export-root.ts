/**
 * A team's own Data Exports export root, read for `npm run cur:replay` and `npm run local -- --cur`:
 * the layout `aws s3 sync s3://<bucket>/<prefix>/<export-name> <dir>` writes,
 *
 *   <dir>/data/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<export-name>-00001.snappy.parquet | .csv.gz
 *   <dir>/metadata/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<export-name>-Manifest.json
 *
 * (Data Exports user guide, "Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html). Every manifest
 * is read with the ingest's own parser (functions/shared/cur-manifest.ts), so a delivery the ingest
 * would refuse is refused here, with the same message, before anything is uploaded.
 */
import { copyFile, readFile, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { CurDeliveryError } from "../../functions/shared/cur-delivery-error";
import {
  type CurManifest,
  dataKeysOf,
  type ManifestLocation,
  parseManifest,
  parseManifestKey,
} from "../../functions/shared/cur-manifest";
import { DuckDbQueryEngine } from "../../functions/shared/query-engine/duckdb";
import { walkFiles as walk } from "./focus-replay";

/** Which Data Exports table a delivery holds, from its manifest's columns. */
export type ExportKind = "cur2" | "focus";

/** One billing period of the export root: its newest execution's manifest and data files. */
export interface RootDelivery {
  readonly billingPeriod: string;
  readonly location: ManifestLocation;
  /** The manifest as written (kept whole, unknown fields included). */
  readonly raw: Record<string, unknown>;
  readonly manifest: CurManifest;
  readonly manifestPath: string;
  /** The data files: the key below the export folder (`data/...`) and the local file. */
  readonly dataFiles: readonly { readonly keyInExport: string; readonly path: string }[];
  /** Older create-new executions of the period, not delivered (their folders). */
  readonly olderExecutions: readonly string[];
}

export interface ExportRoot {
  readonly root: string;
  /** The export's name, from its manifests' file names (`<export-name>-Manifest.json`). */
  readonly exportName: string;
  readonly kind: ExportKind;
  /** One per billing period, oldest first. */
  readonly deliveries: readonly RootDelivery[];
}

/** Where an export root is wrong, named with the path and the fix. */
export class ExportRootError extends Error {}

/**
 * Reads an export root: every manifest under metadata/, each parsed and checked as the ingest
 * would, and each listed data file found under data/.
 */
export async function readExportRoot(root: string): Promise<ExportRoot> {
  const syncHint = "sync the whole export folder: aws s3 sync s3://<bucket>/<prefix>/<export-name> <dir>";
  if (!(await stat(root).catch(() => undefined))?.isDirectory())
    throw new ExportRootError(`${root}: no such folder; ${syncHint}`);
  const metadata = join(root, "metadata");
  if (!(await stat(metadata).catch(() => undefined))?.isDirectory())
    throw new ExportRootError(
      `${root}: no metadata/ folder; give the export's own folder (the one holding data/ and metadata/); ${syncHint}`,
    );
  const manifests = (await walk(metadata)).filter((p) => p.endsWith("-Manifest.json")).sort();
  if (manifests.length === 0)
    throw new ExportRootError(
      `${metadata}: no <export-name>-Manifest.json below it; Data Exports writes one per delivery under metadata/BILLING_PERIOD=YYYY-MM/`,
    );
  const names = new Set(manifests.map((m) => basename(m).slice(0, -"-Manifest.json".length)));
  if (names.size > 1)
    throw new ExportRootError(
      `${metadata}: manifests of several exports (${[...names].join(", ")}); give one export's folder`,
    );
  const exportName = [...names][0]!;

  // Newest execution per period (create-new folders sort by their timestamp).
  const byPeriod = new Map<string, { location: ManifestLocation; path: string }[]>();
  for (const path of manifests) {
    const key = `${exportName}/metadata/${relative(metadata, path).split(sep).join("/")}`;
    let location: ManifestLocation;
    try {
      location = parseManifestKey(key, "", exportName);
    } catch (e) {
      throw new ExportRootError(`${path}: ${(e as Error).message}`);
    }
    const list = byPeriod.get(location.billingPeriod) ?? [];
    list.push({ location, path });
    byPeriod.set(location.billingPeriod, list);
  }

  const deliveries: RootDelivery[] = [];
  const kinds = new Set<ExportKind>();
  for (const period of [...byPeriod.keys()].sort()) {
    const list = byPeriod.get(period)!;
    const layouts = new Set(list.map((l) => l.location.layout));
    if (layouts.size > 1)
      throw new ExportRootError(
        `${join(metadata, list[0]!.location.partition)}: both an overwrite manifest and create-new execution folders; an export writes one layout: re-sync the period`,
      );
    list.sort((a, b) => (a.location.execution?.time ?? 0) - (b.location.execution?.time ?? 0));
    const newest = list[list.length - 1]!;
    const text = await readFile(newest.path, "utf8");
    let manifest: CurManifest;
    let location = newest.location;
    try {
      manifest = parseManifest(text, location);
      // The export's S3 prefix is not in the synced folder; the manifest's dataFiles name it.
      const first = manifest.dataFiles[0]!.replace(/^s3:\/\/[^/]+\//, "");
      const at = first.indexOf(`${exportName}/data/`);
      if (at > 0) {
        const prefix = first.slice(0, at).replace(/\/+$/, "");
        location = parseManifestKey(
          `${prefix}/${exportName}/${relative(root, newest.path).split(sep).join("/")}`,
          prefix,
          exportName,
        );
      }
    } catch (e) {
      const field = e instanceof CurDeliveryError ? `${e.field}: ` : "";
      throw new ExportRootError(`${newest.path}: ${field}${(e as Error).message}`);
    }
    const columns = new Set(manifest.columns.map((c) => c.name));
    const kind: ExportKind | undefined = columns.has("line_item_line_item_type")
      ? "cur2"
      : columns.has("BilledCost")
        ? "focus"
        : undefined;
    if (!kind)
      throw new ExportRootError(
        `${newest.path}: columns: neither CUR 2.0 (line_item_line_item_type) nor FOCUS (BilledCost); replay reads CUR 2.0 and FOCUS exports`,
      );
    kinds.add(kind);
    let keys: string[];
    try {
      keys = dataKeysOf(manifest, location);
    } catch (e) {
      const field = e instanceof CurDeliveryError ? `${e.field}: ` : "";
      throw new ExportRootError(`${newest.path}: ${field}${(e as Error).message}`);
    }
    const dataFiles = [];
    for (const key of keys) {
      const keyInExport = key.slice(`${location.exportBase}/`.length);
      const path = join(root, ...keyInExport.split("/"));
      if (!(await stat(path).catch(() => undefined))?.isFile())
        throw new ExportRootError(
          `${newest.path}: dataFiles lists ${keyInExport}, but ${path} is missing; ${syncHint}`,
        );
      dataFiles.push({ keyInExport, path });
    }
    deliveries.push({
      billingPeriod: period,
      location,
      raw: JSON.parse(text) as Record<string, unknown>,
      manifest,
      manifestPath: newest.path,
      dataFiles,
      olderExecutions: list.slice(0, -1).map((l) => l.location.execution?.folder ?? l.path),
    });
  }
  if (kinds.size > 1)
    throw new ExportRootError(`${root}: some periods are CUR 2.0 and others FOCUS; give one export's folder`);
  return { root, exportName, kind: [...kinds][0]!, deliveries };
}

/**
 * The usage accounts an export root bills, with the name the export gives each (CUR 2.0's
 * line_item_usage_account_name, when the export selects it), read with the ingest's own typed view.
 */
export async function accountsInExport(root: ExportRoot): Promise<{ accountId: string; name: string }[]> {
  const named = new Map<string, string>();
  for (const d of root.deliveries) {
    const local = new Map(d.dataFiles.map((f) => [`${d.location.exportBase}/${f.keyInExport}`, f.path]));
    const engine = new DuckDbQueryEngine({
      fetch: async (_bucket, key, dest) => copyFile(local.get(key)!, dest),
      threads: 1,
    });
    try {
      await engine.attach({
        billingPeriod: d.billingPeriod,
        bucket: "local",
        dataKeys: [...local.keys()],
        columns: d.manifest.columns,
      });
      const hasName = d.manifest.columns.some((c) => c.name === "line_item_usage_account_name");
      const rows = await engine.query(
        `SELECT line_item_usage_account_id AS id, ${hasName ? "MAX(line_item_usage_account_name)" : "CAST(NULL AS VARCHAR)"} AS name FROM {{cur}} WHERE billing_period = ? GROUP BY 1`,
        [d.billingPeriod],
      );
      for (const r of rows) {
        if (r.id === null || r.id === undefined || r.id === "") continue;
        const id = String(r.id);
        if (!named.get(id)) named.set(id, r.name ? String(r.name) : "");
      }
    } finally {
      await engine.close();
    }
  }
  return [...named.entries()]
    .map(([accountId, name]) => ({ accountId, name: name || `account ${accountId}` }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
}
