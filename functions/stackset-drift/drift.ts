import type { StackInstanceSummary, StackSetOperationSummary } from "@aws-sdk/client-cloudformation";
import {
  DRIFT_STATUSES,
  type DriftStatus,
  STACKSET_DRIFT_DETAIL_TYPE,
  STACKSET_DRIFT_SOURCE,
  type StackSetDriftDetail,
} from "../../contracts/stackset-drift";

/**
 * Pure logic of the scheduled StackSet drift detection. DetectStackSetDrift is asynchronous: it
 * returns an operation id, and the results land on the stack instances (ListStackInstances'
 * DriftStatus and LastDriftCheckTimestamp) once the operation completes; only one drift detection
 * may run on a stack set at a time (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackSetDrift.html).
 * So each run reports what the last completed detection found and starts the next one unless one
 * is still in progress: a run never waits for an operation.
 */

/** StackSetOperationSummary.Status values of an operation that has not ended (API_StackSetOperationSummary). */
const IN_PROGRESS = new Set(["RUNNING", "QUEUED", "STOPPING"]);
const FAILED = new Set(["FAILED", "STOPPED"]);

/** The stack set's drift detection operations, newest first (Action DETECT_DRIFT). */
export function driftOperations(operations: readonly StackSetOperationSummary[]): StackSetOperationSummary[] {
  return operations
    .filter((o) => o.Action === "DETECT_DRIFT")
    .sort((a, b) => (b.CreationTimestamp?.getTime() ?? 0) - (a.CreationTimestamp?.getTime() ?? 0));
}

/** Start a new detection unless one is queued, running or stopping. */
export function shouldStartDetection(operations: readonly StackSetOperationSummary[]): boolean {
  return !driftOperations(operations).some((o) => IN_PROGRESS.has(o.Status ?? ""));
}

const asDriftStatus = (s: string | undefined): DriftStatus =>
  (DRIFT_STATUSES as readonly string[]).includes(s ?? "") ? (s as DriftStatus) : "NOT_CHECKED";

/** What the instances say about drift, with the last ended detection operation. */
export function summarizeDrift(
  stackSetName: string,
  instances: readonly StackInstanceSummary[],
  operations: readonly StackSetOperationSummary[],
): StackSetDriftDetail {
  const counts: Record<DriftStatus, number> = { DRIFTED: 0, IN_SYNC: 0, UNKNOWN: 0, NOT_CHECKED: 0 };
  const drifted: { account: string; region: string }[] = [];
  let last: Date | undefined;
  for (const i of instances) {
    const status = asDriftStatus(i.DriftStatus);
    counts[status] += 1;
    if (status === "DRIFTED")
      drifted.push({ account: i.Account ?? "unknown", region: i.Region ?? "unknown" });
    const t = i.LastDriftCheckTimestamp;
    if (t && (!last || t > last)) last = t;
  }
  drifted.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  const driftStatus =
    counts.DRIFTED > 0
      ? "DRIFTED"
      : instances.length > 0 && counts.IN_SYNC === instances.length
        ? "IN_SYNC"
        : "NOT_CHECKED";
  const ended = driftOperations(operations).find((o) => !IN_PROGRESS.has(o.Status ?? ""));
  return {
    stackSetName,
    driftStatus,
    counts,
    drifted,
    ...(last ? { lastDriftCheck: last.toISOString() } : {}),
    ...(ended
      ? {
          lastOperation: {
            id: ended.OperationId ?? "unknown",
            status: ended.Status ?? "unknown",
            ...(ended.EndTimestamp ? { endedAt: ended.EndTimestamp.toISOString() } : {}),
          },
        }
      : {}),
  };
}

/** 1 when the last ended detection failed or was stopped (its results are then incomplete). */
export function detectionFailed(detail: StackSetDriftDetail): 0 | 1 {
  return detail.lastOperation && FAILED.has(detail.lastOperation.status) ? 1 : 0;
}

/** The PutEvents entry of one stack set's result, for the central bus. */
export function driftEvent(detail: StackSetDriftDetail, eventBusArn: string) {
  return {
    Source: STACKSET_DRIFT_SOURCE,
    DetailType: STACKSET_DRIFT_DETAIL_TYPE,
    EventBusName: eventBusArn,
    Detail: JSON.stringify(detail),
  };
}
