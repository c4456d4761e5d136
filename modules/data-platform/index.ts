import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { CUR_COMMITTED_SOURCE } from "../../contracts/events";
import { TABLE_ENV } from "../../contracts/tables";
import { BundledFunction } from "../bundled-function";
import { type PolicyStatement, policyDocument } from "../iam-policy";
import { DataPlatformAthena } from "./athena";
import { curObjectDecryptStatements } from "./cur-object-keys";
import { GlueCurTables } from "./glue-cur-table";
import { DataPlatformKeys } from "./kms-keys";
import { DataPlatformTables } from "./tables";

export interface DataPlatformProps {
  readonly config: AccountConfig;
  readonly names: Names;
  /** The admin account's primary region (where the application runs). */
  readonly region: string;
  /** Bucket the CUR exports reach the admin in (the replica bucket). */
  readonly curBucketName: string;
  /** Data stores carry prevent_destroy and deletion protection. */
  readonly protect: boolean;
  readonly provider?: TerraformProvider;
}

/** Lambda timeout of the ingest; the manifest queue's visibility timeout is six times this (AWS guidance). */
const INGEST_TIMEOUT_SECONDS = 900;

/**
 * The delegated admin's CUR data platform (docs/data-platform.md): keys, Athena, the Glue CUR
 * tables, the DynamoDB tables, and the two functions with their triggers:
 * - account-sync: on its schedule and on Organizations CreateAccountResult events;
 * - cur-ingest: S3 → SQS (KMS, DLQ) → Lambda, for every new manifest of the CUR export.
 */
export class DataPlatform extends Construct {
  readonly keys: DataPlatformKeys;
  readonly athena: DataPlatformAthena;
  readonly glue: GlueCurTables;
  readonly tables: DataPlatformTables;
  readonly accountSync: BundledFunction;
  readonly curIngest: BundledFunction;
  readonly manifestQueue: SqsQueue;
  /**
   * The bus cur-ingest puts "CUR billing period committed" on: the admin account's default bus in
   * the application's region (the app's final-card rule listens there).
   */
  readonly curEventBus: { readonly name: string; readonly arn: string };

