import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CloudwatchQueryDefinition } from "@cdktf/provider-aws/lib/cloudwatch-query-definition";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { type TerraformProvider, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { MonitoringConfig } from "../../config/schema";
import {
  APP_METRICS_NAMESPACE,
  APP_METRICS_SERVICE_DIMENSION,
  CUR_INGEST_METRICS,
  STACKSET_DRIFT_METRICS,
} from "../../contracts/metrics";
import { ANY_EVENT_IN_5_MINUTES, ANY_MESSAGE_IN_5_MINUTES } from "./alarm-presets";
import { baselineAlarmPrefix } from "./baseline";
import { describeAlarm, RUNBOOKS, type Runbook } from "./runbooks";

/**
 * The failure alarms of the delegated-admin account (issue 16; docs/operations.md has one runbook
 * section per alarm, which each alarm's description names at its end: ./runbooks.ts).
 *
 * Derived from what the stack holds, when this construct is created (the admin stack creates it
 * last), so a function, queue or rule added later is alarmed without a change here:
 * - every aws_lambda_function: Errors and Throttles (AWS/Lambda, dimension FunctionName:
 *   https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html);
 * - every aws_sqs_queue: a dead-letter queue (name ending in -dlq) alarms on any visible message,
 *   a source queue on the age of its oldest message (AWS/SQS ApproximateNumberOfMessagesVisible,
 *   ApproximateAgeOfOldestMessage, dimension QueueName:
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html);
 * - every aws_cloudwatch_event_rule: its targets' FailedInvocations (AWS/Events, RuleName, plus
 *   EventBusName on a custom bus: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html);
 * - every HTTP API ($default stage): 5xx and p99 Latency (AWS/ApiGateway, ApiId and Stage:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html);
 * - cur-ingest, when the stack has it: ingest failed and CUR stale (its EMF metrics,
 *   contracts/metrics.ts);
 * - member alarms: the baseline alarms of every member region (forwarder failures, forwarder DLQ)
 *   reach the central bus as "CloudWatch Alarm State Change" events; a metric filter on the
 *   central events log group counts those entering ALARM.
 * Every alarm notifies the alerts topic on ALARM and OK.
 */

/** Metric filter pattern: a baseline alarm of a member entered ALARM. */
export function memberAlarmPattern(names: Names): string {
  return `{ $.source = "aws.cloudwatch" && $.detail-type = "CloudWatch Alarm State Change" && $.detail.alarmName = "${baselineAlarmPrefix(names)}*" && $.detail.state.value = "ALARM" }`;
}

export const MEMBER_ALARMS_METRIC = "MemberAlarmsRaised";

/** Saved Logs Insights query: the members' baseline alarm state changes, newest first. */
export const MEMBER_ALARMS_QUERY = [
  "fields @timestamp, account, region, detail.alarmName as alarm, detail.state.value as state, detail.state.reason as reason",
  '| filter source = "aws.cloudwatch"',
  "| sort @timestamp desc",
  "| limit 200",
].join("\n");

export interface FailureAlarmsProps {
  readonly names: Names;
  /** organization.homeRegion: the alerts topic's region. */
  readonly homeRegion: string;
  readonly topicArn: string;
  /** monitoring.alarms thresholds. */
  readonly settings: MonitoringConfig["alarms"];
  /** The central events log group (member alarm state changes arrive there). */
  readonly centralLogGroupName: string;
  /** Provider of the home region (the member-alarms filter and alarm). */
  readonly provider: AwsProvider;
}

type AlarmArgs = Omit<
  ConstructorParameters<typeof CloudwatchMetricAlarm>[2],
  "alarmActions" | "okActions" | "alarmDescription"
> & { readonly runbook: Runbook; readonly description: string };

/** A literal string input of a resource, or its reference when only a token is known. */
function literal(value: string | undefined, fallback: string): string {
  return value !== undefined && !Token.isUnresolved(value) ? value : fallback;
}

function regionOf(provider: TerraformProvider | undefined, fallback: string): string {
  const region = (provider as AwsProvider | undefined)?.regionInput;
  return typeof region === "string" && !Token.isUnresolved(region) ? region : fallback;
}

export class FailureAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: FailureAlarmsProps) {
    super(scope, id);
    const { names } = props;
    const stack = TerraformStack.of(this);
    const all = stack.node.findAll();
    const alarm = (idPart: string, provider: TerraformProvider | undefined, a: AlarmArgs) => {
      const region = regionOf(provider, props.homeRegion);
      if (region !== props.homeRegion)
        throw new Error(
          `${a.alarmName} would watch a resource in ${region}, but the alerts topic is in organization.homeRegion ${props.homeRegion} and CloudWatch alarms notify topics of their own region; keep the admin's functions in ${props.homeRegion} (list it first in admin.regions)`,
        );
      const { runbook, description, ...rest } = a;
      const created = new CloudwatchMetricAlarm(this, idPart, {
        ...rest,
        provider,
        alarmDescription: describeAlarm(description, runbook),
        alarmActions: [props.topicArn],
        okActions: [props.topicArn],
      });
      this.alarms.push(created);
      return created;
    };

