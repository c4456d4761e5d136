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

/**
 * The namespace of the functions' own application metrics (Powertools EMF, functions/shared/
 * observability.ts) when POWERTOOLS_METRICS_NAMESPACE is not set. Every such metric carries the
 * dimension `service` = the function's short name (POWERTOOLS_SERVICE_NAME, set by
 * modules/bundled-function): an alarm on one must name that dimension.
 */
export const APP_METRICS_NAMESPACE = "FinOpsLanding";

/** The Powertools dimension every application metric carries (the function's short name). */
export const APP_METRICS_SERVICE_DIMENSION = "service";

/** Metrics of the CUR ingest (functions/cur-ingest/handler.ts), service "cur-ingest". */
export const CUR_INGEST_METRICS = {
  /** Line items the run read (0 when the delivery was committed already or is superseded). */
  lineItemsRead: "LineItemsRead",
  /** Spend items the run wrote (0 unless it committed the delivery). */
  spendItemsWritten: "SpendItemsWritten",
  /**
   * 1 per run that committed a new delivery of a billing period (status "ingested"), 0 per run
   * that did not (unchanged, superseded). The CUR-stale alarm watches for hours without a 1.
   */
  deliveriesCommitted: "DeliveriesCommitted",
  /** 1 per manifest whose ingest threw (the message goes back to the queue, then to its DLQ). */
  ingestFailed: "IngestFailed",
} as const;

/** Metrics of the API function (functions/api/handler.ts), service "api", dimension route. */
export const API_METRICS = {
  latency: "ApiLatency",
  serverErrors: "Api5xx",
} as const;

/**
 * Metrics of the StackSet drift detection (functions/stackset-drift/handler.ts), service
 * "stackset-drift", dimension StackSet, one data point per scheduled run and stack set.
 */
export const STACKSET_DRIFT_METRICS = {
  /** Stack instances whose last drift check found DRIFTED (0 = every checked instance in sync). */
  driftedInstances: "DriftedStackInstances",
  /** 1 when the stack set's last drift detection operation ended FAILED or STOPPED, else 0. */
  detectionFailed: "DriftDetectionFailed",
} as const;
