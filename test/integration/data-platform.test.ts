import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import {
  CUR_COMMITTED_DETAIL_TYPE,
  CUR_COMMITTED_SOURCE,
  type CurCommittedDetail,
} from "../../contracts/events";
import type { DataTable } from "../../contracts/tables";
import type { DeliveryOptions } from "../../emulator/cur/delivery";
import {
  type CurGroundTruth,
  type CurMonthFiles,
  uploadCurMonth,
  writeCurMonth,
} from "../../emulator/cur/generator";
import { organizationsViaPayerRole } from "../../functions/account-sync/source";
import { listOrganizationAccounts, syncAccounts } from "../../functions/account-sync/sync";
import { ingestAndAnnounce } from "../../functions/cur-ingest/announce";
import { EventBridgePublisher } from "../../functions/cur-ingest/eventbridge-publisher";
import { ingestManifest } from "../../functions/cur-ingest/ingest";
import { CurDeliveryError } from "../../functions/shared/cur-delivery-error";
import { DuckDbQueryEngine, s3Fetcher } from "../../functions/shared/query-engine/duckdb";
import { currentPointer, queryAll, readCurrentSpend } from "../../functions/shared/spend-store";
import { createDataTables } from "../../local/data-tables";
import { renderPipeline, runDataPipeline } from "../../local/pipeline";
import { asAccount, deployLocal, emulatorEndpoint } from "../support/local-org";

/**
 * The data platform's handlers, in process, with the real AWS SDK against the emulator (moto):
 * Organizations, DynamoDB and S3 are the emulator's; Athena is replaced by the DuckDB adapter over
 * the same Parquet files (moto runs no SQL). Every ingest runs as the function does, followed by its
 * "CUR billing period committed" announcement through the real EventBridge client: the test's bus
 * has a rule that delivers cur-ingest's events to an SQS queue (moto delivers same-account SQS
 * targets), so each test reads back exactly which events a run put. Then the admin stack is applied
 * with terraform and planned again, and the pipeline runs against the deployed tables and queue.
 */
const config = loadAccountConfig("accounts/local.yaml");
const admin = config.admin.id;
const prefix = `it${Date.now().toString(36)}`;
const bucket = `${prefix}-cur-replica`;
const cur = { s3Prefix: config.cur.s3Prefix, exportName: config.cur.exportName };
const accounts = [
  { id: config.payer.id, name: config.payer.name, regions: ["us-east-1"] },
  { id: admin, name: config.admin.name, regions: ["us-east-1"] },
  ...config.members.map((m) => ({ id: m.id, name: m.name, regions: m.regions })),
];

let raw: DynamoDBClient;
let ddb: DynamoDBDocumentClient;
let s3: S3Client;
let tables: Record<DataTable, string>;
let work: string;
let events: EventBridgeClient;
let sqs: SQSClient;
let busArn: string;
let eventQueueUrl: string;

beforeAll(async () => {
  const { bootstrapOrganization } = await import("../../local/bootstrap-org");
  await bootstrapOrganization(config, emulatorEndpoint());
  const client = await asAccount(admin);
  raw = new DynamoDBClient(client);
  ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  s3 = new S3Client(client);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  tables = await createDataTables(raw, prefix);
  work = mkdtempSync(path.join(os.tmpdir(), "finops-dp-it-"));
  // The committed-period events: a bus of this run, a rule for cur-ingest's events, an SQS target.
  events = new EventBridgeClient(client);
  sqs = new SQSClient(client);
  busArn = (await events.send(new CreateEventBusCommand({ Name: `${prefix}-bus` }))).EventBusArn!;
  eventQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-committed` }))).QueueUrl!;
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: eventQueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;
  await events.send(
    new PutRuleCommand({
      Name: `${prefix}-committed`,
      EventBusName: busArn,
      EventPattern: JSON.stringify({
        source: [CUR_COMMITTED_SOURCE],
        "detail-type": [CUR_COMMITTED_DETAIL_TYPE],
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${prefix}-committed`,
      EventBusName: busArn,
      Targets: [{ Id: "queue", Arn: queueArn }],
    }),
  );
}, 120_000);

