import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";
import { BundledFunction } from "../bundled-function";
import {
  BUDGET_ALERT_DETAIL_TYPE,
  BUDGET_ALERT_FORWARDER,
  BUDGET_ALERT_SOURCE,
  BudgetAlertNames,
  budgetAlertQueuePolicy,
} from "./budget-alerts";

export interface BudgetAlertForwardingProps {
  readonly names: Names;
  /** Provider of the admin account in organization.homeRegion (where the central bus lives). */
  readonly provider: AwsProvider;
  readonly region: string;
  readonly accountId: string;
  /**
   * Customer-managed key of the admin's functions: the forwarder's environment and logs, and the
   * queue (the functions domain keeps the landing's queues). Its policy must admit SNS
   * (snsIntoBudgetAlertQueueKeyStatement): AdminMonitoring adds that to a key the landing creates.
   */
  readonly functionsKeyArn: string;
  readonly logRetentionDays: number;
  readonly preventDestroy: boolean;
}

/**
 * The central end of the budget alert path (modules/monitoring/budget-alerts.ts): one KMS-encrypted
 * queue that every member's budget-alerts topic delivers to, and the forwarder function it feeds,
 * which puts each notification on the central bus. Nothing here names a member.
 */
export class BudgetAlertForwarding extends Construct {
  readonly queue: SqsQueue;
  readonly fn: BundledFunction;
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: BudgetAlertForwardingProps) {
    super(scope, id);
    const { names, provider } = props;
    const n = new BudgetAlertNames(names);

    this.queue = new SqsQueue(this, "queue", {
      provider,
      name: n.queueName,
      kmsMasterKeyId: props.functionsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      // Six times the function's timeout (AWS's advice for SQS event sources).
      visibilityTimeoutSeconds: 180,
      messageRetentionSeconds: 1_209_600,
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    new SqsQueuePolicy(this, "queue-policy", {
      provider,
      queueUrl: this.queue.url,
      policy: policyDocument(budgetAlertQueuePolicy(names)),
    });

    this.environment = {
      CENTRAL_BUS_ARN: names.centralBusArn,
      TOPIC_NAME: n.topicName,
      EVENT_SOURCE: BUDGET_ALERT_SOURCE,
      EVENT_DETAIL_TYPE: BUDGET_ALERT_DETAIL_TYPE,
      ACCOUNTS_CACHE_SECONDS: "300",
    };
    const statements: PolicyStatement[] = [
      {
        Sid: "ConsumeTheBudgetAlertQueue",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        Resource: n.queueArn,
      },
      // Decrypting the queue's messages: BundledFunction's own-key statement (the functions key).
      {
        Sid: "PutBudgetAlertsOnTheCentralBus",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: names.centralBusArn,
        Condition: { StringEquals: { "events:source": BUDGET_ALERT_SOURCE } },
      },
      {
        // Only topics of the organization's accounts are forwarded or confirmed.
        Sid: "OrganizationAccounts",
        Effect: "Allow",
        Action: "organizations:ListAccounts",
        Resource: "*",
      },
    ];
    this.fn = new BundledFunction(this, "function", {
      name: BUDGET_ALERT_FORWARDER,
      names,
      accountId: props.accountId,
      region: props.region,
      description:
        "Puts member budget notifications (SNS, via the budget-alerts queue) on the central monitoring bus",
      kmsKeyArn: props.functionsKeyArn,
      logRetentionDays: props.logRetentionDays,
      statements,
      environment: this.environment,
      timeoutSeconds: 30,
      memorySizeMb: 256,
      // Invoked synchronously by the event source mapping: failures stay on the queue.
      asyncDeadLetterQueue: false,
      preventDestroy: props.preventDestroy,
      provider,
    });
    new LambdaEventSourceMapping(this, "source", {
      provider,
      eventSourceArn: this.queue.arn,
      functionName: this.fn.function.arn,
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
      enabled: true,
    });
  }
}
