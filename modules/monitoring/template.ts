import type { Names } from "../../config/naming";
import {
  type Baseline,
  type BaselineAlarm,
  type BaselineRole,
  CFN_ACCOUNT_ID,
  memberBaseline,
} from "./baseline";

/**
 * The CloudFormation template of the stackset mode, rendered from the same baseline description as
 * the direct mode's Terraform resources. Global resources (IAM roles, the dashboard) are created only
 * in the baseline's primary region (condition IsPrimaryRegion); rules land in every region. The budget
 * differs per account and stays in the member's Terraform stack.
 */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion: "2010-09-09";
  readonly Description: string;
  readonly Conditions: Record<string, unknown>;
  readonly Resources: Record<
    string,
    { Type: string; Condition?: string; DependsOn?: string[]; Properties: Record<string, unknown> }
  >;
}

/** Strings naming the deploying account become Fn::Sub; everything else is left as is. */
function sub(value: unknown): unknown {
  if (typeof value === "string") return value.includes("${AWS::") ? { "Fn::Sub": value } : value;
  if (Array.isArray(value)) return value.map(sub);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v)]));
  return value;
}

/** "cost-alerts" → "CostAlerts": logical ids are alphanumeric. */
export function logicalId(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

function roleResource(role: BaselineRole) {
  return {
    Type: "AWS::IAM::Role",
    Condition: "IsPrimaryRegion",
    Properties: {
      RoleName: role.name,
      Description: role.description,
      MaxSessionDuration: role.maxSessionSeconds,
      AssumeRolePolicyDocument: sub(role.assumeRolePolicy),
      Policies: [{ PolicyName: role.inlinePolicyName, PolicyDocument: sub(role.inlinePolicy) }],
    },
  };
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder, not a JS template
const CFN_REGION = "${AWS::Region}";

/** A baseline alarm as AWS::CloudWatch::Alarm (single metric, or Metrics with an expression). */
function alarmResource(alarm: BaselineAlarm) {
  const common = {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description,
    EvaluationPeriods: alarm.evaluationPeriods,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    TreatMissingData: alarm.treatMissingData,
  };
  const dims = (d: Readonly<Record<string, string>>) =>
    Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
  if (!alarm.expression) {
    const m = alarm.metrics[0]!;
    return {
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        ...common,
        Namespace: m.namespace,
        MetricName: m.metricName,
        Dimensions: dims(m.dimensions),
        Statistic: alarm.statistic,
        Period: alarm.period,
      },
    };
  }
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      ...common,
      Metrics: [
        {
          Id: alarm.expression.id,
          Expression: alarm.expression.expression,
          Label: alarm.expression.label,
          ReturnData: true,
        },
        ...alarm.metrics.map((m) => ({
          Id: m.id,
          ReturnData: false,
          MetricStat: {
            Metric: { Namespace: m.namespace, MetricName: m.metricName, Dimensions: dims(m.dimensions) },
            Stat: alarm.statistic,
            Period: alarm.period,
          },
        })),
      ],
    },
  };
}

export function renderTemplate(baseline: Baseline, primaryRegion: string): CfnTemplate {
  const forwarderArn = `arn:\${AWS::Partition}:iam::${CFN_ACCOUNT_ID}:role/${baseline.forwarderRole.name}`;
  const resources: CfnTemplate["Resources"] = {
    [logicalId(baseline.forwarderRole.key, "role")]: roleResource(baseline.forwarderRole),
    [logicalId(baseline.readOnlyRole.key, "role")]: roleResource(baseline.readOnlyRole),
    Dashboard: {
      Type: "AWS::CloudWatch::Dashboard",
      Condition: "IsPrimaryRegion",
      Properties: { DashboardName: baseline.dashboard.name, DashboardBody: baseline.dashboard.body },
    },
  };
  // The forwarders' DLQ, its key and policy, and the alarms: in every region, like the rules.
  const dlq = baseline.forwarderDlq;
  resources.ForwarderDlqKey = {
    Type: "AWS::KMS::Key",
    Properties: {
      Description: dlq.keyDescription,
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
      KeyPolicy: sub({ Version: "2012-10-17", Statement: dlq.keyPolicy }),
    },
  };
  resources.ForwarderDlqKeyAlias = {
    Type: "AWS::KMS::Alias",
    Properties: { AliasName: dlq.keyAlias, TargetKeyId: { Ref: "ForwarderDlqKey" } },
  };
  resources.ForwarderDlq = {
    Type: "AWS::SQS::Queue",
    Properties: {
      QueueName: dlq.queueName,
      KmsMasterKeyId: { Ref: "ForwarderDlqKey" },
      KmsDataKeyReusePeriodSeconds: 300,
      MessageRetentionPeriod: dlq.messageRetentionSeconds,
    },
  };
  resources.ForwarderDlqPolicy = {
    Type: "AWS::SQS::QueuePolicy",
    Properties: {
      Queues: [{ Ref: "ForwarderDlq" }],
      PolicyDocument: sub({ Version: "2012-10-17", Statement: dlq.queuePolicy(CFN_REGION) }),
    },
  };
  for (const alarm of baseline.alarms) resources[logicalId(alarm.key, "alarm")] = alarmResource(alarm);
  for (const rule of baseline.rules) {
    resources[logicalId(rule.kind, "rule")] = {
      Type: "AWS::Events::Rule",
      DependsOn: ["ForwarderDlq"],
      Properties: {
        Name: rule.name,
        Description: rule.description,
        State: "ENABLED",
        ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
        ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
        Targets: [
          {
            Id: "central-bus",
            Arn: baseline.centralBusArn,
            RoleArn: { "Fn::Sub": forwarderArn },
            RetryPolicy: {
              MaximumEventAgeInSeconds: baseline.retryPolicy.maximumEventAgeInSeconds,
              MaximumRetryAttempts: baseline.retryPolicy.maximumRetryAttempts,
            },
            DeadLetterConfig: { Arn: sub(dlq.queueArn(CFN_REGION)) },
          },
        ],
      },
    };
  }
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "FinOps monitoring baseline (generated by finops-landing; do not edit)",
    Conditions: { IsPrimaryRegion: { "Fn::Equals": [{ Ref: "AWS::Region" }, primaryRegion] } },
    Resources: resources,
  };
}

/** The stack set's template for the given regions (the first is the primary region). */
export function baselineTemplate(names: Names, regions: readonly string[]): CfnTemplate {
  const baseline = memberBaseline({ names, accountId: CFN_ACCOUNT_ID, regions });
  return renderTemplate(baseline, regions[0]!);
}
