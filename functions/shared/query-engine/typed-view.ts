/**
 * One typed view over the data files of a Data Exports delivery, whatever their format, so the same
 * SQL gets the same types from Parquet and from gzip CSV. The manifest's `columns` (name and type,
 * "Data Exports manifest file reference",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html) decide the types; the
 * type names are those of the Data Exports table dictionaries (e.g. "Cost and Usage Report (CUR)
 * 2.0", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html): string,
 * double, timestamp, map <string, string>, map <string, double>.
 *
 *   manifest type                          view type               from CSV text
 *   string (and unknown types)             VARCHAR                 as is
 *   double, decimal, bigint, int, ...      DOUBLE                  number text
 *   timestamp, date, datetime              TIMESTAMP (UTC)         ISO 8601 text ("...T...Z" or "... ...")
 *   boolean                                BOOLEAN                 true/false
 *   map <string, string> / map             MAP(VARCHAR, VARCHAR)   a JSON object
 *   map <string, double>                   MAP(VARCHAR, DOUBLE)    a JSON object
 *
 * In Parquet the columns carry these types natively (maps as maps, numbers as doubles); in CSV every
 * value is text, the map columns (product, resource_tags, cost_category, discount, tags) JSON
 * objects, and an empty field is NULL. A file whose columns differ from the manifest, or a CSV
 * value that does not parse as its column's type, is a CurDeliveryError naming the file, the column
 * (and the row) and the fix. Used by the DuckDB engine (duckdb.ts); reusable for any Data Exports
 * table (CUR 2.0, FOCUS).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { CurDeliveryError } from "../cur-delivery-error";
import { type DataFileFormat, dataFileFormat } from "../cur-manifest";

/** A data file on local disk, and how errors name it (its s3:// URI). */
export interface LocalDataFile {
  readonly path: string;
  readonly label: string;
}

export interface TypedViewColumn {
  readonly name: string;
  readonly type: string;
}

export interface TypedViewOptions {
  readonly files: readonly LocalDataFile[];
  /** The manifest's columns, in order. */
  readonly columns: readonly TypedViewColumn[];
  /** @default "cur" */
  readonly viewName?: string;
  /**
   * Adds a constant `billing_period` column (the partition the files were delivered under: Data
   * Exports writes it in the path, not in the files) unless the manifest lists one.
   * @default no column added
   */
  readonly billingPeriod?: string;
  /**
   * Adds a column of this name holding the label (s3:// URI) of the file each row was read from,
   * so a query can name the file of a bad row. @default no column added
   */
  readonly fileColumn?: string;
  /**
   * Adds a column of this name holding each row's number in its file (1-based) for Parquet files
   * (DuckDB's file_row_number), NULL for CSV (read_csv has no such option). @default no column added
   */
  readonly rowColumn?: string;
}

type Kind = "VARCHAR" | "DOUBLE" | "TIMESTAMP" | "BOOLEAN" | "MAP(VARCHAR, VARCHAR)" | "MAP(VARCHAR, DOUBLE)";

const NUMERIC =
  /^(double|float|real|decimal(\(.*\))?|numeric(\(.*\))?|bigint|int|integer|smallint|tinyint|long)$/;

