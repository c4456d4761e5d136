import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import type { Construct } from "constructs";
import { approvalDefinition } from "../../contracts/approvals";
import { LOG_DELIVERY_ACTIONS } from "../../contracts/iam-wildcards";
import type { Table } from "../../contracts/tables";
import { type BindableTable, BundledFunction, type FunctionDefaults } from "../bundled-function";
import { addServiceRole } from "../service-role";
import { setAppTableNames } from "./tables";

export interface ApprovalWorkflowProps {
  readonly functionDefaults: FunctionDefaults;
  /** Every table of the landing as a function binding. */
  readonly table: (table: Table) => BindableTable;
  /** How long a change waits for a decision (app.approvalTimeoutDays). */
  readonly approvalTimeoutDays: number;
}

export interface ApprovalWorkflow {
  readonly approvals: BundledFunction;
  readonly stateMachine: SfnStateMachine;
}

/**
 * The budget-change approval workflow (docs/api.md): the approvals function, the Step Functions
 * state machine (contracts/approvals.ts), its role and its log group. Created in `scope` itself,
 * with the ids FinOpsApp always gave them (Terraform addresses unchanged).
 */
export function addApprovalWorkflow(scope: Construct, props: ApprovalWorkflowProps): ApprovalWorkflow {
  const d = props.functionDefaults;
  const { names, accountId: account, provider } = d;
  const approvals = new BundledFunction(scope, "approvals", {
    ...d,
    name: "approvals",
    description: "Steps of the budget-change approval workflow (store task token, apply, expire, fail)",
    asyncDeadLetterQueue: false,
  });
  setAppTableNames(approvals, props.table);
  approvals.bindTable(props.table("budgets"), ["GetItem", "PutItem"]);
  approvals.bindTable(props.table("budget-changes"), ["GetItem", "UpdateItem"]);

  const logs = new CloudwatchLogGroup(scope, "approval-logs", {
    provider,
    name: names.approvalLogGroup,
    retentionInDays: d.logRetentionDays,
    kmsKeyId: d.kmsKeyArn,
    lifecycle: { preventDestroy: d.preventDestroy },
  });
  const { role } = addServiceRole(scope, "approval-role", {
    provider,
    name: names.approvalStateMachineRole,
    description: "Runs the budget approval workflow: invokes the approvals function, logs, traces",
    service: "states.amazonaws.com",
    trust: { sourceAccount: account },
    policyId: "approval-role-policy",
    policyName: "least-privilege",
    statements: [
      {
        Sid: "InvokeApprovals",
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: [approvals.functionArn, `${approvals.functionArn}:*`],
      },
      {
        Sid: "ExecutionLogDelivery",
        Effect: "Allow",
        Action: [...LOG_DELIVERY_ACTIONS],
        Resource: "*",
      },
      {
        Sid: "XRay",
        Effect: "Allow",
        Action: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
        ],
        Resource: "*",
      },
    ],
  });
  const stateMachine = new SfnStateMachine(scope, "approval-workflow", {
    provider,
    name: names.approvalStateMachine,
    type: "STANDARD",
    roleArn: role.arn,
    definition: JSON.stringify(
      approvalDefinition({
        approvalsFunctionArn: approvals.functionArn,
        decisionTimeoutSeconds: props.approvalTimeoutDays * 86_400,
      }),
    ),
    loggingConfiguration: {
      level: "ALL",
      includeExecutionData: false,
      logDestination: `${logs.arn}:*`,
    },
    tracingConfiguration: { enabled: true },
  });
  return { approvals, stateMachine };
}
