import { createHash } from "node:crypto";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  type DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { CURRENT_POINTER_SK, spendPartitionKey } from "../../contracts/tables";
import { sleep as realSleep } from "../shared/backoff";
import { CurDeliveryError } from "../shared/cur-delivery-error";
import {
  dataKeysOf,
  type ManifestLocation,
  missingColumns,
  parseManifest,
  parseManifestKey,
} from "../shared/cur-manifest";
import {
  CHECK_SEPARATOR,
  DELIVERY_CHECK,
  DELIVERY_PROBLEMS,
  deliveryCheckParams,
  INVOICE_STATUS,
  MAX_LINE_AMOUNT,
  REQUIRED_CUR_COLUMNS,
  SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT,
} from "../shared/cur-queries";
import { type BatchStats, batchWrite } from "../shared/ddb-batch";
import { plainDecimal } from "../shared/decimal";
import type { QueryEngine } from "../shared/query-engine/port";
import { type CurrentPointer, currentPointer, queryAll, type SpendItem } from "../shared/spend-store";

/** The subset of the Powertools logger the ingest uses. */
export interface IngestLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface IngestDeps {
  readonly s3: S3Client;
  readonly ddb: DynamoDBDocumentClient;
  readonly engine: QueryEngine;
  readonly tables: { readonly spend: string; readonly runs: string };
  /** The export whose manifests this ingest accepts. */
  readonly export: { readonly s3Prefix: string; readonly exportName: string };
  /** Run records expire after this many days. */
  readonly runRetentionDays: number;
  /** How long to wait for data files the manifest lists but that have not arrived (replication lag). @default 120 */
  readonly dataWaitSeconds?: number;
  readonly now?: () => Date;
  readonly newRunId?: () => string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: IngestLogger;
  /** Counts BatchWriteItem requests and items (the bench reads it). */
  readonly batchStats?: BatchStats;
  /** BatchWriteItem requests in flight. @default 4 */
  readonly writeConcurrency?: number;
}

export interface ManifestEvent {
  readonly bucket: string;
  readonly key: string;
}

export interface IngestResult {
  /**
   * "ingested": this run committed the delivery; "unchanged": it was committed already;
   * "superseded": a create-new delivery of which a newer execution of the same period exists (only
   * the newest execution counts): nothing was read or changed.
   */
  readonly status: "ingested" | "unchanged" | "superseded";
  readonly billingPeriod: string;
  /** The committed version (for "superseded": the period's current version, "" when none). */
  readonly version: string;
  readonly previousVersion?: string;
  readonly runId: string;
  readonly items: number;
  readonly lineItems: number;
  readonly durationMs: number;
  /** The manifest key of the delivery this run read. */
  readonly manifestKey: string;
  /**
   * The committed delivery is the closed, invoiced month: every line item has a bill_invoice_id.
   * For "unchanged", what the run that committed the version recorded.
   */
  readonly invoiced: boolean;
  /** "superseded" only: the manifest key of the newest execution of the period. */
  readonly supersededBy?: string;
}

/**
 * A DynamoDB Number holds up to 38 significant digits, magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
 * Whether a plain decimal text is one, exactly.
 */
export function fitsDynamoNumber(text: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return false;
  const digits = `${m[1]}${m[2] ?? ""}`.replace(/^0+/, "").replace(/0+$/, "");
  if (digits === "") return true; // zero
  const integer = m[1]!.replace(/^0+/, "");
  if (integer.length > 126) return false;
  return digits.length <= 38;
}

/**
 * A money column of the spend query: the exact decimal text the SQL computed (DECIMAL(38,6)), or a
 * finite number (an engine that returns doubles), as the plain decimal text written to DynamoDB.
 */
const money = z
  .union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()], {
    error: "must be a decimal number (the spend query's DECIMAL(38,6))",
  })
  .transform((v) => plainDecimal(v))
  .refine(fitsDynamoNumber, {
    error:
      "has more than 38 significant digits or is beyond 9.99E+125: a DynamoDB Number cannot hold it exactly",
  });
const spendRowSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/, { error: "must be a 12-digit line_item_usage_account_id" }),
  service: z.string({ error: "is empty in product_servicecode and line_item_product_code" }).min(1),
  usage_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date (line_item_usage_start_date)" }),
  unblended_cost: money,
  net_unblended_cost: money,
  net_amortized_cost: money,
  credit: money,
  refund: money,
  tax: money,
  line_items: z.coerce.number().int(),
});

/** A spend item as the ingest writes it: SpendItem with each money attribute an exact NumberValue. */
type SpendWriteItem = {
  [K in keyof SpendItem]: SpendItem[K] extends number
    ? K extends "lineItems"
      ? number
      : NumberValue
    : SpendItem[K];
};

const RUN_PREFIX = "run#";

/**
 * Ingests one CUR 2.0 delivery (its manifest) into the spend table, all or nothing:
 *  1. checks the key, the manifest, the data files (waiting a bounded time for late ones) and the
 *     columns, then runs the SQL: any bad input fails here, before anything is written;
 *  2. writes the month under a new version (pk "<period>#<version>"; the version is a hash of the
 *     manifest and its files' ETags, so the same delivery always gets the same version);
 *  3. commits by moving the period's "current" pointer to the version in one transaction with the
 *     run record (readers resolve the pointer first: a half-written version is never visible);
 *  4. deletes every other version of the period (the replaced month: no stale rows, no double counting).
 * The same delivery again changes nothing (status "unchanged"). Every run leaves a run record.
 * The result says whether the committed month is invoiced (every line item has bill_invoice_id);
 * the pointer and the run record keep it, so an "unchanged" run reports what was committed.
 * Create-new deliveries: only the newest execution of a period counts. A manifest whose period has a
 * newer execution folder holding a manifest (ListObjectsV2 on the period's metadata folder) is
 * recorded SUPERSEDED and changes nothing (status "superseded"), so a late or replayed notification
 * of an older execution never replaces the newer month.
 */
