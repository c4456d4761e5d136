import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { STACKSET_DRIFT_METRICS } from "../../contracts/metrics";
import { readEnv } from "../shared/env";
import { lambdaHandler, logger, MetricUnit, metrics } from "../shared/observability";
import { detectionFailed } from "./drift";
import { runDriftDetection } from "./run";
import { DRIFT_ENV } from "./settings";

/**
 * StackSet drift detection (Lambda entry, scheduled in the delegated-admin account by
 * modules/monitoring/stackset-drift.ts in stackset mode): reports what the last drift detection
 * found (an event on the central bus, the DriftedStackInstances and DriftDetectionFailed metrics)
 * and starts the next one. Environment read and validated once, at cold start.
 */
const env = readEnv(DRIFT_ENV);
const cfn = new CloudFormationClient({});
const events = new EventBridgeClient({});

export const handler = lambdaHandler(async (): Promise<{ stackSets: number; driftedInstances: number }> => {
  const results = await runDriftDetection(
    { cfn, events },
    { stackSetPrefix: env.STACK_SET_PREFIX, callAs: env.CALL_AS, eventBusArn: env.CENTRAL_BUS_ARN },
  );
  for (const r of results) {
    // One EMF record per metric, each with the stack set as its dimension.
    for (const [name, value] of [
      [STACKSET_DRIFT_METRICS.driftedInstances, r.counts.DRIFTED],
      [STACKSET_DRIFT_METRICS.detectionFailed, detectionFailed(r)],
    ] as const) {
      const m = metrics.singleMetric();
      m.addDimension("StackSet", r.stackSetName);
      m.addMetric(name, MetricUnit.Count, value);
    }
  }
  logger.info("StackSet drift", {
    stackSets: results.map((r) => ({
      name: r.stackSetName,
      driftStatus: r.driftStatus,
      drifted: r.drifted,
      lastOperation: r.lastOperation,
      started: r.startedOperationId,
    })),
  });
  return { stackSets: results.length, driftedInstances: results.reduce((n, r) => n + r.counts.DRIFTED, 0) };
});
