import { Names } from "../../config/naming";
import {
  accountAdministersKeyStatement,
  type PolicyStatement,
  serviceKeyUseStatement,
} from "../../contracts/iam-policy";

/**
 * Budget threshold alerts on their way to the central monitoring bus (docs/monitoring.md,
 * "Budget alerts").
 *
 * AWS Budgets sends threshold alerts only by email or to an SNS topic in the budget's own account
 * ("Amazon SNS topics must be in the same account as the Budgets you're configuring. Cross-account
 * Amazon SNS isn't supported": https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html);
 * to EventBridge it sends only CloudTrail API-call events (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-budgets.html).
 * So every member gets one topic (KMS, its own key) that its budget notifies, and the topic
 * delivers to ONE queue in the delegated-admin account, where the budget-alert forwarder turns each
 * notification into an event on the central bus. Per member: a key, a topic, its policy, one
 * subscription; no code. Adding a member changes no existing stack: the queue admits the topic by
 * name (any account), and the forwarder confirms and forwards only topics of the organization's
 * accounts (Organizations ListAccounts).
 *
 * The subscription is created by the topic owner (the member), so SNS asks the queue owner to
 * confirm it (https://docs.aws.amazon.com/sns/latest/dg/sns-send-message-to-sqs-cross-account.html):
 * the confirmation message arrives on the central queue and the forwarder confirms it by visiting
 * its SubscribeURL (an unauthenticated HTTPS GET to SNS that carries the token), after checking that
 * the topic is the budget-alerts topic of an account of the organization. No IAM permission and no
 * topic-policy statement is needed for that.
 */

/** Source and detail-type of the events the forwarder puts on the central bus. */
export const BUDGET_ALERT_SOURCE = "finops.budgets";
export const BUDGET_ALERT_DETAIL_TYPE = "Budget Threshold Alert";

/** Function id (functions/budget-alert-forwarder/handler.ts); Names derives finops-budget-alert-forwarder. */
export const BUDGET_ALERT_FORWARDER = "budget-alert-forwarder";

/** Names and ARNs of the path, derived from the config on both sides (no cross-stack reads). */
export class BudgetAlertNames {
  constructor(private readonly names: Names) {}

  /** The member topic the budget notifies, and the central queue: the same name. */
  get topicName(): string {
    return `${this.names.prefix}-budget-alerts`;
  }

  get queueName(): string {
    return `${this.names.prefix}-budget-alerts`;
  }

  get keyAlias(): string {
    return `alias/${this.names.prefix}-budget-alerts`;
  }

  /** organization.homeRegion: where the central bus (and the queue) live. */
  get homeRegion(): string {
    return this.names.centralBusArn.split(":")[3]!;
  }

  topicArn(accountId: string, region: string): string {
    return `arn:aws:sns:${region}:${accountId}:${this.topicName}`;
  }

  /** Every member's topic, in any region: what the queue admits and the forwarder may confirm. */
  get anyMemberTopicArn(): string {
    return `arn:aws:sns:*:*:${this.topicName}`;
  }

  get queueArn(): string {
    return `arn:aws:sqs:${this.homeRegion}:${this.names.adminAccountId}:${this.queueName}`;
  }

  get forwarderFunction(): string {
    return this.names.functionName(BUDGET_ALERT_FORWARDER);
  }

  get forwarderRoleArn(): string {
    return Names.roleArn(this.names.adminAccountId, this.names.lambdaRoleName(BUDGET_ALERT_FORWARDER));
  }
}

/** The member side, as the two renderers (Terraform, CloudFormation) need it. */
export interface BudgetAlertPath {
  readonly topicName: string;
  readonly topicArn: string;
  readonly keyAlias: string;
  readonly keyDescription: string;
  readonly keyPolicy: PolicyStatement[];
  readonly topicPolicy: PolicyStatement[];
  /** The central queue the topic delivers to (protocol sqs, not raw: the envelope names the topic). */
  readonly queueArn: string;
}

/**
 * The member's budget alert path. `accountId` is the member's id (or "${AWS::AccountId}"),
 * `region` the region of its topic (the member's primary region).
 */
export function budgetAlertPath(names: Names, accountId: string, region: string): BudgetAlertPath {
  const n = new BudgetAlertNames(names);
  const topicArn = n.topicArn(accountId, region);
  const budgetsOfThisAccount = {
    StringEquals: { "aws:SourceAccount": accountId },
    ArnLike: { "aws:SourceArn": `arn:aws:budgets::${accountId}:*` },
  };
  return {
    topicName: n.topicName,
    topicArn,
    keyAlias: n.keyAlias,
    keyDescription: "Encrypts this account's budget alerts topic (AWS Budgets publishes with it)",
    keyPolicy: [
      accountAdministersKeyStatement(accountId),
      // An encrypted topic needs its publisher to use the key: an AWS-managed key (aws/sns)
      // cannot grant that to a service, a customer-managed key can.
      serviceKeyUseStatement(
        "BudgetsOfThisAccountPublishEncrypted",
        "budgets.amazonaws.com",
        ["kms:GenerateDataKey*", "kms:Decrypt"],
        budgetsOfThisAccount,
      ),
    ],
    topicPolicy: [
      {
        // The statement of the Budgets user guide (budgets-sns-policy.html).
        Sid: "BudgetsOfThisAccountPublish",
        Effect: "Allow",
        Principal: { Service: "budgets.amazonaws.com" },
        Action: "SNS:Publish",
        Resource: topicArn,
        Condition: budgetsOfThisAccount,
      },
    ],
    queueArn: n.queueArn,
  };
}

/** The central queue's policy: SNS may deliver from a topic of the budget-alerts name only. */
export function budgetAlertQueuePolicy(names: Names): PolicyStatement[] {
  const n = new BudgetAlertNames(names);
  return [
    {
      Sid: "MemberBudgetAlertTopicsDeliver",
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: n.queueArn,
      Condition: { ArnLike: { "aws:SourceArn": n.anyMemberTopicArn } },
    },
  ];
}

/** Key policy statement of the queue's key (functions): SNS encrypts what it delivers into the central queue. */
export function snsIntoBudgetAlertQueueKeyStatement(): PolicyStatement {
  return serviceKeyUseStatement("SnsDeliversIntoTheBudgetAlertQueue", "sns.amazonaws.com", [
    "kms:GenerateDataKey*",
    "kms:Decrypt",
  ]);
}