afterAll(() => {
  raw?.destroy();
  s3?.destroy();
  events?.destroy();
  sqs?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

const cents = (x: number) => Math.round(x * 100);

async function generate(
  billingPeriod: string,
  seed = 1,
  sub = `${billingPeriod}-${seed}`,
  shape: Pick<DeliveryOptions, "format" | "overwrite" | "executedAt"> = {},
): Promise<CurMonthFiles> {
  return writeCurMonth({
    ...shape,
    billingPeriod,
    payer: { id: config.payer.id, name: config.payer.name },
    accounts,
    seed,
    exportName: cur.exportName,
    s3Prefix: cur.s3Prefix,
    bucket: new Names(config).curBucket, // the manifest names the payer bucket, as a replicated one does
    outDir: path.join(work, sub),
  });
}

/**
 * The committed spend of a period equals the generator's ground truth to the cent: every account ×
 * service × day (usage plus credit, refund and tax) and the month's total. Returns the spend items.
 */
async function expectSpendEqualsTruth(period: string, truth: CurGroundTruth) {
  const spend = await readCurrentSpend(ddb, { spend: tables.spend, runs: tables["ingestion-runs"] }, period);
  expect(spend).toHaveLength(truth.byAccountServiceDay.length);
  const got = new Map(spend.map((s) => [`${s.accountId}|${s.service}|${s.usageDate}`, s]));
  let total = 0;
  for (const t of truth.byAccountServiceDay) {
    const s = got.get(`${t.accountId}|${t.service}|${t.day}`)!;
    expect(cents(s.unblendedCost + s.credit + s.refund + s.tax)).toBe(cents(t.unblendedCost));
    total += s.unblendedCost + s.credit + s.refund + s.tax;
  }
  expect(cents(total)).toBe(cents(truth.total));
  return spend;
}

/** One ingest as the function runs it: the ingest, then its announcement on the test's bus. */
function ingest(key: string, extra: { dataWaitSeconds?: number } = {}) {
  const engine = new DuckDbQueryEngine({ fetch: s3Fetcher(s3), threads: 1 });
  return ingestAndAnnounce(
    () =>
      ingestManifest(
        {
          s3,
          ddb,
          engine,
          tables: { spend: tables.spend, runs: tables["ingestion-runs"] },
          export: cur,
          runRetentionDays: 400,
          dataWaitSeconds: extra.dataWaitSeconds ?? 2,
          sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))),
        },
        { bucket, key },
      ),
    new EventBridgePublisher(events, busArn),
  ).finally(() => engine.close());
}

interface DeliveredEvent {
  readonly source: string;
  readonly "detail-type": string;
  readonly detail: CurCommittedDetail;
}

