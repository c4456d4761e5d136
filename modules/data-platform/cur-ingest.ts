import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { Construct } from "constructs";
import type { CurConfig } from "../../config/schema";
import { CUR_COMMITTED_SOURCE } from "../../contracts/events";
import { policyDocument } from "../../contracts/iam-policy";
import { type BindableTable, BundledFunction, type FunctionDefaults } from "../bundled-function";
import { ATHENA_QUERY_ACTIONS } from "./athena";
import { curObjectDecryptStatements } from "./cur-object-keys";
import { curCatalogResources } from "./glue-cur-table";

/** Lambda timeout of the ingest; the manifest queue's visibility timeout is six times this (AWS guidance). */
const INGEST_TIMEOUT_SECONDS = 900;

export interface CurIngestProps {
  readonly functionDefaults: FunctionDefaults;
  /** Bucket the CUR exports reach the admin in (the replica bucket). */
  readonly curBucketName: string;
  /** The CUR export: prefix, name, object encryption. */
  readonly cur: Pick<CurConfig, "s3Prefix" | "exportName" | "encryption">;
  readonly spend: BindableTable;
  readonly ingestionRuns: BindableTable;
  /** Days a run record is kept (dataPlatform.ingestionRunRetentionDays). */
  readonly runRetentionDays: number;
  /** The bus committed billing periods are announced on. */
  readonly curEventBusArn: string;
}

export interface CurIngest {
  readonly function: BundledFunction;
  readonly manifestQueue: SqsQueue;
}

/**
 * cur-ingest (docs/data-platform.md): S3 → SQS (KMS, DLQ) → Lambda for every new manifest of the
 * CUR export, into the spend table one billing period at a time, announcing committed periods on
 * the bus. Created in `scope` itself, with the ids DataPlatform always gave them (Terraform
 * addresses unchanged).
 */
export function addCurIngest(scope: Construct, props: CurIngestProps): CurIngest {
  const d = props.functionDefaults;
  const { names, region, accountId: account, provider } = d;
  const preventDestroy = d.preventDestroy;
  const bucketArn = `arn:aws:s3:::${props.curBucketName}`;
  const exportPrefix = `${props.cur.s3Prefix}/${props.cur.exportName}`;
  const manifestDlq = new SqsQueue(scope, "manifest-dlq", {
    provider,
    name: names.curManifestDlq,
    kmsMasterKeyId: d.kmsKeyArn,
    kmsDataKeyReusePeriodSeconds: 300,
    messageRetentionSeconds: 1_209_600,
    lifecycle: { preventDestroy },
  });
  const queueArn = `arn:aws:sqs:${region}:${account}:${names.curManifestQueue}`;
  const manifestQueue = new SqsQueue(scope, "manifest-queue", {
    provider,
    name: names.curManifestQueue,
    kmsMasterKeyId: d.kmsKeyArn,
    kmsDataKeyReusePeriodSeconds: 300,
    visibilityTimeoutSeconds: INGEST_TIMEOUT_SECONDS * 6,
    messageRetentionSeconds: 1_209_600,
    redrivePolicy: JSON.stringify({ deadLetterTargetArn: manifestDlq.arn, maxReceiveCount: 3 }),
    policy: policyDocument([
      {
        Sid: "ManifestNotificationsFromTheCurBucket",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: {
          ArnEquals: { "aws:SourceArn": bucketArn },
          StringEquals: { "aws:SourceAccount": account },
        },
      },
    ]),
    lifecycle: { preventDestroy },
  });
  new S3BucketNotification(scope, "manifest-notification", {
    provider,
    bucket: props.curBucketName,
    queue: [
      {
        id: "cur-manifests",
        queueArn: manifestQueue.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: `${exportPrefix}/metadata/`,
        filterSuffix: "-Manifest.json",
      },
    ],
  });

  const workgroupArn = `arn:aws:athena:${region}:${account}:workgroup/${names.athenaWorkgroup}`;
  const results = `arn:aws:s3:::${names.athenaResultsBucket}`;
  const curIngest = new BundledFunction(scope, "cur-ingest", {
    ...d,
    name: "cur-ingest",
    description:
      "Ingests each CUR 2.0 delivery (manifest) into the spend table, one billing period at a time",
    timeoutSeconds: INGEST_TIMEOUT_SECONDS,
    memorySizeMb: 1024,
    // Invoked only through the SQS event source: failed messages go to the manifest queue's DLQ.
    asyncDeadLetterQueue: false,
    environment: {
      CUR_S3_PREFIX: props.cur.s3Prefix,
      CUR_EXPORT_NAME: props.cur.exportName,
      ATHENA_WORKGROUP: names.athenaWorkgroup,
      GLUE_DATABASE: names.glueDatabase,
      CUR_TABLE: names.curTable,
      RUN_RETENTION_DAYS: String(props.runRetentionDays),
      CUR_EVENT_BUS_ARN: props.curEventBusArn,
    },
    statements: [
      {
        Sid: "ReadCurExport",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: `${bucketArn}/${exportPrefix}/*`,
      },
      {
        Sid: "ListCurExport",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": [`${exportPrefix}/*`, ""] } },
      },
      ...curObjectDecryptStatements(props.cur.encryption, region, props.curBucketName),
      {
        Sid: "AthenaQueriesInTheWorkgroup",
        Effect: "Allow",
        Action: ATHENA_QUERY_ACTIONS,
        Resource: workgroupArn,
      },
      {
        Sid: "GlueCurTables",
        Effect: "Allow",
        Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
        Resource: curCatalogResources(names, region, account),
      },
      {
        Sid: "AthenaResults",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: `${results}/results/*`,
      },
      {
        Sid: "AthenaResultsBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: results,
      },
    ],
  });
  curIngest.bindTable(props.spend, ["BatchWriteItem", "PutItem", "DeleteItem", "Query"], {
    sid: "SpendTable",
  });
  curIngest.bindTable(
    props.ingestionRuns,
    ["GetItem", "PutItem", "UpdateItem", "Query", "ConditionCheckItem"],
    { sid: "IngestionRunsTable" },
  );
  curIngest.addToPolicy(
    {
      Sid: "ManifestQueue",
      Effect: "Allow",
      Action: [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
      ],
      Resource: manifestQueue.arn,
    },
    {
      Sid: "AnnounceCommittedPeriods",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: props.curEventBusArn,
      Condition: { StringEquals: { "events:source": CUR_COMMITTED_SOURCE } },
    },
  );
  new LambdaEventSourceMapping(scope, "cur-ingest-source", {
    provider,
    eventSourceArn: manifestQueue.arn,
    functionName: curIngest.function.arn,
    batchSize: 1,
    functionResponseTypes: ["ReportBatchItemFailures"],
    enabled: true,
  });
  return { function: curIngest, manifestQueue };
}
