/**
 * The budget-change approval workflow as Amazon States Language, built in TypeScript:
 *
 *   AwaitDecision (task token, times out) ─┬─ approve → ApplyChange → Approved (Succeed)
 *                                          ├─ reject  → Rejected (Succeed)
 *                                          ├─ States.Timeout → RecordExpiry → Expired (Fail)
 *                                          └─ any other error / unknown decision → RecordFailure → Failed (Fail)
 *
 * AwaitDecision invokes the approvals function with the task token, which stores it on the change;
 * the API's decision endpoint completes it with SendTaskSuccess({ decision, by, note }).
 */
export interface ApprovalDefinitionProps {
  /** ARN of the approvals function (functions/approvals). */
  readonly approvalsFunctionArn: string;
  /** How long a change waits for a FinancialAdmin before it expires. */
  readonly decisionTimeoutSeconds: number;
}

const LAMBDA_RETRY = [
  {
    ErrorEquals: [
      "Lambda.ServiceException",
      "Lambda.AWSLambdaException",
      "Lambda.SdkClientException",
      "Lambda.TooManyRequestsException",
    ],
    IntervalSeconds: 2,
    MaxAttempts: 3,
    BackoffRate: 2,
  },
];

/** Errors the approvals function raises on purpose (never retried). */
export const APPROVAL_ERRORS = {
  budgetChanged: "BudgetChangedSinceSubmission",
  notApproved: "ChangeNotApproved",
} as const;

export function approvalDefinition(props: ApprovalDefinitionProps): Record<string, unknown> {
  if (!Number.isInteger(props.decisionTimeoutSeconds) || props.decisionTimeoutSeconds < 60)
    throw new Error(
      `decisionTimeoutSeconds ${props.decisionTimeoutSeconds} must be a whole number of seconds >= 60`,
    );
  const invoke = (action: string, extra: Record<string, string> = {}) => ({
    FunctionName: props.approvalsFunctionArn,
    Payload: { action, "changeId.$": "$.changeId", ...extra },
  });
  const toFailure = { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" };
  return {
    Comment:
      "Budget change approval: a FinancialAdmin approves or rejects through the FinOps API, or it expires",
    StartAt: "AwaitDecision",
    TimeoutSeconds: props.decisionTimeoutSeconds + 3600,
    States: {
      AwaitDecision: {
        Type: "Task",
        Comment: "Stores the task token on the change and waits for SendTaskSuccess from the API",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: invoke("await", { "taskToken.$": "$$.Task.Token" }),
        TimeoutSeconds: props.decisionTimeoutSeconds,
        ResultPath: "$.decision",
        Retry: LAMBDA_RETRY,
        Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "RecordExpiry" }, toFailure],
        Next: "Decision",
      },
      Decision: {
        Type: "Choice",
        Choices: [
          { Variable: "$.decision.decision", StringEquals: "approve", Next: "ApplyChange" },
          { Variable: "$.decision.decision", StringEquals: "reject", Next: "Rejected" },
        ],
        Default: "RecordFailure",
      },
      ApplyChange: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: invoke("apply"),
        ResultPath: null,
        Retry: LAMBDA_RETRY,
        Catch: [toFailure],
        Next: "Approved",
      },
      Approved: { Type: "Succeed" },
      Rejected: { Type: "Succeed" },
      RecordExpiry: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: invoke("expire"),
        ResultPath: null,
        Retry: LAMBDA_RETRY,
        Next: "Expired",
      },
      Expired: {
        Type: "Fail",
        Error: "ApprovalTimedOut",
        Cause: "no FinancialAdmin decided the change in time",
      },
      RecordFailure: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: invoke("fail", { "detail.$": "States.JsonToString($)" }),
        ResultPath: null,
        Retry: LAMBDA_RETRY,
        Next: "Failed",
      },
      Failed: {
        Type: "Fail",
        Error: "ApprovalFailed",
        Cause: "the change could not be decided or applied; see the change's failure",
      },
    },
  };
}