/** The view's DuckDB type for a manifest column type (case and spaces ignored). */
export function viewTypeOf(manifestType: string): Kind {
  const t = manifestType.toLowerCase().replace(/\s+/g, "");
  if (NUMERIC.test(t)) return "DOUBLE";
  if (/^(timestamp(\(\d+\))?|timestamptz|datetime|date)$/.test(t)) return "TIMESTAMP";
  if (t === "boolean" || t === "bool") return "BOOLEAN";
  if (t.startsWith("map")) {
    const value = /^map<[^,]+,(.+)>$/.exec(t)?.[1];
    return value && NUMERIC.test(value) ? "MAP(VARCHAR, DOUBLE)" : "MAP(VARCHAR, VARCHAR)";
  }
  return "VARCHAR";
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The DuckDB reader of the files; `filename` adds a column of that name with each row's file path,
 * `rowNumber` Parquet's `file_row_number` column (0-based).
 */
function reader(
  format: DataFileFormat,
  paths: readonly string[],
  filename?: string,
  rowNumber = false,
): string {
  const list = `[${paths.map(literal).join(", ")}]`;
  const file = filename ? `, filename = ${literal(filename)}` : "";
  return format === "parquet"
    ? `read_parquet(${list}, hive_partitioning = false, union_by_name = true${file}${rowNumber ? ", file_row_number = true" : ""})`
    : `read_csv(${list}, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true, compression = 'gzip', hive_partitioning = false, union_by_name = true${file})`;
}

/** Whether a Parquet column's type can stand for the manifest's type without losing meaning. */
function parquetFits(kind: Kind, fileType: string): boolean {
  const t = fileType.toUpperCase();
  if (kind === "DOUBLE")
    return /^(DOUBLE|FLOAT|REAL|DECIMAL.*|BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|U\w*INT)$/.test(t);
  if (kind === "TIMESTAMP") return /^(TIMESTAMP.*|DATE)$/.test(t);
  if (kind === "BOOLEAN") return t === "BOOLEAN";
  if (kind.startsWith("MAP")) return t.startsWith("MAP(");
  return !/^(MAP|STRUCT|UNION)\(|\[\]$/.test(t); // VARCHAR: any scalar
}

/** The SQL that casts one column of a file to its view type. */
function castExpr(format: DataFileFormat, kind: Kind, column: string): string {
  const c = ident(column);
  if (format === "parquet") return kind === "VARCHAR" ? `CAST(${c} AS VARCHAR)` : `CAST(${c} AS ${kind})`;
  const text = `NULLIF(${c}, '')`;
  if (kind === "VARCHAR") return c;
  if (kind.startsWith("MAP")) return `CAST(CAST(${text} AS JSON) AS ${kind})`;
  return `CAST(${text} AS ${kind})`;
}

/** The check that finds a CSV value that does not parse as its type (true = bad). */
function badCsvValue(kind: Kind, column: string): string | undefined {
  const c = ident(column);
  const present = `${c} IS NOT NULL AND ${c} <> ''`;
  if (kind === "VARCHAR") return undefined;
  if (kind.startsWith("MAP")) return `${present} AND TRY_CAST(TRY_CAST(${c} AS JSON) AS ${kind}) IS NULL`;
  return `${present} AND TRY_CAST(${c} AS ${kind}) IS NULL`;
}

const EXPECTED_TEXT: Record<Kind, string> = {
  VARCHAR: "text",
  DOUBLE: "a number",
  TIMESTAMP: "an ISO 8601 timestamp",
  BOOLEAN: "true or false",
  "MAP(VARCHAR, VARCHAR)": "a JSON object of strings",
  "MAP(VARCHAR, DOUBLE)": "a JSON object of numbers",
};

async function describe(c: DuckDBConnection, file: LocalDataFile, format: DataFileFormat) {
  try {
    const r = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${reader(format, [file.path])}`);
    return r
      .getRowObjectsJson()
      .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  } catch (e) {
    const what = format === "parquet" ? "readable Parquet" : "readable gzip-compressed CSV with a header row";
    throw new CurDeliveryError(
      file.label,
      `is not ${what} (${(e as Error).message.split("\n")[0]}); the file is corrupt or not what its name says: re-deliver the month`,
    );
  }
}

/**
 * Checks every file against the manifest's columns, then (re)creates the view. Returns the view's
 * column names, lowercased.
 */
export async function createTypedCurView(c: DuckDBConnection, o: TypedViewOptions): Promise<string[]> {
  const view = o.viewName ?? "cur";
  if (o.files.length === 0) throw new CurDeliveryError("dataFiles", "no data files to read");
  const columns = o.columns.map((col) => ({
    name: col.name,
    manifestType: col.type,
    kind: viewTypeOf(col.type),
  }));
  const wanted = new Map(columns.map((col) => [col.name.toLowerCase(), col]));
  const groups = new Map<DataFileFormat, LocalDataFile[]>();

  for (const file of o.files) {
    const format = dataFileFormat(file.path);
    if (!format)
      throw new CurDeliveryError(
        file.label,
        "is neither Parquet (.parquet) nor gzip CSV (.csv.gz), the formats Data Exports writes; check the export's format",
      );
    groups.set(format, [...(groups.get(format) ?? []), file]);
    const have = await describe(c, file, format);
    const haveByName = new Map(have.map((h) => [h.name.toLowerCase(), h]));
    const missing = columns.filter((col) => !haveByName.has(col.name.toLowerCase())).map((col) => col.name);
    const extra = have.filter((h) => !wanted.has(h.name.toLowerCase())).map((h) => h.name);
    if (missing.length || extra.length)
      throw new CurDeliveryError(
        file.label,
        `its columns differ from the manifest's (${[
          missing.length
            ? `missing: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}`
            : "",
          extra.length
            ? `not in the manifest: ${extra.slice(0, 10).join(", ")}${extra.length > 10 ? ", ..." : ""}`
            : "",
        ]
          .filter(Boolean)
          .join("; ")}); the file does not belong to this manifest: re-deliver the month`,
      );
    if (format === "parquet") {
      for (const col of columns) {
        const h = haveByName.get(col.name.toLowerCase())!;
        if (!parquetFits(col.kind, h.type))
          throw new CurDeliveryError(
            `${file.label} column ${col.name}`,
            `is ${h.type} in the Parquet file but "${col.manifestType}" in the manifest; the file does not match the manifest: re-deliver the month`,
          );
      }
    } else {
      await checkCsvValues(c, file, columns);
    }
  }

  const select = (format: DataFileFormat, files: readonly LocalDataFile[]): string => {
    const list = columns.map((col) => `${castExpr(format, col.kind, col.name)} AS ${ident(col.name)}`);
    if (o.billingPeriod !== undefined && !wanted.has("billing_period"))
      list.push(`${literal(o.billingPeriod)} AS billing_period`);
    const fileColumn = o.fileColumn && !wanted.has(o.fileColumn.toLowerCase()) ? o.fileColumn : undefined;
    if (fileColumn)
      list.push(
        `CASE ${ident(fileColumn)} ${files.map((f) => `WHEN ${literal(f.path)} THEN ${literal(f.label)}`).join(" ")} END AS ${ident(fileColumn)}`,
      );
    const rowColumn = o.rowColumn && !wanted.has(o.rowColumn.toLowerCase()) ? o.rowColumn : undefined;
    if (rowColumn)
      list.push(
        format === "parquet"
          ? `file_row_number + 1 AS ${ident(rowColumn)}`
          : `CAST(NULL AS BIGINT) AS ${ident(rowColumn)}`,
      );
    return `SELECT ${list.join(", ")} FROM ${reader(
      format,
      files.map((f) => f.path),
      fileColumn,
      rowColumn !== undefined,
    )}`;
  };
  const sql = [...groups.entries()].map(([format, files]) => select(format, files)).join(" UNION ALL ");
  try {
    await c.run(`CREATE OR REPLACE VIEW ${ident(view)} AS ${sql}`);
    const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${ident(view)}`);
    return described.getRowObjectsJson().map((r) => String(r.column_name).toLowerCase());
  } catch (e) {
    throw new CurDeliveryError(
      o.files.length === 1 ? o.files[0]!.label : "dataFiles",
      `cannot be read with the manifest's column types (${(e as Error).message.split("\n")[0]}); re-deliver the month`,
    );
  }
}

