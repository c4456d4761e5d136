import type { CurConfig } from "../../config/schema";
import type { PolicyStatement } from "../../contracts/iam-policy";

/**
 * What a reader of the admin's CUR bucket needs on top of s3:GetObject when the bucket is SSE-KMS
 * (cur.encryption.mode sse-kms): kms:Decrypt on the admin bucket's key, only through S3 in the
 * bucket's region and only for objects of that bucket (the S3 encryption context). Athena reads the
 * objects with the caller's credentials, so every role that queries CUR through Athena needs it too.
 * With sse-s3 there is nothing to grant.
 */
export function curObjectDecryptStatements(
  encryption: CurConfig["encryption"],
  region: string,
  bucketName: string,
): PolicyStatement[] {
  const key = encryption.adminBucketKeyArn;
  if (encryption.mode !== "sse-kms" || !key) return [];
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  return [
    {
      Sid: "DecryptCurObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: key,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
      },
    },
  ];
}
