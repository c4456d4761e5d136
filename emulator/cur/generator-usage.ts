/**
 * The sample organization's usage model for the CUR 2.0 generator: the services and usage types
 * each account uses per region and day (amounts drawn from a seeded PRNG), at on-demand rates, with
 * the region's usage-type prefix (none in us-east-1, "EU-" in eu-west-1, ...).
 */

/** Mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const REGION_PREFIX: Record<string, string> = {
  "us-east-1": "",
  "us-east-2": "USE2-",
  "us-west-1": "USW1-",
  "us-west-2": "USW2-",
  "eu-west-1": "EU-",
  "eu-west-2": "EUW2-",
  "eu-west-3": "EUW3-",
  "eu-central-1": "EUC1-",
  "eu-north-1": "EUN1-",
  "ap-southeast-1": "APS1-",
  "ap-southeast-2": "APS2-",
  "ap-northeast-1": "APN1-",
  "ca-central-1": "CAN1-",
  "sa-east-1": "SAE1-",
};

export const REGION_LOCATION: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-2": "US West (Oregon)",
  "eu-west-1": "EU (Ireland)",
  "eu-central-1": "EU (Frankfurt)",
};

/** The usage-type prefix of a region (REGION_PREFIX, else the region's code, e.g. "APSOUTH1-"). */
export function usageTypePrefix(region: string): string {
  return REGION_PREFIX[region] ?? `${region.toUpperCase().replace(/-/g, "")}-`;
}

export interface UsageSpec {
  service: string;
  productName: string;
  productFamily: string;
  usageType: string;
  operation: string;
  unit: string;
  /** USD per unit. */
  rate: number;
  /** Units per day: [min, max). */
  perDay: [number, number];
  description: string;
  instanceType?: string;
  resource?: (account: string, region: string, n: number) => string;
  /** Instance hours that a Savings Plan may cover. */
  spEligible?: boolean;
}

export const USAGE: readonly UsageSpec[] = [
  {
    service: "AmazonEC2",
    productName: "Amazon Elastic Compute Cloud",
    productFamily: "Compute Instance",
    usageType: "BoxUsage:m5.large",
    operation: "RunInstances",
    unit: "Hrs",
    rate: 0.096,
    perDay: [24, 96],
    description: "$0.096 per On Demand Linux m5.large Instance Hour",
    instanceType: "m5.large",
    resource: (a, _r, n) => `i-0${a.slice(-6)}${n.toString(16).padStart(9, "0")}`,
    spEligible: true,
  },
  {
    service: "AmazonEC2",
    productName: "Amazon Elastic Compute Cloud",
    productFamily: "Storage",
    usageType: "EBS:VolumeUsage.gp3",
    operation: "CreateVolume-Gp3",
    unit: "GB-Mo",
    rate: 0.08,
    perDay: [3, 20],
    description: "$0.08 per GB-month of General Purpose (gp3) provisioned storage",
    resource: (a, _r, n) => `vol-0${a.slice(-6)}${n.toString(16).padStart(9, "0")}`,
  },
  {
    service: "AmazonEC2",
    productName: "Amazon Elastic Compute Cloud",
    productFamily: "Data Transfer",
    usageType: "DataTransfer-Out-Bytes",
    operation: "RunInstances",
    unit: "GB",
    rate: 0.09,
    perDay: [1, 40],
    description: "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
  },
  {
    service: "AmazonS3",
    productName: "Amazon Simple Storage Service",
    productFamily: "Storage",
    usageType: "TimedStorage-ByteHrs",
    operation: "StandardStorage",
    unit: "GB-Mo",
    rate: 0.023,
    perDay: [5, 60],
    description: "$0.023 per GB - first 50 TB / month of storage used",
    resource: (a, r) => `finops-sample-${a}-${r}`,
  },
  {
    service: "AmazonS3",
    productName: "Amazon Simple Storage Service",
    productFamily: "API Request",
    usageType: "Requests-Tier1",
    operation: "PutObject",
    unit: "Requests",
    rate: 0.000005,
    perDay: [10000, 400000],
    description: "$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
    resource: (a, r) => `finops-sample-${a}-${r}`,
  },
  {
    service: "AmazonRDS",
    productName: "Amazon Relational Database Service",
    productFamily: "Database Instance",
    usageType: "InstanceUsage:db.t3.medium",
    operation: "CreateDBInstance:0002",
    unit: "Hrs",
    rate: 0.068,
    perDay: [24, 48],
    description: "$0.068 per RDS db.t3.medium instance hour (or partial hour) running MySQL",
    instanceType: "db.t3.medium",
    resource: (a, r) => `arn:aws:rds:${r}:${a}:db:app-db`,
  },
  {
    service: "AWSLambda",
    productName: "AWS Lambda",
    productFamily: "Serverless",
    usageType: "Lambda-GB-Second",
    operation: "Invoke",
    unit: "Lambda-GB-Second",
    rate: 0.0000166667,
    perDay: [20000, 900000],
    description: "AWS Lambda - Total Compute - US East (N. Virginia)",
    resource: (a, r) => `arn:aws:lambda:${r}:${a}:function:app-handler`,
  },
  {
    service: "AmazonDynamoDB",
    productName: "Amazon DynamoDB",
    productFamily: "Amazon DynamoDB PayPerRequest Throughput",
    usageType: "ReadRequestUnits",
    operation: "PayPerRequestThroughput",
    unit: "ReadRequestUnits",
    rate: 0.00000025,
    perDay: [100000, 5000000],
    description: "$0.25 per million read request units",
    resource: (a, r) => `arn:aws:dynamodb:${r}:${a}:table/app-table`,
  },
  {
    service: "AmazonCloudWatch",
    productName: "AmazonCloudWatch",
    productFamily: "Metric",
    usageType: "CW:MetricMonitorUsage",
    operation: "MetricStorage",
    unit: "Metrics",
    rate: 0.3,
    perDay: [1, 8],
    description: "$0.30 per metric-month for the first 10,000 metrics",
  },
];
