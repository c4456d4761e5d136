import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CloudwatchQueryDefinition } from "@cdktf/provider-aws/lib/cloudwatch-query-definition";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { policyDocument } from "../../contracts/iam-policy";
import { STACKSET_METRICS } from "../../contracts/metrics";
import { keyPolicyStatements } from "../security/keys";
import { ANY_EVENT_IN_5_MINUTES } from "./alarm-presets";
import { BASELINE_RULES, HEARTBEAT_PERIOD_SECONDS } from "./baseline";
import { describeAlarm, RUNBOOKS } from "./runbooks";

/** CloudFormation stack statuses that mean a stack operation failed (rolled back or stuck). */
export const FAILED_STACK_STATUSES = [
  "CREATE_FAILED",
  "UPDATE_FAILED",
  "DELETE_FAILED",
  "ROLLBACK_COMPLETE",
  "ROLLBACK_FAILED",
  "UPDATE_ROLLBACK_COMPLETE",
  "UPDATE_ROLLBACK_FAILED",
  "IMPORT_ROLLBACK_COMPLETE",
  "IMPORT_ROLLBACK_FAILED",
] as const;

const STATUS_FIELD = "$.detail.status-details.status";

/** Metric filter pattern of a failed stack operation forwarded by a member's cloudformation rule. */
export const FAILED_STACK_PATTERN = `{ $.source = "aws.cloudformation" && (${FAILED_STACK_STATUSES.map(
  (s) => `${STATUS_FIELD} = "${s}"`,
).join(" || ")}) }`;

/** Metric filter pattern of a member heartbeat (the baseline's scheduled rule). */
export const HEARTBEAT_PATTERN = '{ $.source = "aws.events" && $.detail-type = "Scheduled Event" }';

/** Saved Logs Insights queries over the central events log group, by name suffix. */
export const SAVED_QUERIES: Readonly<Record<string, string>> = {
  "recent-events-by-account-and-region": [
    "fields @timestamp, account, region, source, `detail-type`",
    "| stats count(*) as events, latest(@timestamp) as last_seen by account, region, source",
    "| sort last_seen desc",
    "| limit 500",
  ].join("\n"),
  "failed-stack-operations": [
    "fields @timestamp, account, region, `detail.stack-id` as stack, `detail.status-details.status` as status, `detail.status-details.status-reason` as reason",
    '| filter source = "aws.cloudformation"',
    `| filter status in [${FAILED_STACK_STATUSES.map((s) => `"${s}"`).join(", ")}]`,
    "| sort @timestamp desc",
    "| limit 200",
  ].join("\n"),
  "stack-status-breakdown": [
    "fields `detail.status-details.status` as status",
    '| filter source = "aws.cloudformation"',
    "| stats count(*) as changes by status, account",
    "| sort changes desc",
  ].join("\n"),
};

export interface CentralMonitoringProps {
  /** Refuse plans that destroy the key and the events log group. @default true */
  readonly preventDestroy?: boolean;
  readonly names: Names;
  /** Provider of the admin account in the organization's home region (where the bus lives). */
  readonly provider: AwsProvider;
  readonly region: string;
  readonly accountId: string;
  /** monitoring.logRetentionDays. */
  readonly logRetentionDays: number;
  /**
   * encryption.keys.monitoring: a supplied key (ARN, in this region) for the events log group and
   * the alerts topic; no key, key policy or alias is created then. @default a new customer-managed key
   */
  readonly kmsKeyArn?: string;
  /** monitoring.alertEmail. @default no subscription */
  readonly alertEmail?: string;
  /** Alarm when the StackSet operations success rate (percent) falls below this. @default 100 */
  readonly successRateThresholdPercent?: number;
}

/**
 * The admin account's side of the monitoring baseline: the central bus that admits the whole
 * organization (aws:PrincipalOrgID, read from the Organizations API by a data source: adding an
 * account never changes this stack), a KMS-encrypted log group that receives every event, saved
 * queries, metric filters and alarms (failed stack operations, missing heartbeats, StackSet success
 * rate), a dashboard and a KMS-encrypted alerts topic. The key of the `monitoring` domain is
 * created here unless the config supplies one (docs/security.md, "Encryption").
 */
