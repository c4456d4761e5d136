import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { Construct } from "constructs";
import { CUR_COMMITTED_DETAIL_TYPE, CUR_COMMITTED_SOURCE } from "../../contracts/events";
import { policyDocument } from "../../contracts/iam-policy";
import type { Table } from "../../contracts/tables";
import { type BindableTable, BundledFunction, type FunctionDefaults } from "../bundled-function";
import { addServiceRole } from "../service-role";
import { setAppTableNames } from "./tables";

export interface SpendCardsProps {
  readonly functionDefaults: FunctionDefaults;
  /** Every table of the landing as a function binding. */
  readonly table: (table: Table) => BindableTable;
  /** IANA time zone of the periods and of the Monday schedule (app.timeZone). */
  readonly timeZone: string;
  /** Hour of the Monday run, in timeZone (app.spendCardsHour). */
  readonly hour: number;
  /** The bus cur-ingest announces committed billing periods on (DataPlatform.curEventBus). */
  readonly curEventBusName: string;
}

/**
 * Spend cards (docs/api.md): the function, its Monday schedule (EventBridge Scheduler, own role,
 * dead letters to the function's DLQ) and the final-card rule on "CUR billing period committed"
 * events of invoiced months (contracts/events.ts). Created in `scope` itself, with the ids
 * FinOpsApp always gave them (Terraform addresses unchanged).
 */
export function addSpendCards(scope: Construct, props: SpendCardsProps): BundledFunction {
  const d = props.functionDefaults;
  const { names, region, accountId: account, provider } = d;
  const { table } = props;
  const spendCards = new BundledFunction(scope, "spend-cards", {
    ...d,
    name: "spend-cards",
    description: "Spend cards per budget and period: every Monday, and final when the invoiced CUR arrives",
    timeoutSeconds: 300,
    environment: { TIME_ZONE: props.timeZone },
  });
  setAppTableNames(spendCards, table);
  spendCards.bindTable(table("budgets"), ["Scan"]);
  spendCards.bindTable(table("ingestion-runs"), ["GetItem"]);
  spendCards.bindTable(table("spend"), ["Query"]);
  spendCards.bindTable(table("allocations"), ["Query"]);
  spendCards.bindTable(table("spend-cards"), ["UpdateItem"]);

  const dlq = spendCards.deadLetterQueue;
  const { role: schedulerRole } = addServiceRole(scope, "spend-cards-scheduler-role", {
    provider,
    name: names.spendCardsSchedulerRole,
    description: "EventBridge Scheduler invokes the spend-card function, nothing else",
    service: "scheduler.amazonaws.com",
    trust: { sourceAccount: account },
    policyId: "spend-cards-scheduler-policy",
    policyName: "invoke-spend-cards",
    statements: [
      {
        Sid: "InvokeSpendCards",
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: spendCards.functionArn,
      },
      // A schedule's dead-letter messages are sent with the schedule's role, to a KMS-encrypted queue.
      ...(dlq
        ? [
            {
              Sid: "SendToDeadLetterQueue",
              Effect: "Allow" as const,
              Action: "sqs:SendMessage",
              Resource: dlq.arn,
            },
            {
              Sid: "DeadLetterQueueKeyThroughSqs",
              Effect: "Allow" as const,
              Action: ["kms:GenerateDataKey", "kms:Decrypt"],
              Resource: d.kmsKeyArn,
              Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
            },
          ]
        : []),
    ],
  });
  new SchedulerSchedule(scope, "spend-cards-weekly", {
    provider,
    name: names.spendCardsSchedule,
    description: "Spend cards for the period(s) that ended in the previous week",
    scheduleExpression: `cron(0 ${props.hour} ? * MON *)`,
    scheduleExpressionTimezone: props.timeZone,
    flexibleTimeWindow: { mode: "OFF" },
    target: {
      arn: spendCards.functionArn,
      roleArn: schedulerRole.arn,
      input: JSON.stringify({ kind: "weekly" }),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      ...(dlq ? { deadLetterConfig: { arn: dlq.arn } } : {}),
    },
  });
  const curRule = new CloudwatchEventRule(scope, "spend-cards-cur-committed", {
    provider,
    name: names.spendCardsCurRule,
    description: "Final spend cards when the CUR ingest commits an invoiced billing period",
    eventBusName: props.curEventBusName,
    eventPattern: JSON.stringify({
      source: [CUR_COMMITTED_SOURCE],
      "detail-type": [CUR_COMMITTED_DETAIL_TYPE],
      detail: { invoiced: [true] },
    }),
  });
  new CloudwatchEventTarget(scope, "spend-cards-cur-committed-target", {
    provider,
    rule: curRule.name,
    eventBusName: props.curEventBusName,
    arn: spendCards.function.arn,
    retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
    ...(dlq ? { deadLetterConfig: { arn: dlq.arn } } : {}),
  });
  // EventBridge sends a rule target's dead letters as the service, so the queue must admit it:
  // only for this rule (the functions key already lets EventBridge use it, modules/security/keys.ts).
  if (dlq)
    new SqsQueuePolicy(scope, "spend-cards-dlq-policy", {
      provider,
      queueUrl: dlq.url,
      policy: policyDocument([
        {
          Sid: "CurCommittedRuleDeadLetters",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: dlq.arn,
          Condition: { ArnEquals: { "aws:SourceArn": curRule.arn } },
        },
      ]),
    });
  new LambdaPermission(scope, "spend-cards-cur-committed-permission", {
    provider,
    statementId: "CurCommittedRule",
    action: "lambda:InvokeFunction",
    functionName: spendCards.function.functionName,
    principal: "events.amazonaws.com",
    sourceArn: curRule.arn,
  });
  return spendCards;
}
