import type {
  StackInstanceSummary,
  StackSetOperationSummary,
  StackSetSummary,
} from "@aws-sdk/client-cloudformation";
import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import { STACKSET_METRICS } from "../../contracts/metrics";

/**
 * Pure metric computation of the StackSet operations monitor: recorded or live CloudFormation
 * responses in, CloudWatch metric data out. No clients here, so tests run on recorded responses.
 */

export const FINISHED_STATUSES = ["SUCCEEDED", "FAILED", "STOPPED"] as const;

export interface StackSetObservation {
  readonly stackSet: Pick<StackSetSummary, "StackSetName" | "Status">;
  readonly operations: readonly StackSetOperationSummary[];
  readonly instances: readonly StackInstanceSummary[];
}

export interface StackSetStats {
  readonly stackSetName: string;
  /** Operations created or ended in the window, by status. */
  readonly operationsByStatus: Readonly<Record<string, number>>;
  /** undefined when no operation finished in the window (no data, not 100 %). */
  readonly successRatePercent?: number;
  readonly durationsSeconds: readonly number[];
  readonly instancesByStatus: Readonly<Record<string, number>>;
  /** account/region of instances that are not CURRENT, for the log. */
  readonly unhealthyInstances: readonly string[];
}

function inWindow(op: StackSetOperationSummary, since: Date): boolean {
  const t = op.EndTimestamp ?? op.CreationTimestamp;
  return t !== undefined && t.getTime() >= since.getTime();
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

export function stackSetStats(obs: StackSetObservation, since: Date): StackSetStats {
  const ops = obs.operations.filter((o) => inWindow(o, since));
  const finished = ops.filter((o) => (FINISHED_STATUSES as readonly string[]).includes(o.Status ?? ""));
  const succeeded = finished.filter((o) => o.Status === "SUCCEEDED").length;
  return {
    stackSetName: obs.stackSet.StackSetName ?? "unknown",
    operationsByStatus: countBy(ops, (o) => o.Status ?? "UNKNOWN"),
    successRatePercent: finished.length === 0 ? undefined : (100 * succeeded) / finished.length,
    durationsSeconds: finished
      .filter((o) => o.CreationTimestamp && o.EndTimestamp)
      .map((o) => Math.max(0, (o.EndTimestamp!.getTime() - o.CreationTimestamp!.getTime()) / 1000)),
    instancesByStatus: countBy(obs.instances, (i) => i.Status ?? "UNKNOWN"),
    unhealthyInstances: obs.instances
      .filter((i) => i.Status !== "CURRENT")
      .map((i) => `${i.Account}/${i.Region}: ${i.Status}${i.StatusReason ? ` (${i.StatusReason})` : ""}`),
  };
}

/** Every stack set together: what the success-rate alarm watches. */
export function aggregate(stats: readonly StackSetStats[]): Omit<StackSetStats, "stackSetName"> {
  const sum = (pick: (s: StackSetStats) => Readonly<Record<string, number>>) => {
    const out: Record<string, number> = {};
    for (const s of stats) for (const [k, v] of Object.entries(pick(s))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const operationsByStatus = sum((s) => s.operationsByStatus);
  const finished = FINISHED_STATUSES.reduce((n, st) => n + (operationsByStatus[st] ?? 0), 0);
  return {
    operationsByStatus,
    successRatePercent: finished === 0 ? undefined : (100 * (operationsByStatus.SUCCEEDED ?? 0)) / finished,
    durationsSeconds: stats.flatMap((s) => s.durationsSeconds),
    instancesByStatus: sum((s) => s.instancesByStatus),
    unhealthyInstances: stats.flatMap((s) => s.unhealthyInstances.map((u) => `${s.stackSetName} ${u}`)),
  };
}

export interface HeartbeatSeries {
  readonly account: string;
  /** Timestamps of periods with at least one heartbeat. */
  readonly timestamps: readonly Date[];
}

/**
 * Accounts that sent heartbeats before (their metric exists) but none within maxAgeSeconds.
 * An account that never sent one has no metric and is not reported here: its stack deploy would
 * have failed, which the failed-operations alarm reports.
 */
export function missingHeartbeats(
  series: readonly HeartbeatSeries[],
  now: Date,
  maxAgeSeconds: number,
): string[] {
  const cutoff = now.getTime() - maxAgeSeconds * 1000;
  return series
    .filter((s) => !s.timestamps.some((t) => t.getTime() >= cutoff))
    .map((s) => s.account)
    .sort();
}

/** The metric data to publish: per stack set (StackSetName dimension) and in total (no dimension). */
export function metricData(
  perStackSet: readonly StackSetStats[],
  missing: readonly string[] | undefined,
  timestamp: Date,
): MetricDatum[] {
  const data: MetricDatum[] = [];
  const emit = (stats: Omit<StackSetStats, "stackSetName">, dims: { Name: string; Value: string }[]) => {
    const statuses = new Set([...FINISHED_STATUSES, ...Object.keys(stats.operationsByStatus)]);
    for (const status of statuses) {
      data.push({
        MetricName: STACKSET_METRICS.operations,
        Dimensions: [...dims, { Name: "Status", Value: status }],
        Value: stats.operationsByStatus[status] ?? 0,
        Unit: "Count",
        Timestamp: timestamp,
      });
    }
    if (stats.successRatePercent !== undefined) {
      data.push({
        MetricName: STACKSET_METRICS.successRate,
        Dimensions: dims,
        Value: stats.successRatePercent,
        Unit: "Percent",
        Timestamp: timestamp,
      });
    }
    if (stats.durationsSeconds.length > 0) {
      data.push({
        MetricName: STACKSET_METRICS.operationDuration,
        Dimensions: dims,
        Values: [...stats.durationsSeconds],
        Unit: "Seconds",
        Timestamp: timestamp,
      });
    }
    for (const [status, n] of Object.entries(stats.instancesByStatus)) {
      data.push({
        MetricName: STACKSET_METRICS.stackInstances,
        Dimensions: [...dims, { Name: "Status", Value: status }],
        Value: n,
        Unit: "Count",
        Timestamp: timestamp,
      });
    }
  };
  for (const s of perStackSet) emit(s, [{ Name: "StackSetName", Value: s.stackSetName }]);
  emit(aggregate(perStackSet), []);
  if (missing !== undefined) {
    data.push({
      MetricName: STACKSET_METRICS.missingHeartbeats,
      Value: missing.length,
      Unit: "Count",
      Timestamp: timestamp,
    });
  }
  return data;
}
