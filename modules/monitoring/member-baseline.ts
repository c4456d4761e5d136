import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "../../contracts/iam-policy";
import type { AlarmSpec, Baseline, BaselineRole } from "./baseline";

export interface MemberBaselineProps {
  /** The baseline description (modules/monitoring/baseline.ts) of this account. */
  readonly baseline: Baseline;
  /** Regions of the account; the first is where global resources (roles, dashboard, budget) go. */
  readonly regions: readonly string[];
  readonly provider: (region: string) => AwsProvider;
  /**
   * all: the whole baseline (direct mode). per-account: only what differs per account, the budget
   * and its alerts topic (stackset mode, where the stack set deploys the rest). @default "all"
   */
  readonly scope?: "all" | "per-account";
  /**
   * prevent_destroy on the budget alerts key. @default the enclosing stack's protectDataStores
   * (organization.allowDataStoreDestroy), else true
   */
  readonly preventDestroy?: boolean;
}

function protectByDefault(scope: Construct): boolean {
  const stack = TerraformStack.of(scope) as TerraformStack & { protectDataStores?: unknown };
  return typeof stack.protectDataStores === "boolean" ? stack.protectDataStores : true;
}

/** The baseline as Terraform resources in one member stack (direct mode), region by region. */
export class MemberBaseline extends Construct {
  readonly forwarderRole?: IamRole;
  readonly readOnlyRole?: IamRole;
  readonly rules: CloudwatchEventRule[] = [];
  /** Per region: the forwarders' dead-letter queue. */
  readonly forwarderDlqs: SqsQueue[] = [];
  /** Per region: every baseline alarm (no action: their state changes go to the central bus). */
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly budget?: BudgetsBudget;
  /** The budget's alerts topic (with a budget, both modes). */
  readonly budgetAlertsTopic?: SnsTopic;

  constructor(scope: Construct, id: string, props: MemberBaselineProps) {
    super(scope, id);
    const { baseline } = props;
    const primary = props.regions[0]!;
    const primaryProvider = props.provider(primary);

    if (baseline.budget && baseline.budgetAlerts) {
      const b = baseline.budget;
      const alerts = baseline.budgetAlerts;
      // Budgets publishes to an encrypted topic only with a customer-managed key whose policy lets it.
      const key = new KmsKey(this, "budget-alerts-key", {
        provider: primaryProvider,
        description: alerts.keyDescription,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyDocument(alerts.keyPolicy),
        lifecycle: { preventDestroy: props.preventDestroy ?? protectByDefault(this) },
      });
      new KmsAlias(this, "budget-alerts-key-alias", {
        provider: primaryProvider,
        name: alerts.keyAlias,
        targetKeyId: key.keyId,
      });
      const topic = new SnsTopic(this, "budget-alerts-topic", {
        provider: primaryProvider,
        name: alerts.topicName,
        kmsMasterKeyId: key.arn,
      });
      this.budgetAlertsTopic = topic;
      const topicPolicy = new SnsTopicPolicy(this, "budget-alerts-topic-policy", {
        provider: primaryProvider,
        arn: topic.arn,
        policy: policyDocument(alerts.topicPolicy),
      });
      // Created by the topic owner: the central forwarder confirms it (docs/monitoring.md).
      new SnsTopicSubscription(this, "budget-alerts-to-central-queue", {
        provider: primaryProvider,
        topicArn: topic.arn,
        protocol: "sqs",
        endpoint: alerts.queueArn,
      });
      this.budget = new BudgetsBudget(this, "budget", {
        provider: primaryProvider,
        name: b.name,
        budgetType: "COST",
        limitAmount: b.monthlyUsd.toFixed(2),
        limitUnit: "USD",
        timeUnit: "MONTHLY",
        // Every notification goes to the account's topic (and so to the central bus), and by email
        // to the configured addresses, if any.
        notification: b.notifications.map((n) => ({
          comparisonOperator: "GREATER_THAN",
          notificationType: n.type,
          threshold: n.thresholdPercent,
          thresholdType: "PERCENTAGE",
          subscriberSnsTopicArns: [b.snsTopicArn],
          ...(b.subscribers.length > 0 ? { subscriberEmailAddresses: [...b.subscribers] } : {}),
        })),
        // The topic, its key and its policy exist before Budgets is told to publish there.
        dependsOn: [topicPolicy, key],
      });
    }
    if ((props.scope ?? "all") === "per-account") return;

    this.forwarderRole = this.role(baseline.forwarderRole, primaryProvider);
    this.readOnlyRole = this.role(baseline.readOnlyRole, primaryProvider);
    new CloudwatchDashboard(this, "dashboard", {
      provider: primaryProvider,
      dashboardName: baseline.dashboard.name,
      dashboardBody: baseline.dashboard.body,
    });
    const protect = props.preventDestroy ?? protectByDefault(this);
    const dlqSpec = baseline.forwarderDlq;
    for (const region of props.regions) {
      const provider = props.provider(region);
      // KMS keys are regional: one per region for that region's DLQ.
      const dlqKey = new KmsKey(this, `forwarder-dlq-key-${region}`, {
        provider,
        description: dlqSpec.keyDescription,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyDocument(dlqSpec.keyPolicy),
        lifecycle: { preventDestroy: protect },
      });
      new KmsAlias(this, `forwarder-dlq-key-alias-${region}`, {
        provider,
        name: dlqSpec.keyAlias,
        targetKeyId: dlqKey.keyId,
      });
      const dlq = new SqsQueue(this, `forwarder-dlq-${region}`, {
        provider,
        name: dlqSpec.queueName,
        kmsMasterKeyId: dlqKey.arn,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: dlqSpec.messageRetentionSeconds,
        lifecycle: { preventDestroy: protect },
      });
      this.forwarderDlqs.push(dlq);
      new SqsQueuePolicy(this, `forwarder-dlq-policy-${region}`, {
        provider,
        queueUrl: dlq.url,
        policy: policyDocument(dlqSpec.queuePolicy(region)),
      });
      for (const alarm of baseline.alarms) {
        this.alarms.push(
          new CloudwatchMetricAlarm(this, `alarm-${alarm.key}-${region}`, {
            provider,
            ...alarmConfig(alarm),
            dependsOn: [dlq],
          }),
        );
      }
      for (const rule of baseline.rules) {
        const r = new CloudwatchEventRule(this, `rule-${rule.kind}-${region}`, {
          provider,
          name: rule.name,
          description: rule.description,
          eventPattern: rule.eventPattern ? JSON.stringify(rule.eventPattern) : undefined,
          scheduleExpression: rule.scheduleExpression,
        });
        this.rules.push(r);
        new CloudwatchEventTarget(this, `target-${rule.kind}-${region}`, {
          provider,
          rule: r.name,
          targetId: "central-bus",
          arn: baseline.centralBusArn,
          roleArn: this.forwarderRole.arn,
          retryPolicy: {
            maximumEventAgeInSeconds: baseline.retryPolicy.maximumEventAgeInSeconds,
            maximumRetryAttempts: baseline.retryPolicy.maximumRetryAttempts,
          },
          deadLetterConfig: { arn: dlq.arn },
        });
      }
    }
  }

