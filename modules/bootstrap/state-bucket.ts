import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import {
  accountAdministersKeyStatement,
  type PolicyStatement,
  policyDocument,
} from "../../contracts/iam-policy";
import { SecureBucket } from "../secure-bucket";

export interface StateBucketProps {
  readonly provider: TerraformProvider;
  /** The account of the bucket and its key (the management account). */
  readonly accountId: string;
  readonly bucketName: string;
  /** Alias of the key, without alias/ (the S3 backend names it as kms_key_id). */
  readonly keyAlias: string;
  /** Refuse plans that destroy the bucket or its key (false only in a throw-away organization). @default true */
  readonly preventDestroy?: boolean;
  /** Days old state versions are kept (recovery from a bad apply). @default 90 */
  readonly noncurrentVersionDays?: number;
}

/**
 * The key policy of the state key: the account administers it and IAM policies grant its use (the
 * plan role's kms:Decrypt, the apply role's kms:Decrypt and kms:GenerateDataKey, both conditioned on
 * S3 in their own policies: gitops-roles.ts). Nothing outside the account is named.
 */
export function stateKeyPolicy(accountId: string): PolicyStatement[] {
  return [accountAdministersKeyStatement(accountId)];
}

/**
 * The Terraform state bucket of every stack: the landing's SecureBucket baseline (versioning, all
 * public-access blocks, TLS-only policy, ACLs off, noncurrent versions expired after 90 days,
 * incomplete uploads aborted) with SSE-KMS under its own key and an S3 Bucket Key. Terraform's
 * native lock file (`use_lockfile`, a `.tflock` object next to each state) needs nothing more: no
 * DynamoDB table. Never destroyed by a plan (prevent_destroy) unless the organization allows
 * destroying data stores (organization.allowDataStoreDestroy, throw-away organizations only).
 */
export class StateBucket extends Construct {
  readonly key: KmsKey;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: "Terraform state of the finops-landing stacks (state bucket)",
      enableKeyRotation: true,
      deletionWindowInDays: (props.preventDestroy ?? true) ? 30 : 7,
      policy: policyDocument(stateKeyPolicy(props.accountId)),
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    new KmsAlias(this, "alias", {
      provider: props.provider,
      name: `alias/${props.keyAlias}`,
      targetKeyId: this.key.keyId,
    });
    this.bucket = new SecureBucket(this, "bucket", {
      provider: props.provider,
      bucketName: props.bucketName,
      kmsKeyArn: this.key.arn,
      noncurrentVersionExpirationDays: props.noncurrentVersionDays ?? 90,
      preventDestroy: props.preventDestroy ?? true,
    });
  }
}
