import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { addServiceRole } from "../service-role";

export interface CurReplicationProps {
  readonly provider: TerraformProvider;
  readonly payerAccountId: string;
  /** Source bucket (payer). */
  readonly sourceBucketName: string;
  readonly sourceRegion: string;
  /** Destination bucket (admin replica bucket) and its account and region. */
  readonly destinationBucketName: string;
  readonly destinationAccountId: string;
  readonly destinationRegion: string;
  /** Role name, from the naming module. */
  readonly roleName: string;
  /** Export folders below s3Prefix, one replication rule each. */
  readonly s3Prefix: string;
  readonly exportNames: readonly string[];
  /** S3 Replication Time Control: 15-minute SLA with replication metrics. @default false */
  readonly replicationTimeControl?: boolean;
  /** Full ARN of the source bucket's KMS key when objects are SSE-KMS. @default SSE-S3 objects */
  readonly sourceKmsKeyArn?: string;
  /** Full ARN (never an alias: aliases resolve in the caller's account) of the replica key. @default SSE-S3 replicas */
  readonly replicaKmsKeyArn?: string;
  /** The source bucket's versioning: replication needs it on first. */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const s3Arn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

/** The replication role's permissions: exactly what S3 replication needs, nothing more. */
export function replicationRoleStatements(p: CurReplicationProps): PolicyStatement[] {
  const source = s3Arn(p.sourceBucketName);
  const dest = s3Arn(p.destinationBucketName);
  const statements: PolicyStatement[] = [
    {
      Sid: "SourceBucket",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: source,
    },
    {
      Sid: "SourceObjects",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
      Resource: `${source}/${p.s3Prefix}/*`,
    },
    {
      Sid: "DestinationObjects",
      Effect: "Allow",
      // ObjectOwnerOverrideToBucketOwner: S3 requires it for the owner override to the destination account.
      Action: [
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:ReplicateTags",
        "s3:ObjectOwnerOverrideToBucketOwner",
      ],
      Resource: `${dest}/${p.s3Prefix}/*`,
    },
  ];
  if (p.sourceKmsKeyArn) {
    statements.push({
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: p.sourceKmsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${p.sourceRegion}.amazonaws.com` },
        // With an S3 Bucket Key the context is the bucket ARN, without it the object ARN.
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [source, `${source}/${p.s3Prefix}/*`] },
      },
    });
  }
  if (p.replicaKmsKeyArn) {
    statements.push({
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: p.replicaKmsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${p.destinationRegion}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [dest, `${dest}/${p.s3Prefix}/*`] },
      },
    });
  }
  return statements;
}

/**
 * Replicates the payer's export folders to the admin's replica bucket: one rule per export, delete
 * markers replicated, replicas owned by the destination account, SSE-KMS objects opted in and
 * re-encrypted with the replica key's full ARN when KMS is used, optional Replication Time Control.
 */
export class CurReplication extends Construct {
  readonly role: IamRole;
  readonly configuration: S3BucketReplicationConfigurationA;

  constructor(scope: Construct, id: string, props: CurReplicationProps) {
    super(scope, id);
    if (props.sourceKmsKeyArn && !props.replicaKmsKeyArn) {
      throw new Error(
        "sourceKmsKeyArn is set without replicaKmsKeyArn; S3 replicates SSE-KMS objects only with a replica key: give the full ARN of a key in the destination account (config: cur.encryption.adminBucketKeyArn)",
      );
    }
    if (
      props.replicaKmsKeyArn &&
      !/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/.test(props.replicaKmsKeyArn)
    ) {
      throw new Error(
        `replicaKmsKeyArn "${props.replicaKmsKeyArn}" is not a full KMS key ARN; give arn:aws:kms:<region>:<account>:key/<key-id> (an alias resolves in the payer account, not the admin's)`,
      );
    }
    const sourceArn = s3Arn(props.sourceBucketName);
    const { role, policy } = addServiceRole(this, "role", {
      provider: props.provider,
      name: props.roleName,
      description: "S3 replication of the CUR exports to the delegated admin's replica bucket",
      maxSessionDuration: 3600,
      service: "s3.amazonaws.com",
      trust: {
        sid: "S3ReplicationOfTheCurBucket",
        sourceAccount: props.payerAccountId,
        condition: { ArnEquals: { "aws:SourceArn": sourceArn } },
      },
      policyId: "policy",
      policyName: "replication",
      statements: replicationRoleStatements(props),
    });
    this.role = role;

    const rtc = props.replicationTimeControl ?? false;
    this.configuration = new S3BucketReplicationConfigurationA(this, "configuration", {
      provider: props.provider,
      bucket: props.sourceBucketName,
      role: this.role.arn,
      rule: props.exportNames.map((name, i) => ({
        id: `replicate-${name}`,
        priority: i + 1,
        status: "Enabled",
        filter: { prefix: `${props.s3Prefix}/${name}/` },
        deleteMarkerReplication: { status: "Enabled" },
        ...(props.sourceKmsKeyArn
          ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } } }
          : {}),
        destination: {
          bucket: s3Arn(props.destinationBucketName),
          account: props.destinationAccountId,
          storageClass: "STANDARD",
          accessControlTranslation: { owner: "Destination" },
          ...(props.replicaKmsKeyArn
            ? { encryptionConfiguration: { replicaKmsKeyId: props.replicaKmsKeyArn } }
            : {}),
          ...(rtc
            ? {
                replicationTime: { status: "Enabled", time: { minutes: 15 } },
                metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
              }
            : {}),
        },
      })),
      dependsOn: [policy, ...(props.dependsOn ?? [])],
    });
  }
}