/** Every committed-period event the rule delivered since the last call (and removes them). */
async function deliveredEvents(): Promise<DeliveredEvent[]> {
  const out: DeliveredEvent[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: eventQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = r.Messages ?? [];
    if (messages.length === 0) return out;
    out.push(...messages.map((m) => JSON.parse(m.Body!) as DeliveredEvent));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: eventQueueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

async function spendRows(period: string) {
  const out = await raw.send(new ScanCommand({ TableName: tables.spend }));
  return (out.Items ?? []).filter((i) => i.pk?.S?.startsWith(`${period}#`));
}

async function runRecords(period: string) {
  return queryAll<Record<string, unknown>>(ddb, {
    TableName: tables["ingestion-runs"],
    KeyConditionExpression: "billingPeriod = :p AND begins_with(sk, :r)",
    ExpressionAttributeValues: { ":p": period, ":r": "run#" },
  });
}

describe("account-sync against the emulated organization", () => {
  it("gets no accounts from the emulator as the delegated admin (the moto gap the local pipeline works around)", async () => {
    const org = new OrganizationsClient({ ...(await asAccount(admin)), region: "us-east-1" });
    expect(await listOrganizationAccounts(org)).toEqual([]);
    org.destroy();
  });

  it("reads every account with its OU through the payer read role (external id from the secret) and stores new ones as unallocated", async () => {
    const client = await asAccount(admin);
    const secrets = new SecretsManagerClient(client);
    const secretName = `${prefix}/payer-read-external-id`;
    await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: "it-external-id" }));
    const sts = new STSClient(client);
    // moto does not evaluate the role's trust policy: this checks the code path (secret → AssumeRole
    // with ExternalId → Organizations as the payer), not the trust itself (synth tests pin that).
    const org = await organizationsViaPayerRole({
      sts,
      secrets,
      roleArn: Names.roleArn(config.payer.id, new Names(config).payerReadRoleName),
      externalIdSecretArn: secretName,
      clientConfig: { endpoint: emulatorEndpoint() },
    });
    const found = await listOrganizationAccounts(org);
    org.destroy();
    sts.destroy();
    secrets.destroy();
    const byId = new Map(found.map((a) => [a.accountId, a]));
    for (const m of config.members) expect(byId.get(m.id)?.ouName).toBe(m.ou);
    expect(byId.get(admin)?.ouName).toBe("Root");

    const result = await syncAccounts({ ddb, accountsTable: tables.accounts }, found);
    expect(result.added.sort()).toEqual(found.map((a) => a.accountId).sort());
    const items = await queryAll<Record<string, unknown>>(ddb, {
      TableName: tables.accounts,
      IndexName: "byAllocationStatus",
      KeyConditionExpression: "allocationStatus = :u",
      ExpressionAttributeValues: { ":u": "unallocated" },
    });
    expect(items.map((i) => i.accountId).sort()).toEqual(found.map((a) => a.accountId).sort());
    expect(items.every((i) => typeof i.firstSeen === "string" && i.orgStatus === "ACTIVE")).toBe(true);
  });

  it("keeps first-seen and a budget mapping on the next sync, and adds nothing", async () => {
    const member = config.members[0]!.id;
    await ddb.send(
      new UpdateCommand({
        TableName: tables.accounts,
        Key: { accountId: member },
        UpdateExpression: "SET allocationStatus = :a, budgetId = :b, firstSeen = :f",
        ExpressionAttributeValues: {
          ":a": "allocated",
          ":b": "team-app-2026",
          ":f": "2025-01-01T00:00:00.000Z",
        },
      }),
    );
    const org = new OrganizationsClient({ ...(await asAccount(config.payer.id)), region: "us-east-1" });
    const result = await syncAccounts(
      { ddb, accountsTable: tables.accounts },
      await listOrganizationAccounts(org),
    );
    org.destroy();
    expect(result.added).toEqual([]);
    const items = await queryAll<Record<string, unknown>>(ddb, {
      TableName: tables.accounts,
      KeyConditionExpression: "accountId = :id",
      ExpressionAttributeValues: { ":id": member },
    });
    expect(items[0]).toMatchObject({
      allocationStatus: "allocated",
      budgetId: "team-app-2026",
      firstSeen: "2025-01-01T00:00:00.000Z",
    });
  });

  it("marks an account the organization no longer lists as REMOVED and never deletes it", async () => {
    await ddb.send(
      new PutCommand({
        TableName: tables.accounts,
        Item: { accountId: "999999999999", name: "gone", orgStatus: "ACTIVE", allocationStatus: "allocated" },
      }),
    );
    const org = new OrganizationsClient({ ...(await asAccount(config.payer.id)), region: "us-east-1" });
    const result = await syncAccounts(
      { ddb, accountsTable: tables.accounts },
      await listOrganizationAccounts(org),
    );
    org.destroy();
    expect(result.removed).toEqual(["999999999999"]);
    const gone = await queryAll<Record<string, unknown>>(ddb, {
      TableName: tables.accounts,
      KeyConditionExpression: "accountId = :id",
      ExpressionAttributeValues: { ":id": "999999999999" },
    });
    expect(gone[0]).toMatchObject({ orgStatus: "REMOVED", name: "gone", allocationStatus: "allocated" });
    expect(typeof gone[0]!.removedAt).toBe("string");
  });
});

