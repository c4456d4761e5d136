import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { type PolicyStatement, serviceTrustStatement } from "../contracts/iam-policy";

/**
 * The one-time backfill of exports that existed before replication (S3 Batch Replication): the
 * Batch Operations role and the job, derived from the account config so they match what the payer
 * stack replicates (bucket, prefix, one folder per export). Used by `npm run cur:backfill`
 * (scripts/cur-backfill.ts); docs/payer.md, "Existing exports".
 */
export interface CurBackfillPlan {
  readonly payerAccountId: string;
  readonly region: string;
  readonly bucket: string;
  /** The export folders the replication rules cover: `<s3Prefix>/<export>/`. */
  readonly prefixes: readonly string[];
  readonly roleName: string;
  readonly roleArn: string;
  readonly trustPolicy: { Version: "2012-10-17"; Statement: PolicyStatement[] };
  readonly permissionsPolicy: { Version: "2012-10-17"; Statement: PolicyStatement[] };
  /** Input of `aws s3control create-job --cli-input-json` (ClientRequestToken added by the caller). */
  readonly createJob: Record<string, unknown>;
}

/** Failed-task reports go here, in the payer bucket but outside the replicated export folders. */
export const BACKFILL_REPORT_PREFIX = "batch-replication-reports";

export function curBackfillPlan(config: AccountConfig): CurBackfillPlan {
  if (config.cur.delivery !== "replication") {
    throw new Error(
      `cur.delivery is ${config.cur.delivery}: there is no payer bucket to replicate from. Batch Replication backfills replication delivery only; with direct delivery copy earlier exports into s3://${new Names(config).curReplicaBucket}/${config.cur.s3Prefix}/ once (aws s3 sync, as the admin account)`,
    );
  }
  const names = new Names(config);
  const payer = config.payer.id;
  const region = config.cur.homeRegion;
  const bucket = names.curBucket;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const exportNames = [
    config.cur.exportName,
    ...(config.cur.focus.enabled ? [names.focusExportName] : []),
    ...(config.cur.costOptimizationHub.enabled ? [names.cohExportName] : []),
  ];
  const prefixes = exportNames.map((e) => `${config.cur.s3Prefix}/${e}/`);
  const roleName = `${names.prefix}-cur-backfill`;
  const roleArn = Names.roleArn(payer, roleName);
  return {
    payerAccountId: payer,
    region,
    bucket,
    prefixes,
    roleName,
    roleArn,
    trustPolicy: {
      Version: "2012-10-17",
      Statement: [
        serviceTrustStatement("batchoperations.s3.amazonaws.com", {
          sid: "S3BatchOperationsJobsOfThePayer",
          sourceAccount: payer,
          condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:${region}:${payer}:job/*` } },
        }),
      ],
    },
    permissionsPolicy: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InitiateReplicationOfExports",
          Effect: "Allow",
          Action: "s3:InitiateReplication",
          Resource: prefixes.map((p) => `${bucketArn}/${p}*`),
        },
        {
          Sid: "GenerateTheManifest",
          Effect: "Allow",
          Action: ["s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"],
          Resource: bucketArn,
        },
        {
          Sid: "WriteTheReport",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: `${bucketArn}/${BACKFILL_REPORT_PREFIX}/*`,
        },
      ],
    },
    createJob: {
      AccountId: payer,
      Operation: { S3ReplicateObject: {} },
      ManifestGenerator: {
        S3JobManifestGenerator: {
          SourceBucket: bucketArn,
          EnableManifestOutput: false,
          Filter: {
            EligibleForReplication: true,
            ObjectReplicationStatuses: ["NONE", "FAILED"],
            KeyNameConstraint: { MatchAnyPrefix: prefixes },
          },
        },
      },
      Report: {
        Bucket: bucketArn,
        Prefix: BACKFILL_REPORT_PREFIX,
        Format: "Report_CSV_20180820",
        Enabled: true,
        ReportScope: "FailedTasksOnly",
      },
      Priority: 10,
      RoleArn: roleArn,
      ConfirmationRequired: false,
      Description: `finops-landing: one-time replication of existing CUR exports to the admin account`,
    },
  };
}
