import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../iam-policy";
import { Names } from "../naming";

export interface DataPlatformKeysProps {
  readonly names: Names;
  readonly accountId: string;
  readonly region: string;
  /** Refuse plans that destroy the keys. @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

export interface DataPlatformKey {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** The key's ARN (a Terraform reference). */
  readonly arn: string;
}

/**
 * The data platform's customer-managed keys, rotating yearly:
 * - `data`: DynamoDB tables, Athena query results;
 * - `functions`: Lambda environment variables, log groups, dead-letter and manifest queues.
 * Key policies name who may use them: the account (so IAM policies can grant use; each function's
 * role gets exactly the key actions it needs), CloudWatch Logs for this account's log groups
 * (encryption context pinned), and S3 for notifications into the encrypted manifest queue (source
 * account pinned).
 */
export class DataPlatformKeys extends Construct {
  readonly data: DataPlatformKey;
  readonly functions: DataPlatformKey;

  constructor(scope: Construct, id: string, props: DataPlatformKeysProps) {
    super(scope, id);
    const root: PolicyStatement = {
      Sid: "AccountAdministersKeyAndIamGrantsUse",
      Effect: "Allow",
      Principal: { AWS: Names.accountRoot(props.accountId) },
      Action: "kms:*",
      Resource: "*",
    };
    this.data = this.key(
      "data",
      props,
      [root],
      "DynamoDB tables and Athena results of the FinOps data platform",
    );
    this.functions = this.key(
      "functions",
      props,
      [
        root,
        {
          Sid: "CloudWatchLogsForThisAccountsLogGroups",
          Effect: "Allow",
          Principal: { Service: `logs.${props.region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: {
            ArnLike: {
              "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${props.region}:${props.accountId}:log-group:*`,
            },
          },
        },
        {
          Sid: "S3NotificationsIntoEncryptedQueues",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
      ],
      "Lambda environment, logs and queues of the FinOps data platform",
    );
  }

  private key(
    purpose: string,
    props: DataPlatformKeysProps,
    statements: PolicyStatement[],
    description: string,
  ): DataPlatformKey {
    const key = new KmsKey(this, `${purpose}-key`, {
      provider: props.provider,
      description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(statements),
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const alias = new KmsAlias(this, `${purpose}-alias`, {
      provider: props.provider,
      name: props.names.kmsAlias(purpose),
      targetKeyId: key.keyId,
    });
    return { key, alias, arn: key.arn };
  }
}