export async function ingestManifest(deps: IngestDeps, event: ManifestEvent): Promise<IngestResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId =
    deps.newRunId?.() ??
    createHash("sha256").update(`${started.toISOString()}${Math.random()}`).digest("hex").slice(0, 12);
  const location = parseManifestKey(event.key, deps.export.s3Prefix, deps.export.exportName);
  const period = location.billingPeriod;
  const runSk = `${RUN_PREFIX}${started.toISOString()}#${runId}`;
  const expiresAt = Math.floor(started.getTime() / 1000) + deps.runRetentionDays * 86_400;

  await deps.ddb.send(
    new PutCommand({
      TableName: deps.tables.runs,
      Item: {
        billingPeriod: period,
        sk: runSk,
        runId,
        status: "STARTED",
        manifestBucket: event.bucket,
        manifestKey: event.key,
        engine: deps.engine.kind,
        startedAt: started.toISOString(),
        expiresAt,
      },
    }),
  );

  let version: string | undefined;
  try {
    // 0. Create new: an older execution of the period changes nothing.
    if (location.layout === "create-new") {
      const newer = await newerExecutionManifest(deps.s3, event.bucket, location);
      if (newer) return await superseded(newer);
    }

    // 1. Read and check everything before writing anything.
    const manifestObject = await getText(deps.s3, event.bucket, event.key);
    const manifest = parseManifest(manifestObject.text, location);
    const missingInManifest = missingColumns(
      manifest.columns.map((c) => c.name),
      REQUIRED_CUR_COLUMNS,
    );
    if (missingInManifest.length)
      throw new CurDeliveryError(
        "columns",
        `the export lacks ${missingInManifest.join(", ")}; CUR 2.0 has a fixed schema, so select every column in the export's query (or re-create the export from the landing)`,
      );
    const dataKeys = dataKeysOf(manifest, location);
    const etags = [];
    for (const key of dataKeys) etags.push(await waitForObject(deps, event.bucket, key));
    version = createHash("sha256")
      .update(JSON.stringify([manifest.executionId, manifestObject.etag, ...etags]))
      .digest("hex")
      .slice(0, 16);

    const previous = await currentPointer(deps.ddb, deps.tables.runs, period);
    if (previous?.version === version) {
      await sweepStaleVersions(deps, period, version);
      return await finish("UNCHANGED", { version, items: previous.items, lineItems: 0, previous });
    }

    const seen = await deps.engine.attach({
      billingPeriod: period,
      bucket: event.bucket,
      dataKeys,
      columns: manifest.columns,
    });
    if (seen) {
      const missingInData = missingColumns(seen, REQUIRED_CUR_COLUMNS);
      if (missingInData.length)
        throw new CurDeliveryError(
          "columns",
          `the data files lack ${missingInData.join(", ")} although the manifest lists them; the files do not match the manifest: re-deliver the month`,
        );
    }
    // One pass over the line items: every line of this period, with keys and finite amounts.
    const { invoiced } = await checkDelivery(deps.engine, period);
    const raw = await deps.engine.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, [period]);
    if (raw.length === 0)
      throw new CurDeliveryError(
        "dataFiles",
        `the files hold no line items for billing period ${period}; an empty delivery would erase the month: check the export, then re-run`,
      );
    const items: SpendWriteItem[] = raw.map((r) => {
      const p = spendRowSchema.safeParse(r);
      if (!p.success) {
        // A backstop: the delivery check refuses the lines that lead here, naming file and line.
        const issue = p.error.issues[0]!;
        const column = issue.path.join(".");
        throw new CurDeliveryError(
          `spend of account ${JSON.stringify(r.account_id)}, service ${JSON.stringify(r.service)}, day ${JSON.stringify(r.usage_date)}, ${column}`,
          `${issue.message} (got ${JSON.stringify(r[column] ?? null)}); the delivery's line items for it are not valid CUR 2.0: re-deliver the month, then re-run the ingest`,
        );
      }
      const row = p.data;
      // Money goes to DynamoDB as the SQL's exact decimal text (NumberValue): no double on the way.
      return {
        pk: spendPartitionKey(period, version!),
        sk: `${row.account_id}#${row.service}#${row.usage_date}`,
        billingPeriod: period,
        version: version!,
        accountId: row.account_id,
        service: row.service,
        usageDate: row.usage_date,
        unblendedCost: NumberValue.from(row.unblended_cost),
        netUnblendedCost: NumberValue.from(row.net_unblended_cost),
        netAmortizedCost: NumberValue.from(row.net_amortized_cost),
        credit: NumberValue.from(row.credit),
        refund: NumberValue.from(row.refund),
        tax: NumberValue.from(row.tax),
        lineItems: row.line_items,
      };
    });
    const lineItems = items.reduce((a, b) => a + b.lineItems, 0);

    // 2. Stage the new version (invisible until the pointer moves).
    await batchWrite(
      deps.ddb,
      deps.tables.spend,
      items.map((Item) => ({ PutRequest: { Item: Item as unknown as Record<string, unknown> } })),
      { stats: deps.batchStats, concurrency: deps.writeConcurrency, sleep: deps.sleep },
    );

    // 3. Commit: pointer and run record together, only if nobody committed in between.
    const finishedAt = now();
    const pointer: CurrentPointer = {
      billingPeriod: period,
      sk: CURRENT_POINTER_SK,
      version,
      runId,
      manifestKey: event.key,
      committedAt: finishedAt.toISOString(),
      items: items.length,
      invoiced,
    };
    await deps.ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.tables.runs,
              Item: pointer,
              ConditionExpression: previous ? "#version = :prev" : "attribute_not_exists(sk)",
              ...(previous
                ? {
                    ExpressionAttributeNames: { "#version": "version" },
                    ExpressionAttributeValues: { ":prev": previous.version },
                  }
                : {}),
            },
          },
          {
            Update: runUpdate("SUCCEEDED", finishedAt, {
              version,
              items: items.length,
              lineItems,
              previousVersion: previous?.version,
              executionId: manifest.executionId,
              dataFiles: dataKeys.length,
              invoiced,
            }),
          },
        ],
      }),
    );

    // 4. Remove replaced versions (and anything a failed run staged).
    await sweepStaleVersions(deps, period, version);
    const result: IngestResult = {
      status: "ingested",
      billingPeriod: period,
      version,
      previousVersion: previous?.version,
      runId,
      items: items.length,
      lineItems,
      durationMs: finishedAt.getTime() - started.getTime(),
      manifestKey: event.key,
      invoiced,
    };
    deps.log?.info("ingested", { ...result });
    return result;
  } catch (e) {
    const error = e as Error;
    await deps.ddb
      .send(
        new UpdateCommand({
          ...runUpdate("FAILED", now(), {
            version,
            error: error.message.slice(0, 2000),
            errorField: e instanceof CurDeliveryError ? e.field : undefined,
          }),
        }),
      )
      .catch((u) => deps.log?.warn("could not record the failed run", { error: String(u) }));
    // Anything this run staged is not current; remove it so the table holds no partial month.
    if (version)
      await sweepStaleVersions(deps, period, undefined, version).catch((s) =>
        deps.log?.warn("could not remove the failed run's staged rows", { error: String(s) }),
      );
    throw e;
  }

  function runUpdate(status: string, at: Date, extra: Record<string, unknown>) {
    const fields: Record<string, unknown> = {
      status,
      finishedAt: at.toISOString(),
      durationMs: at.getTime() - started.getTime(),
      ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
    };
    const names = Object.keys(fields);
    return {
      TableName: deps.tables.runs,
      Key: { billingPeriod: period, sk: runSk },
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}`).join(", ")}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, fields[n]])),
    };
  }

  async function superseded(newerKey: string): Promise<IngestResult> {
    const at = now();
    const pointer = await currentPointer(deps.ddb, deps.tables.runs, period);
    await deps.ddb.send(
      new UpdateCommand(runUpdate("SUPERSEDED", at, { supersededBy: newerKey, version: pointer?.version })),
    );
    deps.log?.info("a newer execution of the period exists; this delivery changes nothing", {
      billingPeriod: period,
      manifestKey: event.key,
      supersededBy: newerKey,
    });
    return {
      status: "superseded",
      billingPeriod: period,
      version: pointer?.version ?? "",
      runId,
      items: pointer?.items ?? 0,
      lineItems: 0,
      durationMs: at.getTime() - started.getTime(),
      manifestKey: event.key,
      invoiced: pointer?.invoiced === true,
      supersededBy: newerKey,
    };
  }

  async function finish(
    status: "UNCHANGED",
    r: { version: string; items: number; lineItems: number; previous: CurrentPointer },
  ): Promise<IngestResult> {
    const at = now();
    await deps.ddb.send(
      new UpdateCommand(
        runUpdate(status, at, { version: r.version, items: r.items, previousVersion: r.previous.version }),
      ),
    );
    deps.log?.info("delivery already ingested; nothing to change", {
      billingPeriod: period,
      version: r.version,
    });
    return {
      status: "unchanged",
      billingPeriod: period,
      version: r.version,
      previousVersion: r.previous.version,
      runId,
      items: r.items,
      lineItems: r.lineItems,
      durationMs: at.getTime() - started.getTime(),
      manifestKey: event.key,
      invoiced: r.previous.invoiced === true,
    };
  }
}

/**
 * The manifest key of the newest execution of a create-new period when it is newer than `location`'s
 * (by the folder's timestamp, then its name), else undefined. Lists the period's metadata folder:
 * every execution's manifest lies one folder below it ("Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html).
 */
export async function newerExecutionManifest(
  s3: S3Client,
  bucket: string,
  location: ManifestLocation,
): Promise<string | undefined> {
  const mine = location.execution;
  if (!mine) return undefined;
  let newest: { key: string; time: number; folder: string } | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: location.periodMetadataFolder,
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key?.endsWith(`/${location.exportName}-Manifest.json`)) continue;
      let other: ManifestLocation;
      try {
        other = parseManifestKey(o.Key, location.s3Prefix, location.exportName);
      } catch {
        continue; // not a manifest of this export's layout: ignore
      }
      const e = other.execution;
      if (!e || other.billingPeriod !== location.billingPeriod) continue;
      const later = e.time > mine.time || (e.time === mine.time && e.folder > mine.folder);
      if (later && (!newest || e.time > newest.time || (e.time === newest.time && e.folder > newest.folder)))
        newest = { key: o.Key, time: e.time, folder: e.folder };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return newest?.key;
}

/** What the delivery check found in a delivery it accepts. */
export interface DeliveryCheck {
  readonly lineItems: number;
  /** Every line item has a bill_invoice_id (the month is invoiced), as invoiceStatus. */
  readonly invoiced: boolean;
}

/** What a bad line of each DELIVERY_PROBLEMS entry gets: why, and the fix. */
function problemMessage(
  problem: string,
  column: string,
  value: string,
  period: string,
  [start, next]: readonly string[],
): string {
  const shown = value === "NULL" ? "NULL" : JSON.stringify(value);
  const range = `[${start}, ${next}) UTC`;
  switch (problem) {
    case "billing_period":
      return `${column} is ${shown}, not ${start} UTC, the first instant of billing period ${period} (the period of the manifest's BILLING_PERIOD= folder): the line item belongs to another billing period. Data Exports writes each period's line items under that period's folder; re-deliver the month (or take the other period's file out of this delivery), then re-run the ingest`;
    case "usage_start":
      return value === "NULL"
        ? `${column} is NULL; every line item has a usage start (the spend table's day): the file is corrupt, re-deliver the month, then re-run the ingest`
        : `${column} is ${shown}, outside billing period ${period} ${range} (a line item's usage starts within its billing period, the start included and the end excluded): the line item belongs to another month; re-deliver the month (or take the other period's file out of this delivery), then re-run the ingest`;
    case "account":
      return `${column} is ${shown}, not a 12-digit AWS account id; every line item names the account that used it: the file is corrupt, re-deliver the month, then re-run the ingest`;
    case "service":
      return `product_servicecode and line_item_product_code are both empty (NULL or ''; line_item_product_code is ${shown}); the line item has no service to count it under: the file is corrupt, re-deliver the month, then re-run the ingest`;
    default:
      return `${column} is ${shown}, not a finite amount of magnitude below ${MAX_LINE_AMOUNT}: no bill has such a line, and the month's sums must stay within what a DynamoDB Number stores exactly (38 significant digits); the file is corrupt or not CUR 2.0, re-deliver the month, then re-run the ingest`;
  }
}

