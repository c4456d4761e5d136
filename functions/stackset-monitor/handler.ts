import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { readEnv } from "../shared/env";
import { lambdaHandler, logger } from "../shared/observability";
import { runMonitor } from "./monitor";
import { MONITOR_ENV, settingsFrom } from "./settings";

/**
 * StackSet operations monitor (Lambda entry, run every 15 minutes in the delegated-admin account by
 * modules/monitoring/stackset-monitor.ts): publishes operations by status, success rate, durations,
 * stack instance statuses and the count of member accounts whose baseline heartbeat is overdue.
 * Environment read and validated once, at cold start.
 */
const settings = settingsFrom(readEnv(MONITOR_ENV));
const cfn = new CloudFormationClient({});
const cw = new CloudWatchClient({});

export const handler = lambdaHandler(
  async (): Promise<{ published: number; missingHeartbeatAccounts: number }> => {
    const result = await runMonitor({ cfn, cw, now: new Date() }, settings);
    logger.info("published StackSet metrics", {
      stackSets: result.stackSets.map((s) => ({
        name: s.stackSetName,
        operations: s.operationsByStatus,
        successRatePercent: s.successRatePercent,
        unhealthy: s.unhealthyInstances,
      })),
      missingHeartbeatAccounts: result.missingHeartbeatAccounts,
      published: result.published,
    });
    return { published: result.published, missingHeartbeatAccounts: result.missingHeartbeatAccounts.length };
  },
);
