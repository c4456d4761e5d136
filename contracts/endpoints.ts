/**
 * Which VPC endpoints the private VPC needs (docs/security.md, "VPC mode"). In VPC mode the
 * functions have no route out of the VPC: every AWS API a function calls must have an endpoint.
 *
 * `SDK_CLIENT_ENDPOINTS` maps each AWS SDK client package a function imports to the endpoint of
 * its API. test/unit/contracts/endpoints.test.ts reads every import of functions/** and fails when a
 * function imports a client that is not in this table: add the client here (with its endpoint)
 * when a function starts calling a new service. There is deliberately no entry for a client no
 * function imports (SSM, Lambda, ...): an endpoint costs money per AZ and hour.
 */
export interface EndpointSpec {
  /** The endpoint's service, as in com.amazonaws.<region>.<service>. */
  readonly service: string;
  /** A gateway endpoint (S3, DynamoDB: free, on the route table) instead of an interface endpoint. */
  readonly gateway?: boolean;
  /**
   * The service's API, and so its only endpoint, is in us-east-1 (Organizations, Cost Explorer):
   * a VPC in another region cannot reach it (the landing creates no cross-region endpoints).
   */
  readonly usEast1Only?: boolean;
  /** Who calls it, for what. */
  readonly why: string;
}

export const SDK_CLIENT_ENDPOINTS: Readonly<Record<string, EndpointSpec>> = {
  "@aws-sdk/client-athena": { service: "athena", why: "CUR queries (cur-ingest, the Athena and CUR tools)" },
  "@aws-sdk/client-cloudformation": {
    service: "cloudformation",
    why: "StackSet operations and instances (stackset monitor)",
  },
  "@aws-sdk/client-cloudwatch": { service: "monitoring", why: "PutMetricData (stackset monitor)" },
  "@aws-sdk/client-cognito-identity-provider": {
    service: "cognito-idp",
    why: "admin user operations of the API (user pool)",
  },
  "@aws-sdk/client-cost-explorer": { service: "ce", usEast1Only: true, why: "the Cost Explorer tool" },
  "@aws-sdk/client-dynamodb": { service: "dynamodb", gateway: true, why: "every table (also lib-dynamodb)" },
  "@aws-sdk/client-eventbridge": {
    service: "events",
    why: "PutEvents of the CUR billing-period-committed event (cur-ingest)",
  },
  "@aws-sdk/client-organizations": {
    service: "organizations",
    usEast1Only: true,
    why: "account sync (directly or through the payer read role)",
  },
  "@aws-sdk/client-s3": {
    service: "s3",
    gateway: true,
    why: "CUR files, Athena results (cur-ingest, tools)",
  },
  "@aws-sdk/client-secrets-manager": {
    service: "secretsmanager",
    why: "the payer read role's external id (account-sync, Cost Explorer tool)",
  },
  "@aws-sdk/client-sfn": { service: "states", why: "approval workflow task tokens (API)" },
  "@aws-sdk/client-sts": {
    service: "sts",
    why: "assume the payer read role (account-sync, Cost Explorer tool)",
  },
};

/**
 * Interface endpoints kept although no function imports their SDK client: the issue's baseline list
 * (issue 8) and what the Lambda runtime itself sends from inside the VPC.
 */
export const PLATFORM_ENDPOINTS: readonly EndpointSpec[] = [
  {
    service: "xray",
    why: "X-Ray segments of the functions' active tracing, sent from the function's network",
  },
  {
    service: "logs",
    why: "issue 8 baseline: CloudWatch Logs API calls (Lambda itself delivers function logs without the VPC)",
  },
  {
    service: "kms",
    why: "issue 8 baseline: KMS API calls (S3, DynamoDB, SQS and Lambda decrypt server-side today)",
  },
  {
    service: "sqs",
    why: "issue 8 baseline: SQS API calls (the Lambda service polls the manifest queue itself)",
  },
  {
    service: "glue",
    why: "issue 8 baseline: Glue catalog calls (Athena reads the catalog itself for the queries)",
  },
];

/** Every endpoint of the private VPC, one per service, gateway endpoints first. */
export function vpcEndpointServices(): EndpointSpec[] {
  const byService = new Map<string, EndpointSpec>();
  for (const spec of [...Object.values(SDK_CLIENT_ENDPOINTS), ...PLATFORM_ENDPOINTS])
    if (!byService.has(spec.service)) byService.set(spec.service, spec);
  const all = [...byService.values()];
  return [...all.filter((s) => s.gateway), ...all.filter((s) => !s.gateway)];
}

/**
 * The endpoints a VPC in `region` cannot have: the us-east-1-only services anywhere else. A
 * function calling one of them from such a VPC would hang until its timeout.
 */
export function unreachableEndpoints(region: string): EndpointSpec[] {
  return region === "us-east-1" ? [] : vpcEndpointServices().filter((s) => s.usEast1Only);
}

/** `@aws-sdk/client-*` packages a TypeScript source imports (static, dynamic and require). */
export function sdkClientImports(source: string): string[] {
  const found = new Set<string>();
  const re = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["'](@aws-sdk\/client-[a-z0-9-]+)["']/g;
  for (const m of source.matchAll(re)) found.add(m[1]!);
  return [...found].sort();
}