/** How a check error names a line: its identity_line_item_id, else its row in the file, if known. */
function lineOf(id: string, row: string): string {
  if (id) return `line item ${id}`;
  if (row) return `row ${Number(row)}`;
  return "a line item without identity_line_item_id";
}

/**
 * Runs DELIVERY_CHECK (one pass over the period's line items) and throws a CurDeliveryError naming
 * the first bad line (its file where the engine knows it, its identity_line_item_id, the column and
 * the value) and the fix, with the count of lines like it and of any other problem; an empty
 * delivery is refused too. Returns the line count and whether the month is invoiced.
 */
export async function checkDelivery(engine: QueryEngine, period: string): Promise<DeliveryCheck> {
  const params = deliveryCheckParams(period);
  const [row] = await engine.query(DELIVERY_CHECK, params);
  const lineItems = Number(row?.line_items ?? 0);
  if (lineItems === 0)
    throw new CurDeliveryError(
      "dataFiles",
      `the files hold no line items for billing period ${period}; an empty delivery would erase the month: check the export, then re-run`,
    );
  const bounds = params.slice(0, 2).map((t) => `${t.replace(" ", "T")}Z`);
  const found = DELIVERY_PROBLEMS.map((p) => ({
    name: p.name,
    lines: Number(row?.[`${p.name}_lines`] ?? 0),
    first: String(row?.[`${p.name}_first`] ?? ""),
  })).filter((p) => p.lines > 0);
  const [first, ...others] = found;
  if (first) {
    const [file = "", id = "", row = "", column = "", value = ""] = first.first.split(CHECK_SEPARATOR);
    const where = `${file || "one of the delivery's files"} ${lineOf(id, row)} column ${column}`;
    const more = first.lines > 1 ? ` (${first.lines} line items like it)` : "";
    const also = others.length
      ? `. Also: ${others
          .map((o) => {
            const [f = "", i = "", r = "", c = ""] = o.first.split(CHECK_SEPARATOR);
            return `${o.lines} line item(s) with a bad ${c} (first: ${f || "one of the delivery's files"} ${lineOf(i, r)})`;
          })
          .join("; ")}`
      : "";
    throw new CurDeliveryError(
      where,
      `${problemMessage(first.name, column, value, period, bounds)}${more}${also}`,
    );
  }
  return { lineItems, invoiced: Number(row?.invoiced_line_items ?? 0) === lineItems };
}