    for (const fn of all.filter((c): c is LambdaFunction => c instanceof LambdaFunction)) {
      const name = literal(fn.functionNameInput, fn.functionName);
      const short = name.startsWith(`${names.prefix}-`) ? name.slice(names.prefix.length + 1) : name;
      const accountSync = name === names.functionName("account-sync");
      const base = {
        namespace: "AWS/Lambda",
        dimensions: { FunctionName: name },
        ...ANY_EVENT_IN_5_MINUTES,
      };
      alarm(`fn-${short}-errors`, fn.provider, {
        ...base,
        alarmName: `${name}-errors`,
        metricName: "Errors",
        description: accountSync
          ? `account-sync failed: the accounts table may miss new or moved accounts (Lambda Errors of ${name})`
          : `The function ${name} failed (Lambda Errors)`,
        runbook: accountSync ? RUNBOOKS.accountSyncErrors : RUNBOOKS.functionErrors,
      });
      alarm(`fn-${short}-throttles`, fn.provider, {
        ...base,
        alarmName: `${name}-throttles`,
        metricName: "Throttles",
        description: `Invocations of ${name} were throttled (Lambda Throttles; its reserved concurrency is reached)`,
        runbook: RUNBOOKS.functionThrottles,
      });
    }

    for (const q of all.filter((c): c is SqsQueue => c instanceof SqsQueue)) {
      const name = literal(q.nameInput, q.name);
      const metric = { namespace: "AWS/SQS", dimensions: { QueueName: name } };
      if (name.endsWith("-dlq")) {
        alarm(`queue-${name}-messages`, q.provider, {
          ...metric,
          ...ANY_MESSAGE_IN_5_MINUTES,
          alarmName: `${name}-messages`,
          metricName: "ApproximateNumberOfMessagesVisible",
          description: `Failed messages or events wait in the dead-letter queue ${name}`,
          runbook: RUNBOOKS.dlqMessages,
        });
      } else {
        alarm(`queue-${name}-age`, q.provider, {
          ...metric,
          alarmName: `${name}-oldest-message-age`,
          metricName: "ApproximateAgeOfOldestMessage",
          statistic: "Maximum",
          period: 300,
          evaluationPeriods: 1,
          threshold: sourceQueueAgeThreshold(q),
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          description: `A message of ${name} waits longer than its consumer's retries allow (ApproximateAgeOfOldestMessage)`,
          runbook: RUNBOOKS.queueAge,
        });
      }
    }

    for (const rule of all.filter((c): c is CloudwatchEventRule => c instanceof CloudwatchEventRule)) {
      const name = literal(rule.nameInput, rule.name);
      const bus = busName(rule.eventBusNameInput);
      alarm(`rule-${name}-failed`, rule.provider, {
        alarmName: `${name}-failed-invocations`,
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        // A custom bus's rule metrics carry EventBusName too; the default bus's only RuleName.
        dimensions: bus ? { EventBusName: bus, RuleName: name } : { RuleName: name },
        ...ANY_EVENT_IN_5_MINUTES,
        description: `Targets of the rule ${name} failed permanently (EventBridge FailedInvocations)`,
        runbook: RUNBOOKS.ruleFailures,
      });
    }

    for (const api of all.filter((c): c is Apigatewayv2Api => c instanceof Apigatewayv2Api)) {
      const apiName = literal(api.nameInput, "api");
      const dimensions = { ApiId: api.id, Stage: "$default" };
      alarm(`api-${apiName}-5xx`, api.provider, {
        alarmName: `${apiName}-5xx`,
        namespace: "AWS/ApiGateway",
        metricName: "5xx",
        dimensions,
        ...ANY_EVENT_IN_5_MINUTES,
        description: `The HTTP API ${apiName} answered with server errors (5xx)`,
        runbook: RUNBOOKS.api5xx,
      });
      alarm(`api-${apiName}-latency`, api.provider, {
        alarmName: `${apiName}-latency-p99`,
        namespace: "AWS/ApiGateway",
        metricName: "Latency",
        dimensions,
        extendedStatistic: "p99",
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: props.settings.apiLatencyP99Ms,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        description: `The HTTP API ${apiName}'s p99 latency stayed above ${props.settings.apiLatencyP99Ms} ms for 15 minutes (monitoring.alarms.apiLatencyP99Ms)`,
        runbook: RUNBOOKS.apiLatency,
      });
    }