describe("cur-ingest against the emulator's S3 and DynamoDB (DuckDB for Athena)", () => {
  const period = "2026-01";
  let month: CurMonthFiles;

  beforeAll(async () => {
    month = await generate(period, 1);
    await uploadCurMonth(s3, bucket, month);
  }, 60_000);

  it("writes spend by account, service and day equal to the ground truth to the cent, with a run record", async () => {
    const result = await ingest(month.manifestKey);
    expect(result).toMatchObject({
      status: "ingested",
      billingPeriod: period,
      lineItems: month.groundTruth.rowCount,
    });
    const spend = await expectSpendEqualsTruth(period, month.groundTruth);
    const runs = await runRecords(period);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: "SUCCEEDED",
      manifestKey: month.manifestKey,
      engine: "duckdb",
      version: result.version,
      items: spend.length,
      lineItems: month.groundTruth.rowCount,
    });
    expect(runs[0]!.durationMs).toEqual(expect.any(Number));
    expect(runs[0]!.expiresAt).toEqual(expect.any(Number));
    expect(runs[0]!.invoiced).toBe(false);
    // Exactly one announcement, after the commit: the generated month is not invoiced (blank invoice ids).
    const announced = await deliveredEvents();
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({
      source: CUR_COMMITTED_SOURCE,
      "detail-type": CUR_COMMITTED_DETAIL_TYPE,
    });
    expect(announced[0]!.detail).toEqual({
      billingPeriod: period,
      version: result.version,
      invoiced: false,
      status: "ingested",
      runId: result.runId,
      manifestKey: month.manifestKey,
    });
  }, 120_000);

  it("leaves the spend table identical when the same manifest is ingested again", async () => {
    const before = await spendRows(period);
    const again = await ingest(month.manifestKey);
    expect(again.status).toBe("unchanged");
    const after = await spendRows(period);
    const key = (i: (typeof before)[number]) => `${i.pk!.S}|${i.sk!.S}`;
    expect(after.map(key).sort()).toEqual(before.map(key).sort());
    expect(JSON.stringify(after.sort((a, b) => key(a).localeCompare(key(b))))).toBe(
      JSON.stringify(before.sort((a, b) => key(a).localeCompare(key(b)))),
    );
    expect((await runRecords(period)).map((r) => r.status).sort()).toEqual(["SUCCEEDED", "UNCHANGED"]);
    // Announced again (at least once): same version, status unchanged.
    const announced = await deliveredEvents();
    expect(announced.map((e) => [e.detail.status, e.detail.version, e.detail.runId])).toEqual([
      ["unchanged", again.version, again.runId],
    ]);
  }, 120_000);

  it("replaces the month completely when a restated delivery arrives: new totals, no stale rows", async () => {
    const first = await currentPointer(ddb, tables["ingestion-runs"], period);
    const restated = await generate(period, 2);
    expect(cents(restated.groundTruth.total)).not.toBe(cents(month.groundTruth.total));
    await uploadCurMonth(s3, bucket, restated);
    const result = await ingest(restated.manifestKey);
    expect(result.status).toBe("ingested");
    expect(result.previousVersion).toBe(first!.version);

    const rows = await spendRows(period);
    expect(new Set(rows.map((r) => r.pk!.S))).toEqual(new Set([`${period}#${result.version}`]));
    const spend = await readCurrentSpend(
      ddb,
      { spend: tables.spend, runs: tables["ingestion-runs"] },
      period,
    );
    const total = spend.reduce((a, s) => a + s.unblendedCost + s.credit + s.refund + s.tax, 0);
    expect(cents(total)).toBe(cents(restated.groundTruth.total));
    expect(spend).toHaveLength(restated.groundTruth.byAccountServiceDay.length);
    const announced = await deliveredEvents();
    expect(announced.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        status: "ingested",
        version: result.version,
        previousVersion: first!.version,
      }),
    ]);
  }, 120_000);

  it("keeps the committed month untouched when a restated delivery is bad", async () => {
    const before = await currentPointer(ddb, tables["ingestion-runs"], period);
    const rowsBefore = (await spendRows(period)).length;
    const bad = await generate(period, 3, "bad-restatement");
    await uploadCurMonth(s3, bucket, bad);
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: bad.dataKey, Body: Buffer.from("not parquet") }),
    );
    await expect(ingest(bad.manifestKey)).rejects.toThrow(/not readable Parquet/);
    expect(await currentPointer(ddb, tables["ingestion-runs"], period)).toEqual(before);
    expect((await spendRows(period)).length).toBe(rowsBefore);
    expect(await deliveredEvents()).toEqual([]);
  }, 120_000);

  it("announces a closed, invoiced month (every line item has an invoice id) as invoiced, also when re-delivered", async () => {
    const invoicedPeriod = "2025-12";
    const m = await generate(invoicedPeriod, 4, "invoiced");
    const file = m.files.find((f) => f.key === m.dataKey)!.path;
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * REPLACE ('EUINXX25-000123' AS bill_invoice_id) FROM read_parquet('${file}', hive_partitioning = false)) TO '${file}.tmp' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();
    const { renameSync } = await import("node:fs");
    renameSync(`${file}.tmp`, file);
    await uploadCurMonth(s3, bucket, m);

    const result = await ingest(m.manifestKey);
    expect(result).toMatchObject({ status: "ingested", invoiced: true });
    expect(await currentPointer(ddb, tables["ingestion-runs"], invoicedPeriod)).toMatchObject({
      version: result.version,
      invoiced: true,
    });
    const again = await ingest(m.manifestKey);
    expect(again).toMatchObject({ status: "unchanged", invoiced: true });
    expect((await deliveredEvents()).map((e) => e.detail)).toEqual([
      expect.objectContaining({ billingPeriod: invoicedPeriod, invoiced: true, status: "ingested" }),
      expect.objectContaining({ billingPeriod: invoicedPeriod, invoiced: true, status: "unchanged" }),
    ]);
  }, 120_000);
});

