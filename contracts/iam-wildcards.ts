/**
 * What Lambda does with the execution role to place a function in a VPC (the actions of
 * AWSLambdaVPCAccessExecutionRole, kept inline so the policy tests read them). EC2 offers no
 * narrower resource for them that Lambda's ENI management is documented to work with.
 */
export const VPC_ENI_ACTIONS = [
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
] as const;

/** CloudWatch Logs vended-log delivery, what Step Functions execution logging needs of its role. */
export const LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
] as const;

/**
 * The one allowlist of IAM actions that may use `Resource: "*"`: actions whose service offers no
 * resource-level permission (AWS Service Authorization Reference: "Resource types" column empty).
 * Every entry says why. The policy tests fail on any `Resource: "*"` whose actions are not all here.
 * Add an entry only with the reason; prefer a narrower resource whenever the service has one.
 */
export interface WildcardAllowance {
  readonly action: string;
  readonly reason: string;
}

export const RESOURCE_WILDCARD_ALLOWLIST: readonly WildcardAllowance[] = [
  { action: "xray:PutTraceSegments", reason: "X-Ray has no resource-level permissions for writing traces" },
  { action: "xray:PutTelemetryRecords", reason: "X-Ray has no resource-level permissions for telemetry" },
  {
    action: "cloudwatch:PutMetricData",
    reason: "CloudWatch metrics have no resource ARNs; scope with the cloudwatch:namespace condition instead",
  },
  // Payer read role (modules/payer/payer-read-role.ts): reads of the payer's own billing data.
  {
    action: "ce:GetCostAndUsage",
    reason: "Cost Explorer queries the caller's billing data; the action has no resource type to scope it to",
  },
  {
    action: "ce:GetCostForecast",
    reason:
      "Cost Explorer forecasts the caller's billing data; the action has no resource type to scope it to",
  },
  // Member read-only FinOps role (modules/monitoring/baseline.ts): Cost Explorer lookups of the member's own data.
  {
    action: "ce:GetDimensionValues",
    reason:
      "Cost Explorer lists dimension values of the caller's billing data; the action has no resource type",
  },
  {
    action: "ce:GetTags",
    reason:
      "Cost Explorer lists cost allocation tag values of the caller's billing data; the action has no resource type",
  },
  {
    action: "states:SendTaskSuccess",
    reason:
      "Step Functions defines no resource type for SendTaskSuccess (the task token names the execution); the FinOps API completes the approval step with it",
  },
  {
    action: "organizations:DescribeOrganization",
    reason: "Organizations defines no resource type for DescribeOrganization (the caller's own organization)",
  },
  {
    action: "organizations:ListAccounts",
    reason:
      "Organizations defines no resource type for ListAccounts (all accounts of the caller's organization)",
  },
  {
    action: "organizations:ListRoots",
    reason: "Organizations defines no resource type for ListRoots",
  },
  {
    action: "bcm-data-exports:ListExports",
    reason:
      "Data Exports defines no resource type for ListExports (GetExport is scoped to the payer's exports)",
  },
  {
    action: "cur:DescribeReportDefinitions",
    reason:
      "The CUR API defines no resource type for DescribeReportDefinitions (legacy report definitions of the caller)",
  },
  ...LOG_DELIVERY_ACTIONS.map((action) => ({
    action,
    reason:
      "CloudWatch Logs vended-log delivery (Step Functions execution logging) supports no resource-level permissions; AWS documents Resource * for these",
  })),
  {
    action: "xray:GetSamplingRules",
    reason: "X-Ray has no resource-level permissions for reading sampling rules (Step Functions tracing)",
  },
  {
    action: "xray:GetSamplingTargets",
    reason: "X-Ray has no resource-level permissions for sampling targets (Step Functions tracing)",
  },
  // StackSet monitor (modules/monitoring/stackset-monitor.ts).
  {
    action: "cloudformation:ListStackSets",
    reason:
      "CloudFormation defines no resource type for ListStackSets (the monitor's reads of the stack set itself are scoped to its ARN)",
  },
  {
    action: "cloudwatch:ListMetrics",
    reason:
      "CloudWatch defines no resource type for ListMetrics (the monitor lists the heartbeat metric's accounts)",
  },
  {
    action: "cloudwatch:GetMetricData",
    reason: "CloudWatch defines no resource type for GetMetricData (the monitor reads the heartbeat metric)",
  },
  {
    action: "organizations:ListDelegatedAdministrators",
    reason:
      "Organizations defines no resource type for ListDelegatedAdministrators; AWS asks StackSets delegated administrators to have it",
  },
  ...VPC_ENI_ACTIONS.map((action) => ({
    action,
    reason:
      "VPC mode: Lambda manages the function's ENIs with its execution role; AWS grants these on Resource * (AWSLambdaVPCAccessExecutionRole) and the Describe actions have no resource type",
  })),
];

const allowed = new Set(RESOURCE_WILDCARD_ALLOWLIST.map((a) => a.action.toLowerCase()));

export function isWildcardAllowed(action: string): boolean {
  return allowed.has(action.toLowerCase());
}

/**
 * Resource ARNs that are wildcards in disguise (only wildcards as resource, or as account, region
 * and resource: `arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*`) but are the narrowest the
 * service allows for these actions. Each entry names the ARN pattern exactly as written in the
 * policy, the actions it is allowed for, and why. The policy tests fail on any other such ARN.
 */
export interface ArnWildcardAllowance {
  readonly arn: string;
  readonly actions: readonly string[];
  readonly reason: string;
}

export const RESOURCE_ARN_WILDCARD_ALLOWLIST: readonly ArnWildcardAllowance[] = [];

/** True when every action may use this wildcard ARN (RESOURCE_ARN_WILDCARD_ALLOWLIST). */
export function isArnWildcardAllowed(
  arn: string,
  actions: readonly string[],
  allowlist: readonly ArnWildcardAllowance[] = RESOURCE_ARN_WILDCARD_ALLOWLIST,
): boolean {
  const entries = allowlist.filter((a) => a.arn === arn);
  return actions.every((action) =>
    entries.some((e) => e.actions.some((a) => a.toLowerCase() === action.toLowerCase())),
  );
}
