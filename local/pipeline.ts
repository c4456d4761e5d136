import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { clientConfigForAccount } from "../emulator/aws-clients";
import { ORGANIZATIONS_REGION, organizationsViaPayerRole } from "../functions/account-sync/source";
import {
  listOrganizationAccounts,
  type OrgAccount,
  type SyncResult,
  syncAccounts,
} from "../functions/account-sync/sync";
import { ingestAndAnnounce } from "../functions/cur-ingest/announce";
import { EventBridgePublisher } from "../functions/cur-ingest/eventbridge-publisher";
import { parseIngestEvent } from "../functions/cur-ingest/events";
import { type IngestResult, ingestManifest, type ManifestEvent } from "../functions/cur-ingest/ingest";
import { DuckDbQueryEngine, s3Fetcher } from "../functions/shared/query-engine/duckdb";
import { queryAll, readCurrentSpend, type SpendItem } from "../functions/shared/spend-store";

/**
 * The data platform's pipeline on the local organization: the Lambda handlers' logic runs in this
 * process with real SDK clients against the emulator, as the admin account (the emulator runs no
 * Lambda code). Athena is emulated by DuckDB over the same Parquet files (named as emulation).
 */
/**
 * DuckDB's memory limit for the local ingest (DuckDB's default is 80% of the machine's RAM). The
 * spend query aggregates to one row per account × service × day, so it needs little; the limit
 * keeps a 10M-line month within 1 GiB of process memory (bench/results/ingest.md), and DuckDB
 * spills to disk rather than fail if a query ever needs more.
 */
export const LOCAL_DUCKDB_MEMORY_LIMIT = "512MB";

export interface PipelineOptions {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  /** The month to ingest when no manifest notification is waiting in the queue. */
  readonly billingPeriod: string;
  /** The manifests to ingest when no notification is waiting. @default the overwrite manifest of billingPeriod */
  readonly manifestKeys?: readonly string[];
  /**
   * EMULATION for `npm run cur:replay`: accounts a replayed export bills that the emulated
   * organization does not hold (on AWS, Organizations lists them). Synced with the organization's
   * own accounts, so they are stored (unallocated when new) under the names the export gives them.
   */
  readonly extraAccounts?: readonly OrgAccount[];
  readonly log?: (line: string) => void;
}

export interface PipelineResult {
  readonly sync: SyncResult;
  readonly ingests: IngestResult[];
  /** The billing period whose spend `spend` holds. */
  readonly period: string;
  readonly spend: SpendItem[];
  readonly unallocated: { accountId: string; name: string; ouName: string }[];
}

export async function runDataPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const log = o.log ?? (() => {});
  const { config } = o;
  const names = new Names(config);
  const region = config.admin.regions[0]!;
  const admin = await clientConfigForAccount(o.motoEndpoint, config.admin.id, region);
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(admin), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client(admin);
  const sqs = new SQSClient(admin);
  const events = new EventBridgeClient(admin);
  // The bus cur-ingest announces committed periods on (CUR_EVENT_BUS_ARN of the deployed function).
  const curEventBus = names.curEventBusArn;
  const tables = { spend: names.dataTable("spend"), runs: names.dataTable("ingestion-runs") };
  try {
    // account-sync, as the function would run it.
    const mode = config.dataPlatform.accountSync.mode;
    const org =
      mode === "payer-role"
        ? await organizationsViaPayerRole({
            sts: new STSClient(admin),
            secrets: new SecretsManagerClient(admin),
            roleArn: Names.roleArn(config.payer.id, names.payerReadRoleName),
            externalIdSecretArn: names.externalIdSecretName,
            clientConfig: { endpoint: o.motoEndpoint },
          })
        : new OrganizationsClient({ ...admin, region: ORGANIZATIONS_REGION });
    let accounts = await listOrganizationAccounts(org);
    org.destroy();
    if (accounts.length === 0 && mode === "delegated-admin") {
      // Emulator gap: moto answers DescribeOrganization to a member account but lists its accounts
      // only to the management account. AWS lists them to a delegated administrator.
      log(
        "emulated:  moto lists the organization's accounts only to the management account; account-sync reads them with the payer's credentials here (AWS serves them to the delegated admin)",
      );
      const payerOrg = new OrganizationsClient({
        ...(await clientConfigForAccount(o.motoEndpoint, config.payer.id, ORGANIZATIONS_REGION)),
      });
      accounts = await listOrganizationAccounts(payerOrg);
      payerOrg.destroy();
    }
    const known = new Set(accounts.map((a) => a.accountId));
    const extra = (o.extraAccounts ?? []).filter((a) => !known.has(a.accountId));
    if (extra.length)
      log(
        `emulated:  ${extra.length} account(s) the replayed export bills are not in the emulated organization; synced with their names from the export (state unknown): ${extra.map((a) => a.accountId).join(", ")}`,
      );
    const sync = await syncAccounts({ ddb, accountsTable: names.dataTable("accounts") }, [
      ...accounts,
      ...extra,
    ]);
    log(
      `pipeline   account-sync (in-process, ${mode}): ${sync.seen} accounts in the organization, ${sync.added.length} new, ${sync.removed.length} marked removed`,
    );

    // cur-ingest: the manifest notification S3 sent to the queue, as the SQS event source would pass it.
    const manifests = await receiveManifestNotifications(sqs, names.curManifestQueue);
    if (manifests.length) {
      log(
        `pipeline   cur-ingest: ${manifests.length} manifest notification(s) from queue ${names.curManifestQueue}`,
      );
    } else {
      const keys = o.manifestKeys ?? [
        `${config.cur.s3Prefix}/${config.cur.exportName}/metadata/BILLING_PERIOD=${o.billingPeriod}/${config.cur.exportName}-Manifest.json`,
      ];
      for (const key of keys) {
        await s3.send(new HeadObjectCommand({ Bucket: names.curReplicaBucket, Key: key }));
        manifests.push({ bucket: names.curReplicaBucket, key });
        log(`pipeline   cur-ingest: no notification waiting in ${names.curManifestQueue}; ingesting ${key}`);
      }
    }
    const engine = new DuckDbQueryEngine({ fetch: s3Fetcher(s3), memoryLimit: LOCAL_DUCKDB_MEMORY_LIMIT });
    const ingests: IngestResult[] = [];
    try {
      for (const m of manifests) {
        const r = await ingestAndAnnounce(
          () =>
            ingestManifest(
              {
                s3,
                ddb,
                engine,
                tables,
                export: { s3Prefix: config.cur.s3Prefix, exportName: config.cur.exportName },
                runRetentionDays: config.dataPlatform.ingestionRunRetentionDays,
                dataWaitSeconds: 10,
              },
              m,
            ),
          new EventBridgePublisher(events, curEventBus),
        );
        ingests.push(r);
        log(
          `pipeline   cur-ingest ${r.billingPeriod}: ${r.status}, ${r.lineItems} line items → ${r.items} spend items (version ${r.version}, ${r.durationMs} ms; Athena emulated by DuckDB); "CUR billing period committed" put on ${curEventBus}`,
        );
      }
    } finally {
      await engine.close();
    }

    // Several notifications may be waiting (other months delivered earlier): report the month asked
    // for when it was ingested, otherwise the first one ingested.
    const period =
      ingests.find((i) => i.billingPeriod === o.billingPeriod)?.billingPeriod ??
      ingests[0]?.billingPeriod ??
      o.billingPeriod;
    const spend = await readCurrentSpend(ddb, tables, period);
    const unallocated = await queryAll<{ accountId: string; name: string; ouName: string }>(ddb, {
      TableName: names.dataTable("accounts"),
      IndexName: "byAllocationStatus",
      KeyConditionExpression: "allocationStatus = :u",
      ExpressionAttributeValues: { ":u": "unallocated" },
    });
    return { sync, ingests, period, spend, unallocated };
  } finally {
    ddb.destroy();
    s3.destroy();
    sqs.destroy();
    events.destroy();
  }
}