export class CentralMonitoring extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly logGroup: CloudwatchLogGroup;
  /** The created key; undefined when encryption.keys.monitoring supplies one. */
  readonly key?: KmsKey;
  /** ARN of the key of the log group and the topic: the supplied one or the created key's. */
  readonly keyArn: string;
  readonly topic: SnsTopic;
  readonly organization: DataAwsOrganizationsOrganization;
  readonly alarms: Record<
    "failedStackOperations" | "missingHeartbeats" | "stackSetSuccessRate",
    CloudwatchMetricAlarm
  >;

  constructor(scope: Construct, id: string, props: CentralMonitoringProps) {
    super(scope, id);
    const { names, provider, region, accountId } = props;
    const logGroupArn = `arn:aws:logs:${region}:${accountId}:log-group:${names.centralEventsLogGroup}`;

    this.organization = new DataAwsOrganizationsOrganization(this, "organization", { provider });

    if (props.kmsKeyArn !== undefined) {
      this.keyArn = props.kmsKeyArn;
    } else {
      const key = new KmsKey(this, "key", {
        provider,
        description: "Encrypts the central FinOps monitoring log group and alerts topic",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        lifecycle: { preventDestroy: props.preventDestroy ?? true },
        // The central log group only (a supplied key may allow every log group of the account).
        policy: policyDocument(
          keyPolicyStatements("monitoring", accountId, region, { logGroupArns: logGroupArn }),
        ),
      });
      new KmsAlias(this, "key-alias", {
        provider,
        name: `alias/${names.prefix}-monitoring`,
        targetKeyId: key.keyId,
      });
      this.key = key;
      this.keyArn = key.arn;
    }

    this.logGroup = new CloudwatchLogGroup(this, "events-log-group", {
      provider,
      name: names.centralEventsLogGroup,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: this.keyArn,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });

    this.bus = new CloudwatchEventBus(this, "bus", { provider, name: names.centralBusName });
    new CloudwatchEventBusPolicy(this, "bus-policy", {
      provider,
      eventBusName: this.bus.name,
      policy: policyDocument([
        {
          Sid: "OrganizationPutsEvents",
          Effect: "Allow",
          Principal: "*",
          Action: "events:PutEvents",
          Resource: names.centralBusArn,
          Condition: { StringEquals: { "aws:PrincipalOrgID": this.organization.id } },
        },
      ]),
    });

    const toLogs = new CloudwatchEventRule(this, "all-events-rule", {
      provider,
      name: `${names.prefix}-central-to-logs`,
      description: "Every event on the central bus goes to the central events log group",
      eventBusName: this.bus.name,
      // Matches every event: each has a source.
      eventPattern: JSON.stringify({ source: [{ prefix: "" }] }),
    });
    new CloudwatchEventTarget(this, "all-events-target", {
      provider,
      rule: toLogs.name,
      eventBusName: this.bus.name,
      targetId: "central-log-group",
      arn: logGroupArn,
    });
    new CloudwatchLogResourcePolicy(this, "log-group-policy", {
      provider,
      policyName: `${names.prefix}-central-events-delivery`,
      policyDocument: policyDocument([
        {
          Sid: "EventBridgeWritesTheCentralLogGroup",
          Effect: "Allow",
          Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroupArn}:*`,
          Condition: { ArnEquals: { "aws:SourceArn": toLogs.arn } },
        },
      ]),
    });

    for (const [name, query] of Object.entries(SAVED_QUERIES)) {
      new CloudwatchQueryDefinition(this, `query-${name}`, {
        provider,
        name: `${names.prefix}/monitoring/${name}`,
        logGroupNames: [names.centralEventsLogGroup],
        queryString: query,
        dependsOn: [this.logGroup],
      });
    }

    const ns = names.baselineMetricsNamespace;
    const filters: Array<{ id: string; metric: string; pattern: string; byAccount: boolean }> = [
      {
        id: "failed-stack-operations",
        metric: "FailedStackOperations",
        pattern: FAILED_STACK_PATTERN,
        byAccount: false,
      },
      {
        id: "failed-stack-operations-by-account",
        metric: "FailedStackOperationsByAccount",
        pattern: FAILED_STACK_PATTERN,
        byAccount: true,
      },
      { id: "heartbeats", metric: "Heartbeats", pattern: HEARTBEAT_PATTERN, byAccount: true },
    ];
    for (const f of filters) {
      new CloudwatchLogMetricFilter(this, `filter-${f.id}`, {
        provider,
        name: `${names.prefix}-${f.id}`,
        logGroupName: this.logGroup.name,
        pattern: f.pattern,
        metricTransformation: {
          name: f.metric,
          namespace: ns,
          value: "1",
          unit: "Count",
          ...(f.byAccount ? { dimensions: { Account: "$.account" } } : { defaultValue: "0" }),
        },
      });
    }

    this.topic = new SnsTopic(this, "alerts-topic", {
      provider,
      name: names.monitoringAlertsTopic,
      kmsMasterKeyId: this.keyArn,
    });
    if (props.alertEmail) {
      new SnsTopicSubscription(this, "alerts-email", {
        provider,
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.alertEmail,
      });
    }

    const alarm = (
      idPart: string,
      c: Omit<
        ConstructorParameters<typeof CloudwatchMetricAlarm>[2],
        "provider" | "alarmName" | "alarmActions" | "okActions"
      >,
    ) =>
      new CloudwatchMetricAlarm(this, `alarm-${idPart}`, {
        provider,
        alarmName: `${names.prefix}-${idPart}`,
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        ...c,
      });
    this.alarms = {
      failedStackOperations: alarm("failed-stack-operations", {
        alarmDescription: describeAlarm(
          "A member's CloudFormation stack operation failed or rolled back (see the saved query)",
          RUNBOOKS.failedStackOperations,
        ),
        namespace: ns,
        metricName: "FailedStackOperations",
        ...ANY_EVENT_IN_5_MINUTES,
      }),
      missingHeartbeats: alarm("missing-heartbeats", {
        alarmDescription: describeAlarm(
          `A member region sent no baseline heartbeat for ${(2 * HEARTBEAT_PERIOD_SECONDS) / 60} minutes (computed by the StackSet monitor); no data means the monitor itself is not running`,
          RUNBOOKS.missingHeartbeats,
        ),
        namespace: names.stackSetMetricsNamespace,
        metricName: STACKSET_METRICS.missingHeartbeats,
        statistic: "Maximum",
        // The monitor runs every 15 minutes; a run that lands just past a period boundary leaves one
        // period empty. Two breaching periods out of two: a late run does not page, a stopped
        // monitor (no data, breaching) or a silent member does within 30 minutes.
        period: 900,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "breaching",
      }),
      stackSetSuccessRate: alarm("stackset-success-rate", {
        alarmDescription: describeAlarm(
          "StackSet operations of the landing are failing (success rate from the StackSet monitor)",
          RUNBOOKS.stacksetSuccessRate,
        ),
        namespace: names.stackSetMetricsNamespace,
        metricName: STACKSET_METRICS.successRate,
        statistic: "Minimum",
        period: 3600,
        evaluationPeriods: 1,
        threshold: props.successRateThresholdPercent ?? 100,
        comparisonOperator: "LessThanThreshold",
        // No operations in the hour: nothing failed.
        treatMissingData: "notBreaching",
      }),
    };

    new CloudwatchDashboard(this, "dashboard", {
      provider,
      dashboardName: names.centralDashboard,
      dashboardBody: JSON.stringify({
        widgets: [
          metricWidget(0, 0, "Failed stack operations by account", region, [
            [
              {
                expression: `SEARCH('{${ns},Account} MetricName="FailedStackOperationsByAccount"', 'Sum', 300)`,
                id: "f",
              },
            ],
          ]),
          metricWidget(12, 0, "Heartbeats by account", region, [
            [{ expression: `SEARCH('{${ns},Account} MetricName="Heartbeats"', 'Sum', 900)`, id: "h" }],
          ]),
          metricWidget(0, 6, "StackSet operations success rate (%)", region, [
            [names.stackSetMetricsNamespace, STACKSET_METRICS.successRate],
          ]),
          metricWidget(12, 6, "Accounts without heartbeat", region, [
            [names.stackSetMetricsNamespace, STACKSET_METRICS.missingHeartbeats],
          ]),
          {
            type: "alarm",
            x: 0,
            y: 12,
            width: 24,
            height: 3,
            properties: {
              title: "Baseline alarms",
              alarms: Object.values(this.alarms).map((a) => a.arn),
            },
          },
          {
            type: "text",
            x: 0,
            y: 15,
            width: 24,
            height: 2,
            properties: {
              markdown: `Member rules: ${BASELINE_RULES.map((r) => names.baselineRule(r.kind)).join(", ")}. Events: log group ${names.centralEventsLogGroup}; saved queries under ${names.prefix}/monitoring/.`,
            },
          },
        ],
      }),
    });
  }
}

function metricWidget(x: number, y: number, title: string, region: string, metrics: unknown[]) {
  return {
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: "timeSeries", stat: "Sum", period: 300, metrics },
  };
}