/** Invoiced = the period has line items and every one carries an invoice id (INVOICE_STATUS). */
export async function invoiceStatus(engine: QueryEngine, period: string): Promise<boolean> {
  const [row] = await engine.query(INVOICE_STATUS, [period]);
  const total = Number(row?.line_items ?? 0);
  return total > 0 && Number(row?.invoiced_line_items ?? 0) === total;
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<{ text: string; etag: string }> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await out.Body?.transformToString("utf-8")) ?? "";
    if (text.trim() === "")
      throw new CurDeliveryError("manifest", `s3://${bucket}/${key} is empty; re-deliver the month`);
    return { text, etag: out.ETag ?? "" };
  } catch (e) {
    if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey")
      throw new CurDeliveryError(
        "key",
        `s3://${bucket}/${key} does not exist (deleted after the notification?)`,
      );
    throw e;
  }
}

/** HeadObject with a bounded wait: replication may deliver the manifest before its data files. */
async function waitForObject(deps: IngestDeps, bucket: string, key: string): Promise<string> {
  const deadline = Date.now() + (deps.dataWaitSeconds ?? 120) * 1000;
  const sleep = deps.sleep ?? realSleep;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (!head.ContentLength)
        throw new CurDeliveryError(
          `s3://${bucket}/${key}`,
          "the data file is empty (0 bytes); the export was interrupted: re-deliver the month, then re-run the ingest",
        );
      return head.ETag ?? "";
    } catch (e) {
      const missing =
        e instanceof NotFound || e instanceof NoSuchKey || (e as { name?: string }).name === "NotFound";
      if (!missing) throw e;
      if (Date.now() + delay > deadline)
        throw new CurDeliveryError(
          `s3://${bucket}/${key}`,
          `the manifest lists this data file but it is not there after waiting ${deps.dataWaitSeconds ?? 120} s; check the delivery (and replication), then re-run the ingest`,
        );
      await sleep(delay);
    }
  }
}