  private role(spec: BaselineRole, provider: AwsProvider): IamRole {
    const role = new IamRole(this, `${spec.key}-role`, {
      provider,
      name: spec.name,
      description: spec.description,
      assumeRolePolicy: JSON.stringify(spec.assumeRolePolicy),
      maxSessionDuration: spec.maxSessionSeconds,
    });
    new IamRolePolicy(this, `${spec.key}-policy`, {
      provider,
      role: role.name,
      name: spec.inlinePolicyName,
      policy: JSON.stringify(spec.inlinePolicy),
    });
    return role;
  }
}

/** The Terraform arguments of an alarm spec (a single metric or a metric math expression). */
export function alarmConfig(
  alarm: AlarmSpec,
): Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], "provider" | "dependsOn"> {
  const common = {
    alarmName: alarm.name,
    alarmDescription: alarm.description,
    evaluationPeriods: alarm.evaluationPeriods,
    threshold: alarm.threshold,
    comparisonOperator: alarm.comparisonOperator,
    treatMissingData: alarm.treatMissingData,
  };
  if (!alarm.expression) {
    const [m] = alarm.metrics;
    return {
      ...common,
      namespace: m!.namespace,
      metricName: m!.metricName,
      dimensions: { ...m!.dimensions },
      statistic: alarm.statistic,
      period: alarm.period,
    };
  }
  return {
    ...common,
    metricQuery: [
      {
        id: alarm.expression.id,
        expression: alarm.expression.expression,
        label: alarm.expression.label,
        returnData: true,
      },
      ...alarm.metrics.map((m) => ({
        id: m.id,
        returnData: false,
        metric: {
          namespace: m.namespace,
          metricName: m.metricName,
          dimensions: { ...m.dimensions },
          stat: alarm.statistic,
          period: alarm.period,
        },
      })),
    ],
  };
}
