import { Names } from "../../config/naming";
import type { MemberAccount } from "../../config/schema";
import {
  accountAdministersKeyStatement,
  type PolicyDocument,
  type PolicyStatement,
  serviceKeyUseStatement,
  serviceTrustStatement,
} from "../../contracts/iam-policy";
import { ANY_EVENT_IN_5_MINUTES, ANY_MESSAGE_IN_5_MINUTES } from "./alarm-presets";
import { type BudgetAlertPath, budgetAlertPath } from "./budget-alerts";
import { describeAlarm, RUNBOOKS } from "./runbooks";

/**
 * The member monitoring baseline, defined once. Both renderers read this description:
 * - direct mode: `MemberBaseline` (Terraform resources in each member stack, per region);
 * - stackset mode: `baselineTemplate` (the CloudFormation template of the service-managed stack set).
 * Account ids appear as `accountId`: the Terraform renderer passes the member's id, the template
 * renderer passes "${AWS::AccountId}" and wraps such strings in Fn::Sub.
 */

/** Placeholder the template renderer uses for the deploying account. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder, not a JS template
export const CFN_ACCOUNT_ID = "${AWS::AccountId}";

export interface BaselineRule {
  /** Part of the rule name and of the construct/logical id: finops-baseline-<kind>. */
  readonly kind: string;
  readonly description: string;
  /** Exactly one of eventPattern and scheduleExpression. */
  readonly eventPattern?: Record<string, unknown>;
  readonly scheduleExpression?: string;
}

export interface NamedBaselineRule extends BaselineRule {
  readonly name: string;
}

export interface BaselineRole {
  /** Construct/logical id part. */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly assumeRolePolicy: PolicyDocument;
  readonly inlinePolicyName: string;
  readonly inlinePolicy: PolicyDocument;
  readonly maxSessionSeconds: number;
}

export interface BaselineDashboard {
  readonly name: string;
  /** CloudWatch dashboard body (JSON). */
  readonly body: string;
}

export interface BaselineBudget {
  readonly name: string;
  readonly monthlyUsd: number;
  readonly notifications: readonly {
    readonly type: "ACTUAL" | "FORECASTED";
    readonly thresholdPercent: number;
  }[];
  /** Email subscribers of every notification (AWS allows up to 10 besides the one SNS topic). */
  readonly subscribers: readonly string[];
  /** The account's budget-alerts topic: every notification's SNS subscriber. */
  readonly snsTopicArn: string;
}

/**
 * The forwarders' dead-letter queue, one per region: the events a forwarder target (a rule's
 * central-bus target) could not deliver after its retry policy. Encrypted with a customer-managed
 * key of the account and region, whose policy lets EventBridge of this account use it (EventBridge
 * can write into a queue encrypted with a customer-managed key whose policy allows it, not with the
 * AWS-managed aws/sqs key: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
 */
export interface BaselineForwarderDlq {
  readonly queueName: string;
  readonly keyAlias: string;
  readonly keyDescription: string;
  readonly keyPolicy: PolicyStatement[];
  /** 14 days, the SQS maximum: time to find the cause and redrive. */
  readonly messageRetentionSeconds: number;
  /** ARN of the queue in `region` (the template passes "${AWS::Region}"). */
  queueArn(region: string): string;
  /** The queue's policy in `region`: only the baseline's rules of this account and region may send. */
  queuePolicy(region: string): PolicyStatement[];
}

/** EventBridge's retry policy of every forwarder target (RetryPolicy of PutTargets). */
export interface ForwarderRetryPolicy {
  readonly maximumEventAgeInSeconds: number;
  readonly maximumRetryAttempts: number;
}

/**
 * Events stay retryable for 6 hours (EventBridge allows 60 s to 24 h) with up to 185 attempts (its
 * maximum; the event age bounds them first). Errors EventBridge does not retry (the bus policy or
 * the role refusing) go to the DLQ at once.
 */
export const FORWARDER_RETRY_POLICY: ForwarderRetryPolicy = {
  maximumEventAgeInSeconds: 6 * 3600,
  maximumRetryAttempts: 185,
};