/**
 * Deletes the spend rows of every version of the period that is not `keep` (all versions any run
 * record of the period names, plus `also`). Readers never see these rows: the pointer names `keep`.
 */
async function sweepStaleVersions(
  deps: IngestDeps,
  period: string,
  keep: string | undefined,
  also?: string,
): Promise<void> {
  const runs = await queryAll<{ version?: string }>(deps.ddb, {
    TableName: deps.tables.runs,
    KeyConditionExpression: "billingPeriod = :p AND begins_with(sk, :run)",
    ExpressionAttributeValues: { ":p": period, ":run": RUN_PREFIX },
    ExpressionAttributeNames: { "#version": "version" },
    ProjectionExpression: "#version",
  });
  const pointer = await currentPointer(deps.ddb, deps.tables.runs, period);
  const current = keep ?? pointer?.version;
  const stale = new Set(
    [...runs.map((r) => r.version), also].filter((v): v is string => !!v && v !== current),
  );
  for (const v of stale) {
    const keys = await queryAll<{ pk: string; sk: string }>(deps.ddb, {
      TableName: deps.tables.spend,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": spendPartitionKey(period, v) },
      ProjectionExpression: "pk, sk",
    });
    if (keys.length === 0) continue;
    await batchWrite(
      deps.ddb,
      deps.tables.spend,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
      { concurrency: deps.writeConcurrency, sleep: deps.sleep },
    );
    deps.log?.info("removed a replaced version of the month", {
      billingPeriod: period,
      version: v,
      items: keys.length,
    });
  }
}
