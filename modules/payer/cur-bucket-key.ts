import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import {
  accountAdministersKeyStatement,
  type PolicyStatement,
  policyDocument,
} from "../../contracts/iam-policy";
import { DATA_EXPORTS_REGION } from "./bucket-policies";

export interface CurBucketKeyProps {
  readonly provider: TerraformProvider;
  readonly payerAccountId: string;
  /** Alias name without the `alias/` prefix, e.g. "finops-cur". */
  readonly aliasName: string;
  /** Days KMS waits before deleting the key after a destroy (7-30). @default 30 */
  readonly deletionWindowDays?: number;
  /** Refuse plans that destroy the key. @default true */
  readonly preventDestroy?: boolean;
}

/**
 * The key policy of the payer's CUR bucket key:
 * - the payer account administers the key and its IAM policies grant use (the replication role's
 *   kms:Decrypt, conditioned on S3 and the bucket, is in its own policy: cur-replication.ts);
 * - Data Exports (and the legacy CUR service) may create data keys for, and read back (multipart
 *   uploads), the objects they deliver, only for the payer's own exports and report definitions.
 */
export function curBucketKeyPolicy(payerAccountId: string): PolicyStatement[] {
  return [
    accountAdministersKeyStatement(payerAccountId, "PayerAccountAdministersKeyAndIamGrantsUse"),
    {
      Sid: "DataExportsEncryptDeliveries",
      Effect: "Allow",
      Principal: { Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": payerAccountId },
        ArnLike: {
          "aws:SourceArn": [
            `arn:aws:bcm-data-exports:${DATA_EXPORTS_REGION}:${payerAccountId}:export/*`,
            `arn:aws:cur:${DATA_EXPORTS_REGION}:${payerAccountId}:definition/*`,
          ],
        },
      },
    },
  ];
}

/**
 * A customer-managed key for the payer's CUR bucket (cur.encryption.mode sse-kms without a supplied
 * payerBucketKeyArn): yearly rotation, a key policy that names who may use it, and an alias.
 */
export class CurBucketKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** The key's full ARN (a Terraform reference): what the bucket and the replication role name. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: CurBucketKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: "CUR data exports in the payer's CUR bucket (finops-landing)",
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policyDocument(curBucketKeyPolicy(props.payerAccountId)),
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.alias = new KmsAlias(this, "alias", {
      provider: props.provider,
      name: `alias/${props.aliasName}`,
      targetKeyId: this.key.keyId,
    });
    this.arn = this.key.arn;
  }
}
