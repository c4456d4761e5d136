/**
 * Replay of a team's own Data Exports export on the local organization (`npm run cur:replay`,
 * `npm run local -- --cur <dir>`). The input is an export root as `aws s3 sync
 * s3://<bucket>/<prefix>/<export-name> <dir>` writes it:
 *
 *   <dir>/data/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<export-name>-00001.snappy.parquet | .csv.gz
 *   <dir>/metadata/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<export-name>-Manifest.json
 *
 * (Data Exports user guide, "Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html). Every manifest
 * is read with the ingest's own parser (functions/shared/cur-manifest.ts), so a delivery the ingest
 * would refuse is refused here, with the same message, before anything is uploaded.
 *
 * EMULATION: AWS Data Exports writes these files into the payer's bucket; here the harness uploads
 * them there in plain sight, as the configured export would name them: the export folder and file
 * names become the configured export's, the manifest's `exportArn` the configured export's ARN and
 * its `dataFiles` the URIs the files now have. Everything else in the manifest (executionId,
 * columns, additionalOutputFiles, fields AWS may add) is kept. Of a create-new period only the
 * newest execution is delivered: the ingest would supersede the older ones anyway.
 */
import { copyFile, readFile, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import { CurDeliveryError } from "../../functions/shared/cur-delivery-error";
import {
  type CurManifest,
  dataKeysOf,
  type ManifestLocation,
  parseManifest,
  parseManifestKey,
} from "../../functions/shared/cur-manifest";
import { sumDecimals } from "../../functions/shared/decimal";
import { DuckDbQueryEngine } from "../../functions/shared/query-engine/duckdb";
import { readCurrentSpend } from "../../functions/shared/spend-store";
import { payerCurExport } from "./deliver";
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

/** The key a file of the source export has under the configured export (names swapped). */
export function keyUnderExport(
  keyInExport: string,
  source: string,
  target: { readonly s3Prefix: string; readonly exportName: string },
): string {
  const parts = keyInExport.split("/");
  const file = parts[parts.length - 1]!;
  if (file.startsWith(`${source}-`))
    parts[parts.length - 1] = `${target.exportName}-${file.slice(source.length + 1)}`;
  const base = target.s3Prefix
    ? `${target.s3Prefix.replace(/\/+$/, "")}/${target.exportName}`
    : target.exportName;
  return `${base}/${parts.join("/")}`;
}

export interface ReplayedPeriod {
  readonly billingPeriod: string;
  readonly manifestKey: string;
  readonly keys: readonly string[];
  readonly bytes: number;
  readonly olderExecutions: readonly string[];
}

export interface ReplayDelivery {
  readonly source: ExportRoot;
  readonly bucket: string;
  readonly writtenAs: string;
  readonly periods: readonly ReplayedPeriod[];
}

/**
 * Uploads an export root's newest delivery of every period where the payer's configured CUR 2.0
 * export points (read back from the emulated Data Exports API), data files first and the manifest
 * last, as Data Exports writes them.
 */
export async function deliverExportRoot(o: {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  readonly dataExportsEndpoint: string;
  readonly root: ExportRoot;
}): Promise<ReplayDelivery> {
  const { root } = o;
  if (root.kind !== "cur2")
    throw new ExportRootError(
      `${root.root}: a FOCUS export; the landing ingests CUR 2.0 — replay a CUR 2.0 export (FOCUS exports are summarized, not ingested)`,
    );
  const { exp, dest, owner } = await payerCurExport(o);
  const target = { s3Prefix: dest.S3Prefix, exportName: exp.Name };
  const s3 = new S3Client(await clientConfigForAccount(o.motoEndpoint, owner, dest.S3Region));
  const periods: ReplayedPeriod[] = [];
  try {
    for (const d of root.deliveries) {
      const keys: string[] = [];
      let bytes = 0;
      for (const f of d.dataFiles) {
        const key = keyUnderExport(f.keyInExport, root.exportName, target);
        const body = await readFile(f.path);
        bytes += body.length;
        await s3.send(
          new PutObjectCommand({
            Bucket: dest.S3Bucket,
            Key: key,
            Body: body,
            ContentType: "application/octet-stream",
          }),
        );
        keys.push(key);
      }
      const manifestInExport = `metadata/${d.location.partition}/${d.location.execution ? `${d.location.execution.folder}/` : ""}${root.exportName}-Manifest.json`;
      const manifestKey = keyUnderExport(manifestInExport, root.exportName, target);
      const manifest = {
        ...d.raw,
        exportArn: exp.ExportArn,
        dataFiles: keys.map((k) => `s3://${dest.S3Bucket}/${k}`),
      };
      await s3.send(
        new PutObjectCommand({
          Bucket: dest.S3Bucket,
          Key: manifestKey,
          Body: `${JSON.stringify(manifest, null, 2)}\n`,
          ContentType: "application/json",
        }),
      );
      keys.push(manifestKey);
      periods.push({
        billingPeriod: d.billingPeriod,
        manifestKey,
        keys,
        bytes,
        olderExecutions: d.olderExecutions,
      });
    }
  } finally {
    s3.destroy();
  }
  return { source: root, bucket: dest.S3Bucket, writtenAs: owner, periods };
}

/** One spend row as the API serves it, money as exact decimal strings. */
export interface ReplayRow {
  readonly accountId: string;
  readonly service: string;
  /** UTC day of line_item_usage_start_date. */
  readonly usageDate: string;
  /** Usage lines only (Credit, Tax and Refund are apart). */
  readonly unblendedCost: string;
  readonly netAmortizedCost: string;
  readonly credit: string;
  readonly tax: string;
  readonly refund: string;
  readonly lineItems: number;
}

/** A billing period's committed figures (`npm run cur:replay -- <dir> --json` prints one per period). */
export interface ReplayPeriodFigures {
  readonly billingPeriod: string;
  readonly lineItems: number;
  readonly totals: {
    readonly unblendedCost: string;
    readonly netAmortizedCost: string;
    readonly credit: string;
    readonly tax: string;
    readonly refund: string;
  };
  readonly rows: readonly ReplayRow[];
}

const MONEY = ["unblendedCost", "netAmortizedCost", "credit", "tax", "refund"] as const;

/**
 * The committed spend of each period, read back from the spend table as the API reads it, with
 * DynamoDB's numbers kept as their decimal text (wrapNumbers) and summed exactly.
 */
export async function committedFigures(o: {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  readonly periods: readonly string[];
}): Promise<ReplayPeriodFigures[]> {
  const names = new Names(o.config);
  const raw = new DynamoDBClient(
    await clientConfigForAccount(o.motoEndpoint, o.config.admin.id, o.config.admin.regions[0]!),
  );
  const ddb = DynamoDBDocumentClient.from(raw, { unmarshallOptions: { wrapNumbers: true } });
  const text = (v: unknown): string =>
    v === undefined || v === null ? "0" : typeof v === "object" && "value" in v ? String(v.value) : String(v);
  try {
    const out: ReplayPeriodFigures[] = [];
    for (const period of [...o.periods].sort()) {
      const items = (await readCurrentSpend(
        ddb,
        { spend: names.dataTable("spend"), runs: names.dataTable("ingestion-runs") },
        period,
      )) as unknown as Record<string, unknown>[];
      const rows: ReplayRow[] = items
        .map((i) => ({
          accountId: String(i.accountId),
          service: String(i.service),
          usageDate: String(i.usageDate),
          unblendedCost: sumDecimals([text(i.unblendedCost)]),
          netAmortizedCost: sumDecimals([text(i.netAmortizedCost)]),
          credit: sumDecimals([text(i.credit)]),
          tax: sumDecimals([text(i.tax)]),
          refund: sumDecimals([text(i.refund)]),
          lineItems: Number(text(i.lineItems)),
        }))
        .sort(
          (a, b) =>
            a.accountId.localeCompare(b.accountId) ||
            a.service.localeCompare(b.service) ||
            a.usageDate.localeCompare(b.usageDate),
        );
      const totals = Object.fromEntries(
        MONEY.map((m) => [m, sumDecimals(rows.map((r) => r[m]))]),
      ) as unknown as ReplayPeriodFigures["totals"];
      out.push({
        billingPeriod: period,
        lineItems: rows.reduce((a, r) => a + r.lineItems, 0),
        totals,
        rows,
      });
    }
    return out;
  } finally {
    raw.destroy();
  }
}

/** A short human summary of the committed figures: totals and the largest accounts. */
export function renderFigures(
  figures: readonly ReplayPeriodFigures[],
  accountNames: ReadonlyMap<string, string>,
): string {
  const lines: string[] = [];
  for (const f of figures) {
    const t = f.totals;
    lines.push(
      `${f.billingPeriod}: ${f.lineItems} line items; usage ${t.unblendedCost} unblended, ${t.netAmortizedCost} net amortized; credit ${t.credit}, tax ${t.tax}, refund ${t.refund} (USD)`,
    );
    const byAccount = new Map<string, string[]>();
    for (const r of f.rows)
      byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r.unblendedCost]);
    const ranked = [...byAccount.entries()]
      .map(([id, v]) => [id, sumDecimals(v)] as const)
      .sort((a, b) => Number(b[1]) - Number(a[1]));
    for (const [id, cost] of ranked.slice(0, 10))
      lines.push(`  ${id} ${accountNames.get(id) ?? ""}`.padEnd(48) + cost.padStart(18));
    if (ranked.length > 10) lines.push(`  ... and ${ranked.length - 10} more accounts`);
  }
  return lines.join("\n");
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
