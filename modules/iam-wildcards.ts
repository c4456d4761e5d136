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
];

const allowed = new Set(RESOURCE_WILDCARD_ALLOWLIST.map((a) => a.action.toLowerCase()));

export function isWildcardAllowed(action: string): boolean {
  return allowed.has(action.toLowerCase());
}