/** One metric of an alarm (a CloudWatch metric; the alarm sets its statistic and period). */
export interface AlarmMetric {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * An alarm described once for its renderers: Terraform (member-baseline.ts alarmConfig, for the
 * member baseline in direct mode and the payer's Organizations events forwarding) and CloudFormation
 * (template.ts, the stack set's template).
 */
export interface AlarmSpec {
  /** Construct/logical id part. */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly metrics: readonly AlarmMetric[];
  /** A metric math expression over `metrics` (which then return no data themselves). */
  readonly expression?: { readonly id: string; readonly expression: string; readonly label: string };
  /** The statistic of every metric. */
  readonly statistic: string;
  /** Seconds of every metric's period. */
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold";
  readonly treatMissingData: "notBreaching";
}

/**
 * An alarm of the member baseline, the same in every region. It has no action: a member cannot
 * publish to the admin's alerts topic (another account, and only one region); its state changes
 * reach the central bus through the baseline's `alarms` rule, where the central member-alarms alarm
 * pages (modules/monitoring/alarms.ts, docs/operations.md).
 */
export interface BaselineAlarm extends AlarmSpec {
  /** What the alarm watches: a forwarder (by rule kind) or the forwarders' DLQ. */
  readonly watches: { readonly ruleKind: string } | { readonly queueName: string };
}

/** What lands in one member account, region by region. */
export interface Baseline {
  /** The bus every rule forwards to (the admin's central bus). */
  readonly centralBusArn: string;
  /** Rules on the default bus of every region; each targets the central bus through the forwarder role. */
  readonly rules: readonly NamedBaselineRule[];
  /** Every rule's central-bus target: its retry policy; what fails after it goes to forwarderDlq. */
  readonly retryPolicy: ForwarderRetryPolicy;
  readonly forwarderDlq: BaselineForwarderDlq;
  /** Per region: one forward-failures alarm per rule, and the DLQ's visible messages. */
  readonly alarms: readonly BaselineAlarm[];
  /** Global resources, created once per account (in the baseline's primary region). */
  readonly forwarderRole: BaselineRole;
  readonly readOnlyRole: BaselineRole;
  readonly dashboard: BaselineDashboard;
  /** Differs per account, so it stays in the member's Terraform stack in both modes (primary region). */
  readonly budget?: BaselineBudget;
  /**
   * With a budget: the topic its notifications go to and the subscription that carries them to the
   * central queue. Terraform in both modes, next to the budget it serves (primary region).
   */
  readonly budgetAlerts?: BudgetAlertPath;
}

/** How often every member region proves that its forwarding works. */
export const HEARTBEAT_SCHEDULE = "rate(15 minutes)";
export const HEARTBEAT_PERIOD_SECONDS = 15 * 60;

/** The rules of the baseline; the central side's metric filters rely on these patterns. */
export const BASELINE_RULES: readonly BaselineRule[] = [
  {
    kind: "cloudformation",
    description: "Forwards CloudFormation stack status changes to the central FinOps monitoring bus",
    eventPattern: { source: ["aws.cloudformation"], "detail-type": ["CloudFormation Stack Status Change"] },
  },
  {
    kind: "health",
    description: "Forwards AWS Health events to the central FinOps monitoring bus",
    eventPattern: { source: ["aws.health"] },
  },
  {
    // Cost Anomaly Detection publishes "Anomaly Detected" to EventBridge (source aws.ce,
    // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ce.html). AWS Budgets does not
    // publish its threshold alerts to EventBridge (only CloudTrail API calls, events-ref-budgets.html):
    // they reach the central bus through the budget-alerts topic (./budget-alerts.ts).
    kind: "cost-alerts",
    description:
      "Forwards Cost Anomaly Detection anomalies (aws.ce, Anomaly Detected) to the central FinOps monitoring bus",
    eventPattern: { source: ["aws.ce"], "detail-type": ["Anomaly Detected"] },
  },
  {
    kind: "heartbeat",
    description:
      "Sends a scheduled heartbeat to the central FinOps monitoring bus, so a silent account raises an alarm",
    scheduleExpression: HEARTBEAT_SCHEDULE,
  },
];

/** Kind of the rule that forwards the baseline alarms' state changes to the central bus. */
export const ALARM_STATE_RULE_KIND = "alarms";

/** Every baseline alarm's name starts with this (the `alarms` rule matches it). */
export function baselineAlarmPrefix(names: Names): string {
  return `${names.baselineRule("")}`;
}

/**
 * The rule that carries the baseline alarms' state changes to the central bus. CloudWatch sends an
 * event to EventBridge whenever an alarm changes state and guarantees its delivery
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html:
 * source aws.cloudwatch, detail-type "CloudWatch Alarm State Change", detail.alarmName).
 */
export function alarmStateRule(names: Names): BaselineRule {
  return {
    kind: ALARM_STATE_RULE_KIND,
    description:
      "Forwards the state changes of this account's FinOps baseline alarms to the central FinOps monitoring bus",
    eventPattern: {
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: { alarmName: [{ prefix: baselineAlarmPrefix(names) }] },
    },
  };
}

/** Every rule of the baseline: the fixed ones and the alarm-state rule, with their names. */
export function baselineRules(names: Names): NamedBaselineRule[] {
  return [...BASELINE_RULES, alarmStateRule(names)].map((r) => ({ ...r, name: names.baselineRule(r.kind) }));
}

/** Name of the forwarders' DLQ (one per region) and of its key's alias. */
export function forwarderDlqName(names: Names): string {
  return names.baselineRule("forwarder-dlq");
}

/** A forwarders' dead-letter queue keeps events 14 days, the SQS maximum: time to find the cause and redrive. */
export const FORWARDER_DLQ_RETENTION_SECONDS = 1_209_600;

/**
 * The key policy of a forwarders' dead-letter queue (the members' and the payer's): the account
 * administers the key and IAM grants its use; EventBridge of this account may encrypt with it, as it
 * must to write into a queue encrypted with a customer-managed key (eb-rule-dlq.html).
 */
export function forwarderDlqKeyPolicy(accountId: string): PolicyStatement[] {
  return [
    accountAdministersKeyStatement(accountId),
    serviceKeyUseStatement(
      "EventBridgeOfThisAccountIntoTheDlq",
      "events.amazonaws.com",
      ["kms:GenerateDataKey", "kms:Decrypt"],
      { StringEquals: { "aws:SourceAccount": accountId } },
    ),
  ];
}

function forwarderDlq(names: Names, accountId: string): BaselineForwarderDlq {
  const queueName = forwarderDlqName(names);
  const queueArn = (region: string) => `arn:aws:sqs:${region}:${accountId}:${queueName}`;
  return {
    queueName,
    keyAlias: `alias/${queueName}`,
    keyDescription:
      "Encrypts the FinOps baseline forwarders' dead-letter queue (EventBridge writes undeliverable events into it)",
    keyPolicy: forwarderDlqKeyPolicy(accountId),
    messageRetentionSeconds: FORWARDER_DLQ_RETENTION_SECONDS,
    queueArn,
    queuePolicy: (region) => [
      {
        Sid: "BaselineRulesOfThisAccountSendUndeliveredEvents",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn(region),
        Condition: {
          ArnEquals: {
            "aws:SourceArn": baselineRules(names).map(
              (r) => `arn:aws:events:${region}:${accountId}:rule/${r.name}`,
            ),
          },
        },
      },
    ],
  };
}

/**
 * A forwarder's delivery failures: EventBridge's metrics of a rule's target (AWS/Events, dimension
 * RuleName on the default bus; each sent only when not zero:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html), by metric math id.
 */
export const FORWARDER_FAILURE_METRICS = {
  failed: "FailedInvocations",
  dlq: "InvocationsSentToDlq",
  dlqfailed: "InvocationsFailedToBeSentToDlq",
} as const;

export type ForwarderFailureMetric = keyof typeof FORWARDER_FAILURE_METRICS;

/**
 * The alarm on a forwarder (a rule whose target is the central bus, in a member or the payer): any
 * event its target did not deliver (failed, sent to or failed to reach its DLQ) in 5 minutes. It sums
 * every failure metric (metric math) unless `only` names one. `what` says what went wrong; the
 * forwarder-failures runbook follows it.
 */
export function forwarderFailureAlarm(a: {
  readonly key: string;
  readonly name: string;
  readonly what: string;
  readonly ruleName: string;
  readonly only?: ForwarderFailureMetric;
}): AlarmSpec {
  const metric = (id: ForwarderFailureMetric): AlarmMetric => ({
    id,
    namespace: "AWS/Events",
    metricName: FORWARDER_FAILURE_METRICS[id],
    dimensions: { RuleName: a.ruleName },
  });
  const common = {
    key: a.key,
    name: a.name,
    description: describeAlarm(a.what, RUNBOOKS.forwarderFailures),
    ...ANY_EVENT_IN_5_MINUTES,
  };
  if (a.only) return { ...common, metrics: [metric(a.only)] };
  const ids = Object.keys(FORWARDER_FAILURE_METRICS) as ForwarderFailureMetric[];
  return {
    ...common,
    metrics: ids.map(metric),
    expression: { id: "undelivered", expression: `SUM([${ids.join(", ")}])`, label: "Undelivered events" },
  };
}

/**
 * The alarm on a forwarders' dead-letter queue: any undelivered event waiting in it (AWS/SQS
 * ApproximateNumberOfMessagesVisible, dimension QueueName:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
 * `what` says what waits; the forwarder-dlq-messages runbook follows it.
 */
export function forwarderDlqAlarm(a: {
  readonly key: string;
  readonly name: string;
  readonly what: string;
  readonly queueName: string;
}): AlarmSpec {
  return {
    key: a.key,
    name: a.name,
    description: describeAlarm(a.what, RUNBOOKS.forwarderDlqMessages),
    metrics: [
      {
        id: "visible",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: a.queueName },
      },
    ],
    ...ANY_MESSAGE_IN_5_MINUTES,
  };
}

/** The baseline's alarms: per rule, its forwarder's failures; and the forwarders' DLQ's messages. */
function baselineAlarms(names: Names): BaselineAlarm[] {
  const perRule = baselineRules(names).map(
    (rule): BaselineAlarm => ({
      ...forwarderFailureAlarm({
        key: `${rule.kind}-forward-failed`,
        name: `${rule.name}-forward-failed`,
        what: `Events of ${rule.name} did not reach the central bus (failed, sent to or failed to reach the forwarders' DLQ)`,
        ruleName: rule.name,
      }),
      watches: { ruleKind: rule.kind },
    }),
  );
  const queueName = forwarderDlqName(names);
  return [
    ...perRule,
    {
      ...forwarderDlqAlarm({
        key: "forwarder-dlq-messages",
        name: `${queueName}-messages`,
        what: `Undelivered baseline events wait in ${queueName}`,
        queueName,
      }),
      watches: { queueName },
    },
  ];
}

/** Read-only FinOps actions of the member role. Cost Explorer reads have no resource-level permissions. */
export const READ_ONLY_ACTIONS_ANY_RESOURCE = [
  "ce:GetCostAndUsage",
  "ce:GetCostForecast",
  "ce:GetDimensionValues",
  "ce:GetTags",
] as const;

function doc(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export interface BaselineInput {
  readonly names: Names;
  /** The member's id, or CFN_ACCOUNT_ID in the template. */
  readonly accountId: string;
  /** Regions the dashboard shows. */
  readonly regions: readonly string[];
  /** Only in direct mode (Terraform): the member whose budget this is. */
  readonly member?: MemberAccount;
}

export function memberBaseline({ names, accountId, regions, member }: BaselineInput): Baseline {
  const busArn = names.centralBusArn;
  const forwarderRole: BaselineRole = {
    key: "forwarder",
    name: names.baselineForwarderRole,
    description:
      "EventBridge forwards this account's baseline events to the central FinOps bus (PutEvents only)",
    assumeRolePolicy: doc([
      serviceTrustStatement("events.amazonaws.com", {
        sid: "EventBridgeOfThisAccount",
        sourceAccount: accountId,
      }),
    ]),
    inlinePolicyName: "put-events-central-bus",
    inlinePolicy: doc([
      { Sid: "PutEventsOnTheCentralBusOnly", Effect: "Allow", Action: "events:PutEvents", Resource: busArn },
    ]),
    maxSessionSeconds: 3600,
  };
  const readOnlyRole: BaselineRole = {
    key: "readonly",
    name: names.memberReadOnlyRole,
    description: "Read-only FinOps access for the delegated-admin account's named FinOps roles",
    assumeRolePolicy: doc([
      {
        Sid: "AdminFinOpsRolesOnly",
        Effect: "Allow",
        // The admin's root with the exact roles pinned: the roles need not exist when this is created.
        Principal: { AWS: Names.accountRoot(names.adminAccountId) },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": names.memberReadOnlyTrustedRoles },
          StringEquals: { "sts:ExternalId": names.memberReadOnlyExternalId },
        },
      },
    ]),
    inlinePolicyName: "finops-read",
    inlinePolicy: doc([
      {
        Sid: "CostExplorerReads",
        Effect: "Allow",
        Action: [...READ_ONLY_ACTIONS_ANY_RESOURCE],
        Resource: "*",
      },
      {
        Sid: "BudgetsOfThisAccount",
        Effect: "Allow",
        Action: ["budgets:ViewBudget", "budgets:DescribeBudgetActionsForBudget"],
        Resource: `arn:aws:budgets::${accountId}:budget/*`,
      },
      {
        Sid: "StacksOfThisAccount",
        Effect: "Allow",
        Action: ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"],
        Resource: `arn:aws:cloudformation:*:${accountId}:stack/*`,
      },
    ]),
    maxSessionSeconds: 3600,
  };
  const budgetAlerts = member?.budget ? budgetAlertPath(names, accountId, regions[0]!) : undefined;
  return {
    centralBusArn: busArn,
    rules: baselineRules(names),
    retryPolicy: FORWARDER_RETRY_POLICY,
    forwarderDlq: forwarderDlq(names, accountId),
    alarms: baselineAlarms(names),
    forwarderRole,
    readOnlyRole,
    dashboard: { name: names.memberDashboard, body: dashboardBody(names, regions) },
    budget: member?.budget && budgetAlerts ? memberBudget(names, member, budgetAlerts.topicArn) : undefined,
    budgetAlerts,
  };
}

function dashboardBody(names: Names, regions: readonly string[]): string {
  // Per region, two graphs of an EventBridge metric of every forwarding rule (AWS/Events, RuleName).
  const rulesGraph = (x: number, y: number, title: string, region: string, metricName: string) => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: {
      title: `${title} (${region})`,
      region,
      stat: "Sum",
      period: 300,
      view: "timeSeries",
      metrics: BASELINE_RULES.map((r) => ["AWS/Events", metricName, "RuleName", names.baselineRule(r.kind)]),
    },
  });
  const widgets = regions.flatMap((region, i) => [
    rulesGraph(0, i * 6, "Baseline events forwarded", region, "Invocations"),
    rulesGraph(12, i * 6, "Failed forwards", region, "FailedInvocations"),
  ]);
  return JSON.stringify({ widgets });
}

/** Notifications of every member budget: actual at 80 % and 100 %, forecast at 100 %. */
export const BUDGET_NOTIFICATIONS = [
  { type: "ACTUAL", thresholdPercent: 80 },
  { type: "ACTUAL", thresholdPercent: 100 },
  { type: "FORECASTED", thresholdPercent: 100 },
] as const;

function memberBudget(names: Names, member: MemberAccount, snsTopicArn: string): BaselineBudget {
  const budget = member.budget!;
  const ownerEmail = /^[^@\s]+@[^@\s]+$/.test(member.owner) ? [member.owner] : [];
  return {
    name: `${names.prefix}-${member.name}-monthly`,
    monthlyUsd: budget.monthlyUsd,
    notifications: BUDGET_NOTIFICATIONS,
    subscribers: [...new Set([...budget.notify, ...ownerEmail])],
    snsTopicArn,
  };
}
