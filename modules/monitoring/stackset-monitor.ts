import type { Construct } from "constructs";
import type { MonitoringConfig } from "../../config/schema";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { HEARTBEAT_PERIOD_SECONDS } from "./baseline";
import { type AdminScheduledFunctionProps, ScheduledFunction } from "./scheduled-function";

/** How often the monitor runs: the missing-heartbeats alarm expects one data point per 15 minutes. */
export const STACKSET_MONITOR_SCHEDULE = "rate(15 minutes)";

/** Function id (functions/stackset-monitor/handler.ts); Names derives finops-stackset-monitor from it. */
export const STACKSET_MONITOR_FUNCTION = "stackset-monitor";

export interface StackSetMonitorProps extends AdminScheduledFunctionProps {
  readonly monitoringMode: MonitoringConfig["mode"];
}

/**
 * The StackSet operations monitor as a scheduled Lambda function in the delegated-admin account.
 * It runs in both monitoring modes: it computes the missing-heartbeats metric for every member (the
 * heartbeats arrive in both modes), and the operations metrics of the landing's stack set.
 * - stackset mode: CALL_AS=DELEGATED_ADMIN; the stack set lives in the management account (AWS keeps
 *   service-managed stack sets there, also those a delegated administrator creates), so its reads are
 *   scoped to that account's `stackset/<name>*` ARNs.
 * - direct mode: the landing has no stack set; CALL_AS=SELF lists the admin's own stack sets, finds
 *   none with the landing's name and publishes zero operations (the reads are scoped to the admin's
 *   own `stackset/<name>*` ARNs).
 */
export class StackSetMonitor extends ScheduledFunction {
  constructor(scope: Construct, id: string, props: StackSetMonitorProps) {
    const { names } = props;
    const stackSetMode = props.monitoringMode === "stackset";
    const stackSetOwner = stackSetMode ? props.payerAccountId : props.adminAccountId;

    const statements: PolicyStatement[] = [
      {
        Sid: "ListStackSets",
        Effect: "Allow",
        Action: "cloudformation:ListStackSets",
        Resource: "*",
      },
      {
        Sid: "ReadTheLandingsStackSet",
        Effect: "Allow",
        Action: ["cloudformation:ListStackSetOperations", "cloudformation:ListStackInstances"],
        Resource: `arn:aws:cloudformation:*:${stackSetOwner}:stackset/${names.baselineStackSet}*`,
      },
      ...(stackSetMode
        ? [
            {
              // AWS asks delegated administrators of StackSets to have this (CallAs DELEGATED_ADMIN).
              Sid: "DelegatedAdminCheck",
              Effect: "Allow" as const,
              Action: "organizations:ListDelegatedAdministrators",
              Resource: "*",
            },
          ]
        : []),
      {
        Sid: "ReadHeartbeats",
        Effect: "Allow",
        Action: ["cloudwatch:ListMetrics", "cloudwatch:GetMetricData"],
        Resource: "*",
      },
      {
        Sid: "PublishOwnNamespace",
        Effect: "Allow",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": names.stackSetMetricsNamespace } },
      },
    ];

    super(scope, id, props, {
      functionId: STACKSET_MONITOR_FUNCTION,
      description:
        "Publishes StackSet operation and instance metrics and the count of members with overdue heartbeats",
      statements,
      environment: {
        METRICS_NAMESPACE: names.stackSetMetricsNamespace,
        HEARTBEAT_NAMESPACE: names.baselineMetricsNamespace,
        HEARTBEAT_METRIC: "Heartbeats",
        // Two heartbeat periods: one late heartbeat is not an outage.
        HEARTBEAT_MAX_AGE_SECONDS: String(2 * HEARTBEAT_PERIOD_SECONDS),
        STACK_SET_PREFIX: names.baselineStackSet,
        CALL_AS: stackSetMode ? "DELEGATED_ADMIN" : "SELF",
        WINDOW_MINUTES: "60",
      },
      schedule: {
        expression: STACKSET_MONITOR_SCHEDULE,
        description: "Runs the StackSet operations monitor (and the heartbeat check) every 15 minutes",
        // A run that fails is replaced by the next one in 15 minutes: no point retrying it later.
        maximumEventAgeInSeconds: 600,
      },
    });
  }
}