// Both layouts and both formats AWS Data Exports writes ("Understanding export delivery",
// https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html): overwrite puts
// one delivery per period; "create new report" one <timestamp>-<executionId> folder per execution,
// of which only the newest counts. Parquet carries maps and doubles; gzip CSV carries maps as JSON
// text and numbers as text. The ingest reads both with the manifest's column types.
describe("cur-ingest reads every delivery shape AWS writes, to the cent", () => {
  const shapes = [
    { name: "Parquet, overwrite", period: "2024-01", format: "parquet", overwrite: "OVERWRITE_REPORT" },
    { name: "gzip CSV, overwrite", period: "2024-02", format: "csv", overwrite: "OVERWRITE_REPORT" },
    { name: "Parquet, create new", period: "2024-03", format: "parquet", overwrite: "CREATE_NEW_REPORT" },
    { name: "gzip CSV, create new", period: "2024-04", format: "csv", overwrite: "CREATE_NEW_REPORT" },
  ] as const;

  it.each(shapes)(
    "$name: spend by account, service and day equals the ground truth",
    async ({ period, format, overwrite }) => {
      const month = await generate(period, 5, `shape-${period}`, {
        format,
        overwrite,
        executedAt: new Date(`${period}-28T06:00:00.000Z`),
      });
      expect(month.dataKey.endsWith(format === "csv" ? ".csv.gz" : ".snappy.parquet")).toBe(true);
      await uploadCurMonth(s3, bucket, month);
      const result = await ingest(month.manifestKey);
      expect(result).toMatchObject({ status: "ingested", lineItems: month.groundTruth.rowCount });
      await expectSpendEqualsTruth(period, month.groundTruth);
      expect(await deliveredEvents()).toHaveLength(1);
    },
    120_000,
  );

  it("create new: an older execution arriving after the newest is superseded and changes nothing", async () => {
    const period = "2024-05";
    const older = await generate(period, 6, "older", {
      overwrite: "CREATE_NEW_REPORT",
      executedAt: new Date("2024-05-20T06:00:00.000Z"),
    });
    const newer = await generate(period, 7, "newer", {
      overwrite: "CREATE_NEW_REPORT",
      executedAt: new Date("2024-05-21T06:00:00.000Z"),
    });
    expect(older.groundTruth.total).not.toBe(newer.groundTruth.total);
    await uploadCurMonth(s3, bucket, older);
    await uploadCurMonth(s3, bucket, newer);
    const first = await ingest(newer.manifestKey);
    expect(first).toMatchObject({ status: "ingested" });
    const late = await ingest(older.manifestKey);
    expect(late).toMatchObject({ status: "superseded", supersededBy: newer.manifestKey });
    expect(await currentPointer(ddb, tables["ingestion-runs"], period)).toMatchObject({
      version: first.version,
    });
    const spend = await readCurrentSpend(
      ddb,
      { spend: tables.spend, runs: tables["ingestion-runs"] },
      period,
    );
    const sum = spend.reduce((a, s) => a + s.unblendedCost + s.credit + s.refund + s.tax, 0);
    expect(cents(sum)).toBe(cents(newer.groundTruth.total));
    // Only the newest execution's run announced the period.
    expect((await deliveredEvents()).map((e) => e.detail.status)).toEqual(["ingested"]);
  }, 120_000);
});

