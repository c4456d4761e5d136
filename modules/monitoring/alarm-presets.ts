/**
 * When an alarm fires, for the alarms that recur across the landing (CloudWatch PutMetricAlarm
 * arguments, in the Terraform provider's names; the CloudFormation renderer of the member baseline
 * maps them to AWS::CloudWatch::Alarm's).
 */

/**
 * Any event in 5 minutes: the Sum of one 300-second period reaches 1. No data is OK: AWS sends
 * these counts only when not zero (Lambda Errors and Throttles, EventBridge FailedInvocations and
 * its DLQ metrics, API Gateway 5xx) and the landing's own counters likewise.
 */
export const ANY_EVENT_IN_5_MINUTES = {
  statistic: "Sum",
  period: 300,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
  treatMissingData: "notBreaching",
} as const;

/**
 * Any message waiting in 5 minutes: the Maximum of a queue's ApproximateNumberOfMessagesVisible
 * in one 300-second period reaches 1 (a dead-letter queue should stay empty). No data (the queue
 * is idle) is OK.
 */
export const ANY_MESSAGE_IN_5_MINUTES = { ...ANY_EVENT_IN_5_MINUTES, statistic: "Maximum" } as const;
