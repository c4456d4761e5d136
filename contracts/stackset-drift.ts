/**
 * The "StackSet drift detection result" event: functions/stackset-drift puts it on the admin's
 * central bus after each scheduled run, one per stack set of the landing; the central log group
 * keeps it (modules/monitoring/central.ts) and any rule may act on it. The drift statuses are
 * CloudFormation's (StackInstanceSummary.DriftStatus:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackInstanceSummary.html).
 */
export const STACKSET_DRIFT_SOURCE = "finops.stackset-drift";
export const STACKSET_DRIFT_DETAIL_TYPE = "StackSet drift detection result";

/** CloudFormation's drift statuses of a stack instance (and of a stack set). */
export const DRIFT_STATUSES = ["DRIFTED", "IN_SYNC", "UNKNOWN", "NOT_CHECKED"] as const;
export type DriftStatus = (typeof DRIFT_STATUSES)[number];

export interface StackSetDriftDetail {
  readonly stackSetName: string;
  /** DRIFTED when any instance drifted, IN_SYNC when every instance was checked in sync, else NOT_CHECKED. */
  readonly driftStatus: "DRIFTED" | "IN_SYNC" | "NOT_CHECKED";
  /** Instances by drift status. */
  readonly counts: Readonly<Record<DriftStatus, number>>;
  /** The drifted instances, by account and region. */
  readonly drifted: readonly { readonly account: string; readonly region: string }[];
  /** The most recent LastDriftCheckTimestamp of the instances (ISO 8601), when any was checked. */
  readonly lastDriftCheck?: string;
  /** The last drift detection operation, when there was one. */
  readonly lastOperation?: { readonly id: string; readonly status: string; readonly endedAt?: string };
  /** The id of the detection this run started (none while one is still running). */
  readonly startedOperationId?: string;
}