/** Finds the first CSV value (by column order, then row) that does not parse as its column's type. */
async function checkCsvValues(
  c: DuckDBConnection,
  file: LocalDataFile,
  columns: readonly { name: string; manifestType: string; kind: Kind }[],
): Promise<void> {
  const checks = columns
    .map((col, i) => ({ col, i, bad: badCsvValue(col.kind, col.name) }))
    .filter((x): x is { col: (typeof columns)[number]; i: number; bad: string } => x.bad !== undefined);
  if (checks.length === 0) return;
  const src = `(SELECT row_number() OVER () AS __row, * FROM ${reader("csv.gz", [file.path])})`;
  const r = await c.runAndReadAll(
    `SELECT ${checks.map((x) => `MIN(__row) FILTER (WHERE ${x.bad}) AS b${x.i}`).join(", ")} FROM ${src}`,
  );
  const row = r.getRowObjectsJson()[0] ?? {};
  for (const x of checks) {
    const at = row[`b${x.i}`];
    if (at === null || at === undefined) continue;
    const v = await c.runAndReadAll(
      `SELECT ${ident(x.col.name)} AS v FROM ${src} WHERE __row = ${Number(at)}`,
    );
    const value = String(v.getRowObjectsJson()[0]?.v ?? "");
    throw new CurDeliveryError(
      `${file.label} row ${Number(at)} column ${x.col.name}`,
      `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)} is not ${EXPECTED_TEXT[x.col.kind]} (the manifest types the column "${x.col.manifestType}"); the file is corrupt or does not match the manifest: re-deliver the month`,
    );
  }
}
