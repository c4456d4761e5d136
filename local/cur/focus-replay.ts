/**
 * Reads a FOCUS 1.2 Data Exports delivery (table FOCUS_1_2_AWS) from local files with DuckDB and
 * summarizes it per billing period, as exact decimal strings: what `npm run cur:replay` prints for a
 * FOCUS export root, and the FOCUS side of the CUR 2.0 ↔ FOCUS cross-check. The SQL lives in
 * functions/shared/focus-queries.ts.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  FOCUS_BY_ACCOUNT_SERVICE_DAY,
  FOCUS_BY_CHARGE_CATEGORY,
  FOCUS_PERIOD_TOTALS,
  focusRelation,
  REQUIRED_FOCUS_COLUMNS,
  withFocusRelation,
} from "../../functions/shared/focus-queries";

export interface FocusDeliveryFiles {
  /** Local paths of the delivery's data files (the manifest's dataFiles, where they now live). */
  readonly dataFiles: readonly string[];
  /** The manifest's `columns` ({ name, type }); when given, a missing required column is reported before reading. */
  readonly columns?: readonly { readonly name: string; readonly type?: string }[];
  /** Named in errors (e.g. the manifest's path). */
  readonly source?: string;
}

export interface FocusSummaryRow {
  readonly subAccountId: string | null;
  readonly serviceName: string | null;
  /** UTC date of ChargePeriodStart, YYYY-MM-DD. */
  readonly usageDate: string;
  readonly billedCost: string;
  readonly effectiveCost: string;
  /** Absent when the delivery has no ListCost column. */
  readonly listCost?: string;
  readonly lineItems: number;
}

export interface FocusPeriodSummary {
  /** YYYY-MM of BillingPeriodStart. */
  readonly billingPeriod: string;
  readonly lineItems: number;
  readonly totals: {
    readonly billedCost: string;
    readonly effectiveCost: string;
    readonly listCost?: string;
  };
  /** Billed and effective cost per ChargeCategory (Usage, Purchase, Tax, Credit, Adjustment). */
  readonly byChargeCategory: readonly {
    readonly chargeCategory: string;
    readonly billedCost: string;
    readonly effectiveCost: string;
    readonly lineItems: number;
  }[];
  /** SubAccountId × ServiceName × day, ordered by account, day, service. */
  readonly rows: readonly FocusSummaryRow[];
}

function formatOf(path: string): "parquet" | "csv" {
  if (/\.parquet$/i.test(path)) return "parquet";
  if (/\.csv(\.gz)?$/i.test(path)) return "csv";
  throw new Error(
    `${path}: not a FOCUS data file; Data Exports writes <export>-NNNNN.snappy.parquet (Parquet) or <export>-NNNNN.csv.gz (gzip CSV)`,
  );
}

/**
 * Summarizes one FOCUS 1.2 delivery (one or more billing periods) read from local files.
 *
 * @param delivery the data files (all Parquet or all gzip CSV, as one export writes them) and,
 *   optionally, the manifest's `columns`.
 * @returns per billing period (BillingPeriodStart's month): line items, totals of BilledCost,
 *   EffectiveCost and ListCost (when the delivery has it) as decimal strings rounded to 6 places,
 *   the same per ChargeCategory, and rows by SubAccountId × ServiceName × day (ChargePeriodStart's
 *   UTC date).
 * @throws when there are no files, when they mix formats, or when a column the summary reads is
 *   missing (the error names the column and the source).
 */