async function receiveManifestNotifications(sqs: SQSClient, queueName: string): Promise<ManifestEvent[]> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  } catch {
    return [];
  }
  const out: ManifestEvent[] = [];
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) return out;
    const event = {
      Records: messages.map((m) => ({ eventSource: "aws:sqs", messageId: m.MessageId!, body: m.Body ?? "" })),
    };
    for (const parsed of parseIngestEvent(event))
      if (parsed.kind === "manifest") out.push(...parsed.manifests);
    for (const m of messages)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
  }
}

/** Spend by account and service for the month, and the accounts waiting for a budget. */
export function renderPipeline(config: AccountConfig, r: PipelineResult): string {
  const name = new Map<string, string>([
    [config.payer.id, config.payer.name],
    [config.admin.id, config.admin.name],
    ...config.members.map((m) => [m.id, m.name] as [string, string]),
    ...r.unallocated.filter((a) => a.name).map((a) => [a.accountId, a.name] as [string, string]),
  ]);
  const usd = (n: number) => n.toFixed(2);
  const byAccount = new Map<string, Map<string, { usage: number; credit: number; tax: number }>>();
  for (const s of r.spend) {
    const services = byAccount.get(s.accountId) ?? new Map();
    const cur = services.get(s.service) ?? { usage: 0, credit: 0, tax: 0 };
    cur.usage += s.unblendedCost;
    cur.credit += s.credit + s.refund;
    cur.tax += s.tax;
    services.set(s.service, cur);
    byAccount.set(s.accountId, services);
  }
  const lines = [`Spend ${r.period} by account and service (USD, unblended; credits and tax apart):`];
  let total = 0;
  for (const [account, services] of [...byAccount.entries()].sort()) {
    const sum = [...services.values()].reduce((a, b) => a + b.usage + b.credit + b.tax, 0);
    total += sum;
    lines.push(`  ${account} ${name.get(account) ?? "?"}: ${usd(sum)}`);
    for (const [service, v] of [...services.entries()].sort((a, b) => b[1].usage - a[1].usage)) {
      const extra = [v.credit ? `credit ${usd(v.credit)}` : "", v.tax ? `tax ${usd(v.tax)}` : ""].filter(
        Boolean,
      );
      lines.push(
        `    ${service.padEnd(24)} ${usd(v.usage).padStart(12)}${extra.length ? `  (${extra.join(", ")})` : ""}`,
      );
    }
  }
  lines.push(`  total: ${usd(total)}`);
  lines.push(
    r.unallocated.length
      ? `Unallocated accounts (map them to a budget): ${r.unallocated
          .map((a) => `${a.accountId} ${a.name} [${a.ouName}]`)
          .sort()
          .join(", ")}`
      : "Unallocated accounts: none",
  );
  return lines.join("\n");
}
