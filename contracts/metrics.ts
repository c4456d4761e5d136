/**
 * CloudWatch metric names the landing publishes, as plain data: the functions that publish them and
 * the alarms and dashboards that read them (modules/monitoring) take the names from here.
 * Namespaces are per organization (config/naming.ts: stackSetMetricsNamespace).
 */

/** Metrics of the StackSet operations monitor (functions/stackset-monitor). */
export const STACKSET_METRICS = {
  /** Count per Status (SUCCEEDED, FAILED, STOPPED, RUNNING, QUEUED, STOPPING) of operations in the window. */
  operations: "Operations",
  /** Percent of the window's finished operations (SUCCEEDED, FAILED, STOPPED) that succeeded. */
  successRate: "SuccessRate",
  /** Seconds from creation to end, one value per finished operation. */
  operationDuration: "OperationDuration",
  /** Stack instances per Status (CURRENT, OUTDATED, INOPERABLE). */
  stackInstances: "StackInstances",
  /** Member accounts whose baseline heartbeat is overdue. */
  missingHeartbeats: "MissingHeartbeatAccounts",
} as const;