  constructor(scope: Construct, id: string, props: DataPlatformProps) {
    super(scope, id);
    const { config, names, region, provider } = props;
    const account = config.admin.id;
    const dp = config.dataPlatform;
    const preventDestroy = props.protect;

    this.keys = new DataPlatformKeys(this, "keys", {
      names,
      accountId: account,
      region,
      encryption: config.encryption,
      preventDestroy,
      provider,
    });
    this.athena = new DataPlatformAthena(this, "athena", {
      names,
      kmsKeyArn: this.keys.data.arn,
      bytesScannedCutoffMb: dp.athenaBytesScannedCutoffMb,
      resultsExpirationDays: dp.athenaResultsExpirationDays,
      preventDestroy,
      provider,
    });
    this.glue = new GlueCurTables(this, "glue", {
      names,
      cur: config.cur,
      bucketName: props.curBucketName,
      preventDestroy,
      provider,
    });
    this.tables = new DataPlatformTables(this, "tables", {
      names,
      kmsKeyArn: this.keys.data.arn,
      protect: props.protect,
      provider,
    });

    const common = {
      names,
      accountId: account,
      region,
      kmsKeyArn: this.keys.functions.arn,
      logRetentionDays: config.monitoring.logRetentionDays,
      preventDestroy,
      provider,
    };
    const dataKeyUse: PolicyStatement = {
      Sid: "DataKeyForTables",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: this.keys.data.arn,
    };

    // account-sync ------------------------------------------------------------------------------
    const payerRole = dp.accountSync.mode === "payer-role";
    const org = `arn:aws:organizations::${config.payer.id}`;
    const payerReadRoleArn = Names.roleArn(config.payer.id, names.payerReadRoleName);
    const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:${names.externalIdSecretName}-??????`;
    this.accountSync = new BundledFunction(this, "account-sync", {
      ...common,
      name: "account-sync",
      description: "Upserts the organization's accounts (new ones unallocated) into the accounts table",
      timeoutSeconds: 300,
      memorySizeMb: 256,
      environment: {
        [TABLE_ENV.accounts]: names.dataTable("accounts"),
        SYNC_MODE: dp.accountSync.mode,
        ...(payerRole
          ? { PAYER_READ_ROLE_ARN: payerReadRoleArn, EXTERNAL_ID_SECRET_ID: names.externalIdSecretName }
          : {}),
      },
      statements: [
        {
          Sid: "AccountsTable",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Scan"],
          Resource: this.tables.arn("accounts"),
        },
        dataKeyUse,
        ...(payerRole
          ? [
              {
                Sid: "AssumePayerReadRole",
                Effect: "Allow" as const,
                Action: "sts:AssumeRole",
                Resource: payerReadRoleArn,
              },
              {
                Sid: "ReadExternalId",
                Effect: "Allow" as const,
                Action: "secretsmanager:GetSecretValue",
                Resource: secretArn,
              },
            ]
          : [
              {
                Sid: "OrganizationsListAccounts",
                Effect: "Allow" as const,
                Action: "organizations:ListAccounts",
                Resource: "*",
              },
              {
                Sid: "OrganizationsReadTree",
                Effect: "Allow" as const,
                Action: ["organizations:ListParents", "organizations:DescribeOrganizationalUnit"],
                Resource: [`${org}:account/o-*/*`, `${org}:ou/o-*/ou-*`, `${org}:root/o-*/r-*`],
              },
            ]),
      ],
    });
    const schedule = new CloudwatchEventRule(this, "account-sync-schedule", {
      provider,
      name: names.accountSyncRule("schedule"),
      description: "Full account sync",
      scheduleExpression: dp.accountSync.scheduleExpression,
    });
    const created = new CloudwatchEventRule(this, "account-sync-account-created", {
      provider,
      name: names.accountSyncRule("account-created"),
      description: "Sync as soon as Organizations finishes creating an account",
      eventPattern: JSON.stringify({
        source: ["aws.organizations"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        detail: { eventName: ["CreateAccountResult"] },
      }),
    });
    for (const [rid, rule] of [
      ["schedule", schedule],
      ["account-created", created],
    ] as const) {
      new CloudwatchEventTarget(this, `account-sync-${rid}-target`, {
        provider,
        rule: rule.name,
        targetId: "account-sync",
        arn: this.accountSync.function.arn,
        retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
      });
      new LambdaPermission(this, `account-sync-${rid}-permission`, {
        provider,
        statementId: `events-${rid}`,
        action: "lambda:InvokeFunction",
        functionName: this.accountSync.function.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      });
    }

    // cur-ingest --------------------------------------------------------------------------------
    const bucketArn = `arn:aws:s3:::${props.curBucketName}`;
    const exportPrefix = `${config.cur.s3Prefix}/${config.cur.exportName}`;
    const manifestDlq = new SqsQueue(this, "manifest-dlq", {
      provider,
      name: names.curManifestDlq,
      kmsMasterKeyId: this.keys.functions.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: 1_209_600,
      lifecycle: { preventDestroy },
    });
    const queueArn = `arn:aws:sqs:${region}:${account}:${names.curManifestQueue}`;
    this.manifestQueue = new SqsQueue(this, "manifest-queue", {
      provider,
      name: names.curManifestQueue,
      kmsMasterKeyId: this.keys.functions.arn,
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
    new S3BucketNotification(this, "manifest-notification", {
      provider,
      bucket: props.curBucketName,
      queue: [
        {
          id: "cur-manifests",
          queueArn: this.manifestQueue.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: `${exportPrefix}/metadata/`,
          filterSuffix: "-Manifest.json",
        },
      ],
    });

    const workgroupArn = `arn:aws:athena:${region}:${account}:workgroup/${names.athenaWorkgroup}`;
    const glue = (path: string) => `arn:aws:glue:${region}:${account}:${path}`;
    const results = `arn:aws:s3:::${names.athenaResultsBucket}`;
    this.curEventBus = { name: "default", arn: names.curEventBusArn };
    this.curIngest = new BundledFunction(this, "cur-ingest", {
      ...common,
      name: "cur-ingest",
      description:
        "Ingests each CUR 2.0 delivery (manifest) into the spend table, one billing period at a time",
      timeoutSeconds: INGEST_TIMEOUT_SECONDS,
      memorySizeMb: 1024,
      // Invoked only through the SQS event source: failed messages go to the manifest queue's DLQ.
      asyncDeadLetterQueue: false,
      environment: {
        [TABLE_ENV.spend]: names.dataTable("spend"),
        [TABLE_ENV["ingestion-runs"]]: names.dataTable("ingestion-runs"),
        CUR_S3_PREFIX: config.cur.s3Prefix,
        CUR_EXPORT_NAME: config.cur.exportName,
        ATHENA_WORKGROUP: names.athenaWorkgroup,
        GLUE_DATABASE: names.glueDatabase,
        CUR_TABLE: names.curTable,
        RUN_RETENTION_DAYS: String(dp.ingestionRunRetentionDays),
        CUR_EVENT_BUS_ARN: this.curEventBus.arn,
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
        ...curObjectDecryptStatements(props.config, region, props.curBucketName),
        {
          Sid: "AthenaQueriesInTheWorkgroup",
          Effect: "Allow",
          Action: [
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:StopQueryExecution",
          ],
          Resource: workgroupArn,
        },
        {
          Sid: "GlueCurTables",
          Effect: "Allow",
          Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
          Resource: [
            glue("catalog"),
            glue(`database/${names.glueDatabase}`),
            glue(`table/${names.glueDatabase}/*`),
          ],
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
        {
          Sid: "SpendTable",
          Effect: "Allow",
          Action: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"],
          Resource: this.tables.arn("spend"),
        },
        {
          Sid: "IngestionRunsTable",
          Effect: "Allow",
          Action: [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:ConditionCheckItem",
          ],
          Resource: this.tables.arn("ingestion-runs"),
        },
        dataKeyUse,
        {
          Sid: "ManifestQueue",
          Effect: "Allow",
          Action: [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
          ],
          Resource: this.manifestQueue.arn,
        },
        {
          Sid: "AnnounceCommittedPeriods",
          Effect: "Allow",
          Action: "events:PutEvents",
          Resource: this.curEventBus.arn,
          Condition: { StringEquals: { "events:source": CUR_COMMITTED_SOURCE } },
        },
      ],
    });
    new LambdaEventSourceMapping(this, "cur-ingest-source", {
      provider,
      eventSourceArn: this.manifestQueue.arn,
      functionName: this.curIngest.function.arn,
      batchSize: 1,
      functionResponseTypes: ["ReportBatchItemFailures"],
      enabled: true,
    });
  }
}