export async function summarizeFocusDelivery(delivery: FocusDeliveryFiles): Promise<FocusPeriodSummary[]> {
  const source = delivery.source ?? delivery.dataFiles[0] ?? "FOCUS delivery";
  if (delivery.dataFiles.length === 0)
    throw new Error(`${source}: dataFiles is empty; a FOCUS delivery lists at least one data file`);
  const formats = new Set(delivery.dataFiles.map(formatOf));
  if (formats.size > 1)
    throw new Error(
      `${source}: dataFiles mix Parquet and CSV; one export writes one format, give one delivery's files`,
    );
  const format = [...formats][0]!;
  const relation = focusRelation(delivery.dataFiles, format);

  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    // Days and periods are UTC: a TIMESTAMP WITH TIME ZONE column would otherwise print in the machine's zone.
    await connection.run("SET TimeZone = 'UTC'");
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
    const fileColumns = new Set(described.getRowObjectsJS().map((r) => String(r.column_name)));
    const declared = delivery.columns ? new Set(delivery.columns.map((c) => c.name)) : fileColumns;
    for (const col of REQUIRED_FOCUS_COLUMNS) {
      if (!declared.has(col))
        throw new Error(
          `${source}: column ${col} is missing from the manifest's columns; the FOCUS export's query must select it (FOCUS_1_2_AWS, modules/payer/export-queries.ts)`,
        );
      if (!fileColumns.has(col))
        throw new Error(
          `${source}: column ${col} is missing from the data files; re-sync the delivery or check the export's query`,
        );
    }
    const hasListCost = fileColumns.has("ListCost");
    const run = async (sql: string): Promise<Record<string, unknown>[]> =>
      (await connection.runAndReadAll(withFocusRelation(sql, relation, hasListCost))).getRowObjectsJS();

    const totals = await run(FOCUS_PERIOD_TOTALS);
    const categories = await run(FOCUS_BY_CHARGE_CATEGORY);
    const rows = await run(FOCUS_BY_ACCOUNT_SERVICE_DAY);
    const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
    return totals.map((t) => {
      const period = String(t.billing_period);
      return {
        billingPeriod: period,
        lineItems: Number(t.line_items),
        totals: {
          billedCost: String(t.billed_cost),
          effectiveCost: String(t.effective_cost),
          ...(hasListCost ? { listCost: String(t.list_cost ?? "0.000000") } : {}),
        },
        byChargeCategory: categories
          .filter((c) => c.billing_period === period)
          .map((c) => ({
            chargeCategory: String(c.charge_category),
            billedCost: String(c.billed_cost),
            effectiveCost: String(c.effective_cost),
            lineItems: Number(c.line_items),
          })),
        rows: rows
          .filter((r) => r.billing_period === period)
          .map((r) => ({
            subAccountId: s(r.sub_account_id),
            serviceName: s(r.service_name),
            usageDate: String(r.usage_date),
            billedCost: String(r.billed_cost),
            effectiveCost: String(r.effective_cost),
            ...(hasListCost ? { listCost: String(r.list_cost ?? "0.000000") } : {}),
            lineItems: Number(r.line_items),
          })),
      };
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every file below a folder (depth first). */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Summarizes a synced FOCUS export root (what `aws s3 sync s3://<bucket>/<prefix>/<export> <dir>`
 * writes): every manifest under metadata/BILLING_PERIOD=YYYY-MM/ (with create-new deliveries, only
 * the newest execution folder of each period counts), each manifest's dataFiles found below
 * <root>/data/ by their key after "/data/".
 */
export async function summarizeFocusExportRoot(root: string): Promise<FocusPeriodSummary[]> {
  const metadata = join(root, "metadata");
  if (!(await stat(metadata).catch(() => undefined))?.isDirectory())
    throw new Error(
      `${root}: no metadata/ folder; give the export's folder (the one holding data/ and metadata/)`,
    );
  const manifests = (await walkFiles(metadata)).filter((p) => p.endsWith("-Manifest.json")).sort();
  const newest = new Map<string, string>();
  for (const m of manifests) {
    const rel = relative(metadata, m).split(sep);
    const period = /^BILLING_PERIOD=(\d{4}-\d{2})$/i.exec(rel[0] ?? "")?.[1];
    if (!period)
      throw new Error(
        `${m}: not under metadata/BILLING_PERIOD=YYYY-MM/; Data Exports writes manifests there`,
      );
    newest.set(period, m); // sorted: a later execution folder (timestamp first) replaces an earlier one
  }
  const out: FocusPeriodSummary[] = [];
  for (const [, path] of [...newest.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const manifest = JSON.parse(await readFile(path, "utf8")) as {
      dataFiles?: unknown;
      columns?: { name: string; type?: string }[];
    };
    if (!Array.isArray(manifest.dataFiles) || manifest.dataFiles.length === 0)
      throw new Error(`${path}: dataFiles is missing or empty; a Data Exports manifest lists its data files`);
    const files = manifest.dataFiles.map((uri) => {
      const key = String(uri);
      const i = key.indexOf("/data/");
      if (i < 0) throw new Error(`${path}: dataFiles entry ${key} has no /data/ folder`);
      return join(root, "data", key.slice(i + "/data/".length));
    });
    out.push(
      ...(await summarizeFocusDelivery({ dataFiles: files, columns: manifest.columns, source: path })),
    );
  }
  return out;
}
