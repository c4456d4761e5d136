import { AthenaClient } from "@aws-sdk/client-athena";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import * as z from "zod";
import { EVENT_BUS_ARN_PATTERN } from "../../contracts/events";
import { CUR_INGEST_METRICS } from "../../contracts/metrics";
import { TABLE_ENV } from "../../contracts/tables";
import { documentClient } from "../shared/app-tables-env";
import { readEnv } from "../shared/env";
import { lambdaHandler, logger, MetricUnit, metrics } from "../shared/observability";
import { AthenaQueryEngine } from "../shared/query-engine/athena";
import { ingestAndAnnounce } from "./announce";
import { EventBridgePublisher } from "./eventbridge-publisher";
import { parseIngestEvent } from "./events";
import { type IngestResult, ingestManifest, type ManifestEvent } from "./ingest";

const env = readEnv(
  z.object({
    [TABLE_ENV.spend]: z.string().min(3),
    [TABLE_ENV["ingestion-runs"]]: z.string().min(3),
    CUR_S3_PREFIX: z.string().min(1),
    CUR_EXPORT_NAME: z.string().min(1),
    ATHENA_WORKGROUP: z.string().min(1),
    GLUE_DATABASE: z.string().min(1),
    CUR_TABLE: z.string().min(1),
    RUN_RETENTION_DAYS: z.coerce.number().int().min(1),
    DATA_WAIT_SECONDS: z.coerce.number().int().min(0).default(120),
    QUERY_MAX_WAIT_SECONDS: z.coerce.number().int().min(10).default(600),
    /** The bus the "CUR billing period committed" event goes to (the app's final-card rule listens there). */
    CUR_EVENT_BUS_ARN: z.string().regex(EVENT_BUS_ARN_PATTERN, {
      error: "must be an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)",
    }),
  }),
);

const s3 = new S3Client({});
const ddb = documentClient();
const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.CUR_EVENT_BUS_ARN);
const engine = new AthenaQueryEngine({
  athena: new AthenaClient({}),
  workgroup: env.ATHENA_WORKGROUP,
  database: env.GLUE_DATABASE,
  table: env.CUR_TABLE,
  maxWaitSeconds: env.QUERY_MAX_WAIT_SECONDS,
});

/**
 * One EMF record per run: the line items it read (0 when the delivery was committed already or is
 * superseded), the spend items it wrote (0 unless it committed the delivery), whether it committed a
 * new delivery (DeliveriesCommitted 1/0) and IngestFailed 0, with the run's id, billing period and
 * status as metadata. A run that throws writes one record of IngestFailed 1 instead.
 */
function recordRun(result: IngestResult): void {
  metrics.addMetadata("runId", result.runId);
  metrics.addMetadata("billingPeriod", result.billingPeriod);
  metrics.addMetadata("runStatus", result.status);
  metrics.addMetric(CUR_INGEST_METRICS.lineItemsRead, MetricUnit.Count, result.lineItems);
  metrics.addMetric(
    CUR_INGEST_METRICS.spendItemsWritten,
    MetricUnit.Count,
    result.status === "ingested" ? result.items : 0,
  );
  // The CUR-stale alarm (modules/monitoring/alarms.ts) alarms after hours without a 1 here.
  metrics.addMetric(
    CUR_INGEST_METRICS.deliveriesCommitted,
    MetricUnit.Count,
    result.status === "ingested" ? 1 : 0,
  );
  metrics.addMetric(CUR_INGEST_METRICS.ingestFailed, MetricUnit.Count, 0);
  metrics.publishStoredMetrics();
}

/**
 * One SQS message per manifest notification; a failed message goes back to the queue (and to its
 * DLQ). `run` ingests one manifest and announces it (the handler's: ingestAndAnnounce below).
 */
export function ingestHandler(run: (manifest: ManifestEvent) => Promise<IngestResult>) {
  return lambdaHandler(async (event: unknown): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse["batchItemFailures"] = [];
    for (const message of parseIngestEvent(event)) {
      if (message.kind === "test") continue;
      try {
        for (const m of message.manifests) {
          const result = await run(m);
          logger.info("run finished", { ...result });
          recordRun(result);
        }
      } catch (e) {
        logger.error("ingest failed", { messageId: message.messageId, error: e as Error });
        // The ingest-failed alarm's metric: the invocation itself succeeds (the failure is reported
        // per message), so Lambda's Errors metric never counts a failed ingest.
        metrics.addMetric(CUR_INGEST_METRICS.ingestFailed, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
        failures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures: failures };
  });
}

/**
 * Each committed delivery is announced on the bus (announce.ts); a failed run announces nothing.
 */
export const handler = ingestHandler((m) =>
  ingestAndAnnounce(
    () =>
      ingestManifest(
        {
          s3,
          ddb,
          engine,
          tables: { spend: env[TABLE_ENV.spend], runs: env[TABLE_ENV["ingestion-runs"]] },
          export: { s3Prefix: env.CUR_S3_PREFIX, exportName: env.CUR_EXPORT_NAME },
          runRetentionDays: env.RUN_RETENTION_DAYS,
          dataWaitSeconds: env.DATA_WAIT_SECONDS,
          log: logger,
        },
        m,
      ),
    publisher,
  ),
);
