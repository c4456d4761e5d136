import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { PolicyStatement } from "../../contracts/iam-policy";
import {
  encodeMemberConfig,
  MEMBER_CONFIG_BUCKET_ENV,
  MEMBER_CONFIG_KEY,
  MEMBER_CONFIG_KEY_ENV,
  type MemberConfig,
} from "../../contracts/member-config";
import { SecureBucket } from "../secure-bucket";

export interface MemberConfigStoreProps {
  readonly names: Names;
  /** The admin account's primary region (the bucket's, and the API's). */
  readonly region: string;
  /** The document: every non-retired member's environment and monthly budget (config/member-budgets.ts memberConfig). */
  readonly document: MemberConfig;
  /** The data platform's data key (SSE-KMS with an S3 Bucket Key, like the Athena results). */
  readonly kmsKeyArn: string;
  /** prevent_destroy on the bucket. @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * The application's configuration bucket in the admin account (private, the landing's baseline:
 * modules/secure-bucket.ts) and the one object Terraform writes in it, `config/members.json`: the
 * member config document (contracts/member-config.ts) that the FinOps API reads instead of
 * environment variables, which Lambda limits to 4 KB. A member added, changed or retired changes
 * this object's content and nothing else of the stack.
 */
export class MemberConfigStore extends Construct {
  readonly bucket: SecureBucket;
  readonly object: S3Object;
  readonly key = MEMBER_CONFIG_KEY;
  /** arn:aws:s3:::<bucket>/config/members.json, known at synth time. */
  readonly objectArn: string;
  /** The variables that tell a reader where the document is (constant size). */
  readonly environment: Readonly<Record<string, string>>;
  private readonly props: MemberConfigStoreProps;

  constructor(scope: Construct, id: string, props: MemberConfigStoreProps) {
    super(scope, id);
    this.props = props;
    const { provider } = props;
    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.names.appConfigBucket,
      kmsKeyArn: props.kmsKeyArn,
      preventDestroy: props.preventDestroy,
      provider,
    });
    this.objectArn = `${this.bucket.bucketArn}/${MEMBER_CONFIG_KEY}`;
    this.object = new S3Object(this, "members", {
      provider,
      bucket: this.bucket.bucket.id,
      key: MEMBER_CONFIG_KEY,
      content: encodeMemberConfig(props.document),
      contentType: "application/json",
      // Explicit, so the first write does not race the bucket's default encryption into SSE-S3.
      serverSideEncryption: "aws:kms",
      kmsKeyId: props.kmsKeyArn,
      bucketKeyEnabled: true,
    });
    this.environment = {
      [MEMBER_CONFIG_BUCKET_ENV]: this.bucket.bucketName,
      [MEMBER_CONFIG_KEY_ENV]: MEMBER_CONFIG_KEY,
    };
  }

  /**
   * What a reader needs: s3:GetObject on exactly the object (no ListBucket: a missing object is
   * then 403, which the reader reports as missing), and kms:Decrypt on the data key only through S3
   * in the bucket's region for this bucket's objects. With an S3 Bucket Key the encryption context
   * is the bucket's ARN, without one the object's (Amazon S3 User Guide, "Using SSE-KMS",
   * encryption context).
   */
  readStatements(): PolicyStatement[] {
    return [
      {
        Sid: "ReadMemberConfig",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: this.objectArn,
      },
      {
        Sid: "DecryptMemberConfig",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: this.props.kmsKeyArn,
        Condition: {
          StringEquals: {
            "kms:ViaService": `s3.${this.props.region}.amazonaws.com`,
            "kms:EncryptionContext:aws:s3:arn": [this.bucket.bucketArn, this.objectArn],
          },
        },
      },
    ];
  }
}
