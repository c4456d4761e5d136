/**
 * AWS region codes the account config may name. Kept as data so validation can say which
 * code was meant ("eu-west-9" is not a region) instead of failing later in a provider.
 * Only the aws (commercial) partition: the landing writes arn:aws:… ARNs and one organization
 * cannot span partitions, so GovCloud (aws-us-gov), China (aws-cn) and ISO regions are refused
 * with a message that names their partition (config/aws-limits.ts, partitionOf).
 */
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

const REGION_SET: ReadonlySet<string> = new Set(AWS_REGIONS);

export function isAwsRegion(value: string): value is AwsRegion {
  return REGION_SET.has(value);
}

/** AWS Data Exports (CUR 2.0, FOCUS) and the legacy CUR API only exist in us-east-1. */
export const BILLING_HOME_REGION = "us-east-1";
