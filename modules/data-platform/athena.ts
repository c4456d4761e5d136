import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { SecureBucket } from "../secure-bucket";

export interface AthenaProps {
  readonly names: Names;
  /** KMS key (ARN) of query results, in the bucket and in the workgroup. */
  readonly kmsKeyArn: string;
  /** Per-query cutoff: Athena cancels a query that would scan more. */
  readonly bytesScannedCutoffMb: number;
  /** Days query results are kept. @default 7 */
  readonly resultsExpirationDays?: number;
  /** @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

/** What a reader of the CUR runs in the landing's workgroup (cur-ingest, the Athena cost tool). */
export const ATHENA_QUERY_ACTIONS = [
  "athena:StartQueryExecution",
  "athena:GetQueryExecution",
  "athena:GetQueryResults",
  "athena:StopQueryExecution",
];

/**
 * The data platform's Athena workgroup and its results bucket. The workgroup enforces its
 * configuration (clients cannot turn off encryption or point results elsewhere), encrypts results
 * with SSE-KMS and cancels any query scanning more than the configured cutoff.
 */
export class DataPlatformAthena extends Construct {
  readonly resultsBucket: SecureBucket;
  readonly workgroup: AthenaWorkgroup;
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: AthenaProps) {
    super(scope, id);
    this.resultsBucket = new SecureBucket(this, "results-bucket", {
      bucketName: props.names.athenaResultsBucket,
      kmsKeyArn: props.kmsKeyArn,
      expirationDays: props.resultsExpirationDays ?? 7,
      noncurrentVersionExpirationDays: 1,
      preventDestroy: props.preventDestroy,
      provider: props.provider,
    });
    this.workgroupName = props.names.athenaWorkgroup;
    this.workgroup = new AthenaWorkgroup(this, "workgroup", {
      provider: props.provider,
      name: this.workgroupName,
      description: "FinOps CUR queries: enforced, KMS-encrypted results, bytes-scanned cutoff",
      state: "ENABLED",
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffMb * 1024 * 1024,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.kmsKeyArn },
        },
      },
      // The emulator lists a workgroup's tags on every read and fails on none; AWS does not mind.
      tags: { Name: this.workgroupName },
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
  }
}