describe("cur-ingest refuses bad deliveries, names the problem and writes nothing", () => {
  type Case = {
    name: string;
    period: string;
    /** Breaks a written month before upload; returns the manifest key to ingest. */
    breakIt: (m: CurMonthFiles) => Promise<{ upload: boolean }> | { upload: boolean };
    field: string;
    message: RegExp;
  };
  const manifestOf = (m: CurMonthFiles) => m.files.find((f) => f.key === m.manifestKey)!.path;
  const rewriteManifest = (m: CurMonthFiles, edit: (j: Record<string, unknown>) => unknown) => {
    writeFileSync(manifestOf(m), JSON.stringify(edit({ ...m.manifest } as Record<string, unknown>)));
    return { upload: true };
  };
  /**
   * Rewrites the month's Parquet file with `column` set to the SQL `value` on the first Usage line
   * item only, or on every line when `everyLine`.
   */
  const rewriteData = async (m: CurMonthFiles, column: string, value: string, everyLine = false) => {
    const file = m.files.find((f) => f.key === m.dataKey)!.path;
    const src = `read_parquet('${file}', hive_partitioning = false)`;
    const replaced = everyLine
      ? value
      : `CASE WHEN identity_line_item_id = (SELECT MIN(identity_line_item_id) FROM ${src} WHERE line_item_line_item_type = 'Usage') THEN ${value} ELSE ${column} END`;
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * REPLACE (${replaced} AS ${column}) FROM ${src}) TO '${file}.tmp' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();
    const { renameSync } = await import("node:fs");
    renameSync(`${file}.tmp`, file);
    return { upload: true };
  };
  // Lines of another month, after "Bill columns"
  // (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html) and "Cost and
  // Usage Report details" (every interval includes its start, excludes its end:
  // https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/billing-reports-costusage-details.html);
  // amounts after DynamoDB's Number (38 digits, magnitude below 1E+126:
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
  const lineCases: Case[] = [
    {
      name: "a line item of the previous month (line_item_usage_start_date before the period)",
      period: "2025-10",
      breakIt: (m) =>
        rewriteData(m, "line_item_usage_start_date", "CAST('2025-09-30 00:00:00' AS TIMESTAMP)"),
      field: "data",
      message:
        /line_item_usage_start_date is "2025-09-30 00:00:00", outside billing period 2025-10 \[2025-10-01T00:00:00Z, 2025-11-01T00:00:00Z\).*belongs to another month; re-deliver the month/,
    },
    {
      name: "a file of another billing period (bill_billing_period_start_date) in the period's folder",
      period: "2025-11",
      breakIt: (m) =>
        rewriteData(m, "bill_billing_period_start_date", "CAST('2025-10-01 00:00:00' AS TIMESTAMP)", true),
      field: "data",
      message:
        /bill_billing_period_start_date is "2025-10-01 00:00:00", not 2025-11-01T00:00:00Z UTC, the first instant of billing period 2025-11.*line items like it/,
    },
    {
      name: "a NULL line_item_usage_account_id",
      period: "2023-06",
      breakIt: (m) => rewriteData(m, "line_item_usage_account_id", "CAST(NULL AS VARCHAR)"),
      field: "data",
      message: /line_item_usage_account_id is NULL, not a 12-digit AWS account id/,
    },
    {
      name: "a line item without a service (product_servicecode and line_item_product_code NULL)",
      period: "2023-01",
      breakIt: async (m) => {
        await rewriteData(m, "product_servicecode", "CAST(NULL AS VARCHAR)");
        return rewriteData(m, "line_item_product_code", "CAST(NULL AS VARCHAR)");
      },
      field: "data",
      message: /product_servicecode and line_item_product_code are both empty/,
    },
    {
      name: "a NULL line_item_usage_start_date",
      period: "2023-02",
      breakIt: (m) => rewriteData(m, "line_item_usage_start_date", "CAST(NULL AS TIMESTAMP)"),
      field: "data",
      message: /line_item_usage_start_date is NULL; every line item has a usage start/,
    },
    {
      name: "a NaN cost",
      period: "2023-03",
      breakIt: (m) => rewriteData(m, "line_item_unblended_cost", "CAST('NaN' AS DOUBLE)"),
      field: "data",
      message: /line_item_unblended_cost is "nan", not a finite amount/i,
    },
    {
      name: "a cost too large for a DynamoDB Number to keep exactly (1E+200)",
      period: "2023-04",
      breakIt: (m) => rewriteData(m, "line_item_net_unblended_cost", "CAST(1e200 AS DOUBLE)"),
      field: "data",
      message: /line_item_net_unblended_cost is "1e\+200", not a finite amount of magnitude below 1E15/,
    },
    {
      name: "a cost column of text in Parquet where the manifest says double",
      period: "2023-05",
      breakIt: (m) =>
        rewriteData(
          m,
          "line_item_unblended_cost",
          "CAST(line_item_unblended_cost AS VARCHAR) || ' USD'",
          true,
        ),
      field: "data",
      message: /column line_item_unblended_cost: is VARCHAR in the Parquet file but "double" in the manifest/,
    },
  ];
  const cases: Case[] = [
    ...lineCases,
    {
      name: "a manifest without a column the ingest needs",
      period: "2025-01",
      breakIt: (m) =>
        rewriteManifest(m, (j) => ({
          ...j,
          columns: (j.columns as { name: string }[]).filter((c) => c.name !== "line_item_net_unblended_cost"),
        })),
      field: "columns",
      message: /lacks line_item_net_unblended_cost/,
    },
    {
      name: "data files without a column the manifest lists",
      period: "2025-02",
      breakIt: async (m) => {
        const file = m.files.find((f) => f.key === m.dataKey)!.path;
        const db = await DuckDBInstance.create(":memory:");
        const c = await db.connect();
        await c.run(
          `COPY (SELECT * EXCLUDE (product_servicecode) FROM read_parquet('${file}', hive_partitioning = false)) TO '${file}.tmp' (FORMAT parquet)`,
        );
        c.closeSync();
        db.closeSync();
        const { renameSync } = await import("node:fs");
        renameSync(`${file}.tmp`, file);
        return { upload: true };
      },
      field: "data",
      message: /its columns differ from the manifest's \(missing: product_servicecode\)/,
    },
    {
      name: "a manifest of another export (exportArn)",
      period: "2025-03",
      breakIt: (m) =>
        rewriteManifest(m, (j) => ({
          ...j,
          exportArn: String(j.exportArn).replace(":export/finops-cur2-", ":export/someone-elses-"),
        })),
      field: "exportArn",
      message: /is not export finops-cur2/,
    },
    {
      name: "a legacy CUR 1.0 manifest",
      period: "2025-04",
      breakIt: (m) => rewriteManifest(m, () => ({ assemblyId: "x", reportKeys: ["a.csv.gz"], columns: [] })),
      field: "manifest",
      message: /legacy CUR \(1\.0\) manifest/,
    },
    {
      name: "an empty data file",
      period: "2025-05",
      breakIt: (m) => {
        writeFileSync(m.files.find((f) => f.key === m.dataKey)!.path, "");
        return { upload: true };
      },
      field: "data",
      message: /empty \(0 bytes\)/,
    },
    {
      name: "a corrupt data file",
      period: "2025-06",
      breakIt: (m) => {
        writeFileSync(m.files.find((f) => f.key === m.dataKey)!.path, Buffer.alloc(4096, 7));
        return { upload: true };
      },
      field: "data",
      message: /not readable Parquet/,
    },
    {
      name: "a corrupt manifest",
      period: "2025-07",
      breakIt: (m) => {
        writeFileSync(manifestOf(m), '{"executionId": "x", "dataFiles": [');
        return { upload: true };
      },
      field: "manifest",
      message: /not valid JSON/,
    },
    {
      name: "a manifest pointing at a missing object",
      period: "2025-08",
      breakIt: (m) =>
        rewriteManifest(m, (j) => ({
          ...j,
          dataFiles: [(j.dataFiles as string[])[0]!.replace("-00001.", "-00002.")],
        })),
      field: "data",
      message: /lists this data file but it is not there/,
    },
    {
      name: "a manifest without data files",
      period: "2025-09",
      breakIt: (m) => rewriteManifest(m, (j) => ({ ...j, dataFiles: [] })),
      field: "dataFiles",
      message: /no data files/,
    },
  ];

  it.each(cases)(
    "fails the run on $name",
    async (c) => {
      const m = await generate(c.period, 1, `bad-${c.period}`);
      await c.breakIt(m);
      await uploadCurMonth(s3, bucket, m);
      const error = await ingest(m.manifestKey, { dataWaitSeconds: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CurDeliveryError);
      expect((error as Error).message).toMatch(c.message);
      if (c.field !== "data") expect((error as CurDeliveryError).field).toBe(c.field);
      else
        expect(
          (error as CurDeliveryError).field.startsWith(
            `s3://${bucket}/${c.period === "2025-08" ? "" : m.dataKey}`,
          ),
        ).toBe(true);
      // Nothing partial: no spend rows, no committed pointer; the run record says what failed.
      expect(await spendRows(c.period)).toEqual([]);
      expect(await currentPointer(ddb, tables["ingestion-runs"], c.period)).toBeUndefined();
      const runs = await runRecords(c.period);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: "FAILED", manifestKey: m.manifestKey });
      expect(String(runs[0]!.error)).toMatch(c.message);
      // A failed run announces nothing.
      expect(await deliveredEvents()).toEqual([]);
    },
    120_000,
  );
});

