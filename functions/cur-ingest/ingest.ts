import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  type DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { CURRENT_POINTER_SK, spendPartitionKey } from "../../contracts/tables";
import { CurDeliveryError } from "../shared/cur-delivery-error";
import { dataKeysOf, missingColumns, parseManifest, parseManifestKey } from "../shared/cur-manifest";
import { REQUIRED_CUR_COLUMNS, SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT } from "../shared/cur-queries";
import { type BatchStats, batchWrite } from "../shared/ddb-batch";
import type { QueryEngine } from "../shared/query-engine/port";
import { type CurrentPointer, currentPointer, queryAll } from "../shared/spend-store";
import { checkDelivery } from "./delivery-check";
import { getText, newerExecutionManifest, waitForObject } from "./delivery-objects";
import { type SpendWriteItem, spendRowSchema } from "./spend-rows";

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
