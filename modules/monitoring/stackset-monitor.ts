import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { MonitoringConfig } from "../../config/schema";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { BundledFunction } from "../bundled-function";
import { HEARTBEAT_PERIOD_SECONDS } from "./baseline";

/** How often the monitor runs: the missing-heartbeats alarm expects one data point per 15 minutes. */
export const STACKSET_MONITOR_SCHEDULE = "rate(15 minutes)";

/** Function id (functions/stackset-monitor/handler.ts); Names derives finops-stackset-monitor from it. */
export const STACKSET_MONITOR_FUNCTION = "stackset-monitor";

export interface StackSetMonitorProps {
  readonly names: Names;
  /** The delegated-admin account, where the monitor runs. */
  readonly adminAccountId: string;
  /** The management account, which owns the service-managed stack set in stackset mode. */
  readonly payerAccountId: string;
  readonly monitoringMode: MonitoringConfig["mode"];
  readonly logRetentionDays: number;
  /** prevent_destroy on the function's log group. */
  readonly preventDestroy: boolean;
  /** Provider of the admin account in organization.homeRegion (where the central alarms live). */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Customer-managed key of the admin's functions (environment, log group, DLQ). */
  readonly functionsKeyArn: string;
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
export class StackSetMonitor extends Construct {
  readonly fn: BundledFunction;
  readonly schedule: CloudwatchEventRule;
  /** The function's environment (what the synth tests check against the handler's schema). */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: StackSetMonitorProps) {
    super(scope, id);
    const { names, provider, region } = props;
    const admin = props.adminAccountId;
    const stackSetMode = props.monitoringMode === "stackset";
    const stackSetOwner = stackSetMode ? props.payerAccountId : admin;

    this.environment = {
      METRICS_NAMESPACE: names.stackSetMetricsNamespace,
      HEARTBEAT_NAMESPACE: names.baselineMetricsNamespace,
      HEARTBEAT_METRIC: "Heartbeats",
      // Two heartbeat periods: one late heartbeat is not an outage.
      HEARTBEAT_MAX_AGE_SECONDS: String(2 * HEARTBEAT_PERIOD_SECONDS),
      STACK_SET_PREFIX: names.baselineStackSet,
      CALL_AS: stackSetMode ? "DELEGATED_ADMIN" : "SELF",
      WINDOW_MINUTES: "60",
    };

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

    this.fn = new BundledFunction(this, "function", {
      name: STACKSET_MONITOR_FUNCTION,
      names,
      accountId: admin,
      region,
      description:
        "Publishes StackSet operation and instance metrics and the count of members with overdue heartbeats",
      kmsKeyArn: props.functionsKeyArn,
      logRetentionDays: props.logRetentionDays,
      statements,
      environment: this.environment,
      timeoutSeconds: 120,
      memorySizeMb: 256,
      preventDestroy: props.preventDestroy,
      provider,
    });

    this.schedule = new CloudwatchEventRule(this, "schedule", {
      provider,
      name: `${names.stackSetMonitorFunction}-schedule`,
      description: "Runs the StackSet operations monitor (and the heartbeat check) every 15 minutes",
      scheduleExpression: STACKSET_MONITOR_SCHEDULE,
    });
    new CloudwatchEventTarget(this, "schedule-target", {
      provider,
      rule: this.schedule.name,
      targetId: STACKSET_MONITOR_FUNCTION,
      arn: this.fn.function.arn,
      // A run that fails is replaced by the next one in 15 minutes: no point retrying it later.
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 600 },
    });
    new LambdaPermission(this, "schedule-permission", {
      provider,
      statementId: "events-schedule",
      action: "lambda:InvokeFunction",
      functionName: this.fn.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: this.schedule.arn,
    });
  }
}
