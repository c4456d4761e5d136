import { Logger } from "@aws-lambda-powertools/logger";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { z } from "zod";
import { type MonitorSettings, runMonitor } from "./monitor";

/**
 * StackSet operations monitor (Lambda entry, run on a schedule in the delegated-admin account):
 * publishes operations by status, success rate, durations, stack instance statuses and the count of
 * member accounts whose baseline heartbeat is overdue. Environment read and validated once.
 */
const env = z
  .object({
    METRICS_NAMESPACE: z.string().min(1),
    HEARTBEAT_NAMESPACE: z.string().min(1),
    HEARTBEAT_METRIC: z.string().min(1).default("Heartbeats"),
    HEARTBEAT_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(1800),
    STACK_SET_PREFIX: z.string().default(""),
    CALL_AS: z.enum(["SELF", "DELEGATED_ADMIN"]).default("DELEGATED_ADMIN"),
    WINDOW_MINUTES: z.coerce.number().int().positive().default(60),
  })
  .parse(process.env);

const settings: MonitorSettings = {
  namespace: env.METRICS_NAMESPACE,
  heartbeatNamespace: env.HEARTBEAT_NAMESPACE,
  heartbeatMetric: env.HEARTBEAT_METRIC,
  heartbeatMaxAgeSeconds: env.HEARTBEAT_MAX_AGE_SECONDS,
  stackSetPrefix: env.STACK_SET_PREFIX,
  callAs: env.CALL_AS,
  windowMinutes: env.WINDOW_MINUTES,
};
const logger = new Logger({ serviceName: "stackset-monitor" });
const cfn = new CloudFormationClient({});
const cw = new CloudWatchClient({});

export async function handler(): Promise<{ published: number; missingHeartbeatAccounts: number }> {
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
}
