/**
 * The runbooks of the landing's alarms: one section of docs/operations.md per alarm kind, named at
 * the end of each alarm's description as "Runbook: docs/operations.md#<anchor>". Every alarm
 * (admin, central, member baseline, payer) takes its anchor from here, and the unit test
 * test/unit/modules/monitoring/failure-alarms.test.ts checks that every one is a heading there.
 * A module of its own: alarms.ts imports baseline.ts, and both name runbooks.
 */
export const RUNBOOKS = {
  functionErrors: "function-errors",
  functionThrottles: "function-throttles",
  accountSyncErrors: "account-sync-errors",
  dlqMessages: "dead-letter-queue-messages",
  queueAge: "queue-backlog",
  ruleFailures: "event-rule-failed-invocations",
  api5xx: "api-5xx",
  apiLatency: "api-latency",
  ingestFailed: "cur-ingest-failed",
  curStale: "cur-stale",
  memberAlarms: "member-alarms",
  forwarderFailures: "forwarder-failures",
  forwarderDlqMessages: "forwarder-dlq-messages",
  failedStackOperations: "failed-stack-operations",
  missingHeartbeats: "missing-heartbeats",
  stacksetSuccessRate: "stackset-success-rate",
  stacksetDrift: "stackset-drift",
  stacksetDriftFailed: "stackset-drift-detection-failed",
} as const;

/** An anchor of docs/operations.md that RUNBOOKS names. */
export type Runbook = (typeof RUNBOOKS)[keyof typeof RUNBOOKS];

/** "Runbook: docs/operations.md#<anchor>" ends every alarm's description. */
export function runbookRef(anchor: Runbook): string {
  return `Runbook: docs/operations.md#${anchor}`;
}

/** An alarm's description: what went wrong, then its runbook ("<what>. Runbook: …"). */
export function describeAlarm(what: string, runbook: Runbook): string {
  return `${what}. ${runbookRef(runbook)}`;
}
