import { Names } from "../../config/naming";
import type { PolicyStatement } from "../../contracts/iam-policy";

/** Data Exports only run in us-east-1 (config/rules.ts refuses another cur.homeRegion). */
export const DATA_EXPORTS_REGION = "us-east-1";

/**
 * Lets AWS Data Exports (and the legacy CUR service, which some exports still write through) put
 * the payer's exports into a bucket: only for exports and report definitions of the payer account
 * (aws:SourceAccount + aws:SourceArn), as the Data Exports user guide's bucket policy has it.
 */
export function dataExportsWriteStatements(bucketArn: string, payerAccountId: string): PolicyStatement[] {
  return [
    {
      Sid: "AllowDataExportsDelivery",
      Effect: "Allow",
      Principal: { Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] },
      Action: ["s3:PutObject", "s3:GetBucketPolicy"],
      Resource: [bucketArn, `${bucketArn}/*`],
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
 * The replica bucket (admin) accepts replication from the payer's replication role only: the
 * payer root as principal (the role may not exist yet when the admin stack applies first) pinned
 * by aws:PrincipalArn to the role. Object writes only under the export prefix.
 */
export function replicaAcceptStatements(
  bucketArn: string,
  payerAccountId: string,
  replicationRoleName: string,
  s3Prefix: string,
): PolicyStatement[] {
  const principal = { AWS: Names.accountRoot(payerAccountId) };
  const condition = { ArnEquals: { "aws:PrincipalArn": Names.roleArn(payerAccountId, replicationRoleName) } };
  return [
    {
      Sid: "AllowPayerReplicationWrite",
      Effect: "Allow",
      Principal: principal,
      Action: [
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:ReplicateTags",
        "s3:ObjectOwnerOverrideToBucketOwner",
      ],
      Resource: `${bucketArn}/${s3Prefix}/*`,
      Condition: condition,
    },
    {
      Sid: "AllowPayerReplicationVersioning",
      Effect: "Allow",
      Principal: principal,
      Action: ["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
      Resource: bucketArn,
      Condition: condition,
    },
  ];
}
