import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";
import { ACCOUNT_EVENTS_PATTERN, ORGANIZATIONS_EVENTS_REGION } from "../../contracts/organizations-events";
import {
  FORWARDER_DLQ_RETENTION_SECONDS,
  FORWARDER_FAILURE_METRICS,
  type ForwarderFailureMetric,
  forwarderDlqAlarm,
  forwarderDlqKeyPolicy,
  forwarderFailureAlarm,
} from "../monitoring/baseline";
import { alarmConfig } from "../monitoring/member-baseline";

export interface OrgEventsForwardingProps {
  /** The payer's provider in us-east-1, where Organizations emits its events (ORGANIZATIONS_EVENTS_REGION). */
  readonly provider: TerraformProvider;
  readonly payerAccountId: string;
  /** The admin's central bus (config/naming.ts centralBusArn): the one place this role may put events. */
  readonly centralBusArn: string;
  /** Rule, role, queue and key name (the alarm-state rule adds `-alarms`). */
  readonly name: string;
  /**
   * Prefix of the alarms' names: the central side alerts on the state changes of alarms named so
   * (modules/monitoring/baseline.ts baselineAlarmPrefix), so these page like the members' forwarders'.
   */
  readonly alarmPrefix: string;
  /** prevent_destroy on the dead-letter queue and its key. */
  readonly preventDestroy: boolean;
}

/** What the forwarding role may do: PutEvents on exactly the admin's central bus. */
export function forwardingRoleStatements(centralBusArn: string): PolicyStatement[] {
  return [
    {
      Sid: "PutEventsOnTheAdminCentralBus",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: centralBusArn,
    },
  ];
}

/**
 * Forwards Organizations' account events (CreateAccountResult and the account-state API calls of
 * contracts/organizations-events.ts) from the management account's us-east-1 default bus, where
 * Organizations emits them, to the admin's central bus. There the central log group keeps them and
 * account-sync's rule runs the sync at once instead of on its schedule (docs/payer.md).
 * The admin's bus policy admits the organization (aws:PrincipalOrgID, modules/monitoring/central.ts).
 * A failed delivery is retried for a day, then lands in a KMS-encrypted dead-letter queue; the
 * rule's delivery failures and the queue's messages are alarmed, and a second rule carries those
 * alarms' state changes to the central bus too (where the central side alerts on them).
 */
export class OrgEventsForwarding extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly alarmRule: CloudwatchEventRule;
  readonly role: IamRole;
  readonly target: CloudwatchEventTarget;
  readonly dlq: SqsQueue;
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: OrgEventsForwardingProps) {
    super(scope, id);
    const { provider, name } = props;
    const account = props.payerAccountId;
    const ruleArn = (n: string) => `arn:aws:events:${ORGANIZATIONS_EVENTS_REGION}:${account}:rule/${n}`;
    const ruleNames = [name, `${name}-alarms`];
    const alarmName = (part: string) => `${props.alarmPrefix}payer-org-events-${part}`;

    this.rule = new CloudwatchEventRule(this, "rule", {
      provider,
      name,
      description:
        "Organizations account events (creation, closure, removal, move) to the admin's central bus",
      eventPattern: JSON.stringify(ACCOUNT_EVENTS_PATTERN),
    });
    // CloudWatch sends alarm state changes to EventBridge (source aws.cloudwatch, detail-type
    // "CloudWatch Alarm State Change", detail.alarmName: AmazonCloudWatch cloudwatch-and-eventbridge.html).
    this.alarmRule = new CloudwatchEventRule(this, "alarm-rule", {
      provider,
      name: `${name}-alarms`,
      description: "State changes of the forwarding's alarms to the admin's central bus",
      eventPattern: JSON.stringify({
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: [{ prefix: alarmName("") }] },
      }),
    });
    this.role = new IamRole(this, "role", {
      provider,
      name,
      description: "EventBridge forwards Organizations account events to the admin's central bus",
      assumeRolePolicy: policyDocument([
        {
          Sid: "EventBridgeForTheseRules",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": account },
            ArnEquals: { "aws:SourceArn": ruleNames.map(ruleArn) },
          },
        },
      ]),
    });
    new IamRolePolicy(this, "role-policy", {
      provider,
      name: "put-events-central-bus",
      role: this.role.id,
      policy: policyDocument(forwardingRoleStatements(props.centralBusArn)),
    });

    const key = new KmsKey(this, "dlq-key", {
      provider,
      description: "Encrypts the dead-letter queue of the Organizations account-events forwarding",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: props.preventDestroy },
      policy: policyDocument(forwarderDlqKeyPolicy(account)),
    });
    const dlqName = `${name}-dlq`;
    this.dlq = new SqsQueue(this, "dlq", {
      provider,
      name: dlqName,
      kmsMasterKeyId: key.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: FORWARDER_DLQ_RETENTION_SECONDS,
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    new SqsQueuePolicy(this, "dlq-policy", {
      provider,
      queueUrl: this.dlq.url,
      policy: policyDocument([
        {
          Sid: "ForwardingRulesSendUndeliveredEvents",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: `arn:aws:sqs:${ORGANIZATIONS_EVENTS_REGION}:${account}:${dlqName}`,
          Condition: { ArnEquals: { "aws:SourceArn": ruleNames.map(ruleArn) } },
        },
      ]),
    });

    const targets: CloudwatchEventTarget[] = [];
    for (const [key2, rule] of [
      ["target", this.rule],
      ["alarm-target", this.alarmRule],
    ] as const) {
      targets.push(
        new CloudwatchEventTarget(this, key2, {
          provider,
          rule: rule.name,
          targetId: "admin-central-bus",
          arn: props.centralBusArn,
          roleArn: this.role.arn,
          retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
          deadLetterConfig: { arn: this.dlq.arn },
        }),
      );
    }
    this.target = targets[0]!;

    // The members' forwarder alarms (modules/monitoring/baseline.ts), one per failure metric.
    for (const [i, ruleName] of ruleNames.entries()) {
      for (const [only, metric] of Object.entries(FORWARDER_FAILURE_METRICS) as [
        ForwarderFailureMetric,
        string,
      ][]) {
        const key = `${i === 0 ? "events" : "alarms"}-${metric}`;
        const spec = forwarderFailureAlarm({
          key,
          name: alarmName(key),
          what: `EventBridge could not deliver ${ruleName}'s events to the admin's central bus (${metric})`,
          ruleName,
          only,
        });
        this.alarms.push(new CloudwatchMetricAlarm(this, `alarm-${key}`, { provider, ...alarmConfig(spec) }));
      }
    }
    const dlqAlarm = forwarderDlqAlarm({
      key: "dlq-visible",
      name: alarmName("dlq-visible"),
      what: `Organizations account events that could not reach the central bus wait in ${dlqName}`,
      queueName: dlqName,
    });
    this.alarms.push(
      new CloudwatchMetricAlarm(this, `alarm-${dlqAlarm.key}`, {
        provider,
        ...alarmConfig(dlqAlarm),
        dependsOn: [this.dlq],
      }),
    );
  }
}