    const curIngest = all.find(
      (c): c is LambdaFunction =>
        c instanceof LambdaFunction && c.functionNameInput === names.functionName("cur-ingest"),
    );
    if (curIngest) {
      const dimensions = { [APP_METRICS_SERVICE_DIMENSION]: "cur-ingest" };
      alarm("cur-ingest-failed", curIngest.provider, {
        alarmName: `${names.prefix}-cur-ingest-failed`,
        namespace: APP_METRICS_NAMESPACE,
        metricName: CUR_INGEST_METRICS.ingestFailed,
        dimensions,
        ...ANY_EVENT_IN_5_MINUTES,
        description:
          "cur-ingest could not ingest a CUR delivery (IngestFailed); the manifest message is retried, then kept in its DLQ",
        runbook: RUNBOOKS.ingestFailed,
      });
      const hours = props.settings.curStaleHours;
      alarm("cur-stale", curIngest.provider, {
        alarmName: `${names.prefix}-cur-stale`,
        namespace: APP_METRICS_NAMESPACE,
        metricName: CUR_INGEST_METRICS.deliveriesCommitted,
        dimensions,
        statistic: "Sum",
        // Hourly periods, all N breaching: an hour with one committed delivery keeps it OK. No data
        // (no run at all) is breaching: silence is what this alarm is for.
        period: 3600,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        description: `No new CUR delivery was committed for ${hours} hours (DeliveriesCommitted; monitoring.alarms.curStaleHours)`,
        runbook: RUNBOOKS.curStale,
      });
    }

    // stackset mode: the scheduled drift detection's two metrics (functions/stackset-drift), one
    // data point per run every 12 hours; a run that does not happen is the function's error alarm.
    const drift = all.find(
      (c): c is LambdaFunction =>
        c instanceof LambdaFunction && c.functionNameInput === names.functionName("stackset-drift"),
    );
    if (drift) {
      const dimensions = {
        [APP_METRICS_SERVICE_DIMENSION]: "stackset-drift",
        StackSet: names.baselineStackSet,
      };
      const common = {
        namespace: APP_METRICS_NAMESPACE,
        dimensions,
        statistic: "Maximum",
        period: 43200,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
      } as const;
      alarm("stackset-drift", drift.provider, {
        ...common,
        alarmName: `${names.prefix}-stackset-drift`,
        metricName: STACKSET_DRIFT_METRICS.driftedInstances,
        description:
          "The last StackSet drift detection found member baseline stack instances changed outside CloudFormation (DriftedStackInstances)",
        runbook: RUNBOOKS.stacksetDrift,
      });
      alarm("stackset-drift-detection-failed", drift.provider, {
        ...common,
        alarmName: `${names.prefix}-stackset-drift-detection-failed`,
        metricName: STACKSET_DRIFT_METRICS.detectionFailed,
        description:
          "The last StackSet drift detection ended FAILED or STOPPED, so its result is incomplete (DriftDetectionFailed)",
        runbook: RUNBOOKS.stacksetDriftFailed,
      });
    }

    new CloudwatchLogMetricFilter(this, "member-alarms-filter", {
      provider: props.provider,
      name: `${names.prefix}-member-alarms`,
      logGroupName: props.centralLogGroupName,
      pattern: memberAlarmPattern(names),
      metricTransformation: {
        name: MEMBER_ALARMS_METRIC,
        namespace: names.baselineMetricsNamespace,
        value: "1",
        unit: "Count",
        defaultValue: "0",
      },
    });
    new CloudwatchQueryDefinition(this, "member-alarms-query", {
      provider: props.provider,
      name: `${names.prefix}/monitoring/member-alarms`,
      logGroupNames: [props.centralLogGroupName],
      queryString: MEMBER_ALARMS_QUERY,
    });
    alarm("member-alarms", props.provider, {
      alarmName: `${names.prefix}-member-alarms`,
      namespace: names.baselineMetricsNamespace,
      metricName: MEMBER_ALARMS_METRIC,
      ...ANY_EVENT_IN_5_MINUTES,
      description:
        "A member account's baseline alarm (forwarder failures or forwarder DLQ messages) entered ALARM; see the saved query member-alarms",
      runbook: RUNBOOKS.memberAlarms,
    });
  }
}

/**
 * The EventBusName dimension of a rule's bus: rules name their bus by name or ARN; the metric
 * carries the name, and none for the default bus.
 */
export function busName(bus: string | undefined): string | undefined {
  if (bus === undefined) return undefined;
  const name = bus.startsWith("arn:") ? bus.slice(bus.indexOf(":event-bus/") + ":event-bus/".length) : bus;
  return name === "default" ? undefined : name;
}

/**
 * Seconds a message of a source queue may reasonably wait: every receive its redrive policy
 * allows (3 without one), each up to the visibility timeout, plus 15 minutes.
 */
export function sourceQueueAgeThreshold(q: SqsQueue): number {
  const visibility =
    typeof q.visibilityTimeoutSecondsInput === "number" ? q.visibilityTimeoutSecondsInput : 30;
  // The redrive policy is JSON with a token for the DLQ's ARN: read maxReceiveCount from the text.
  const found = /"maxReceiveCount":\s*(\d+)/.exec(q.redrivePolicyInput ?? "");
  const receives = found ? Number(found[1]) : 3;
  return visibility * receives + 900;
}