describe("the admin stack on the emulator", () => {
  it("applies the data platform, plans clean a second time, and runs the pipeline on the deployed tables", async () => {
    const { outcomes } = await deployLocal(config, ["admin"]);
    const adminOutcome = outcomes[0]!;
    expect(adminOutcome.error).toBeUndefined();
    expect(adminOutcome.status).toBe("applied");
    expect(adminOutcome.clean).toBe(true);

    // A month lands in the replica bucket (as replication would put it): S3 notifies the manifest queue.
    const names = new Names(config);
    const month = await generate("2026-02", 5, "deployed");
    await uploadCurMonth(s3, names.curReplicaBucket, month);
    const lines: string[] = [];
    const result = await runDataPipeline({
      config,
      motoEndpoint: emulatorEndpoint(),
      billingPeriod: "2026-02",
      log: (l) => lines.push(l),
    });
    expect(result.ingests.map((i) => i.billingPeriod)).toContain("2026-02");
    // Other months' notifications may be waiting in the queue (earlier files delivered them): the
    // spend reported is the month asked for.
    expect(result.period).toBe("2026-02");
    // Each ingest was announced on the admin's default bus (moto accepted the PutEvents entry).
    expect(lines.filter((l) => l.includes('"CUR billing period committed" put on'))).toHaveLength(
      result.ingests.length,
    );
    const total = result.spend.reduce((a, s) => a + s.unblendedCost + s.credit + s.refund + s.tax, 0);
    expect(cents(total)).toBe(cents(month.groundTruth.total));
    expect(result.unallocated.map((a) => a.accountId)).toEqual(
      expect.arrayContaining(config.members.map((m) => m.id)),
    );
    const text = renderPipeline(config, result);
    expect(text).toContain("Unallocated accounts");
    expect(text).toContain(`total: ${month.groundTruth.total.toFixed(2)}`);
  }, 900_000);
});
