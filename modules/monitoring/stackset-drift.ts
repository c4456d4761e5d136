import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { BundledFunction } from "../bundled-function";

/**
 * How often drift detection runs. Each run reports the previous detection and starts the next, so a
 * result is at most two periods old; a stack set's drift detection takes minutes per instance.
 */
export const STACKSET_DRIFT_SCHEDULE = "rate(12 hours)";

/** Function id (functions/stackset-drift/handler.ts). */
export const STACKSET_DRIFT_FUNCTION = "stackset-drift";

export interface StackSetDriftDetectionProps {
  readonly names: Names;
  /** The delegated-admin account, where the function runs (CallAs DELEGATED_ADMIN). */
  readonly adminAccountId: string;
  /** The management account: AWS keeps service-managed stack sets there, also a delegated admin's. */
  readonly payerAccountId: string;
  readonly logRetentionDays: number;
  readonly preventDestroy: boolean;
  /** Provider of the admin account in organization.homeRegion (the stack set's and the central bus's region). */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Customer-managed key of the admin's functions (environment, log group). */
  readonly functionsKeyArn: string;
}

/**
 * stackset mode: scheduled StackSet drift detection in the delegated-admin account
 * (functions/stackset-drift). It calls DetectStackSetDrift on the landing's baseline stack set as
 * delegated administrator, reads the instances' drift status, and puts the result on the central bus
 * ("StackSet drift detection result") and into the DriftedStackInstances / DriftDetectionFailed
 * metrics (EMF, service stackset-drift, dimension StackSet). docs/monitoring.md, "StackSet drift".
 */
export class StackSetDriftDetection extends Construct {
  readonly fn: BundledFunction;
  readonly schedule: CloudwatchEventRule;
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: StackSetDriftDetectionProps) {
    super(scope, id);
    const { names, provider, region } = props;
    this.environment = {
      STACK_SET_PREFIX: names.baselineStackSet,
      CALL_AS: "DELEGATED_ADMIN",
      CENTRAL_BUS_ARN: names.centralBusArn,
    };
    const statements: PolicyStatement[] = [
      { Sid: "ListStackSets", Effect: "Allow", Action: "cloudformation:ListStackSets", Resource: "*" },
      {
        Sid: "DetectDriftOnTheLandingsStackSet",
        Effect: "Allow",
        Action: [
          "cloudformation:ListStackSetOperations",
          "cloudformation:ListStackInstances",
          "cloudformation:DetectStackSetDrift",
        ],
        Resource: `arn:aws:cloudformation:*:${props.payerAccountId}:stackset/${names.baselineStackSet}*`,
      },
      {
        // AWS asks delegated administrators of StackSets to have this (CallAs DELEGATED_ADMIN).
        Sid: "DelegatedAdminCheck",
        Effect: "Allow",
        Action: "organizations:ListDelegatedAdministrators",
        Resource: "*",
      },
      {
        Sid: "PutResultOnCentralBus",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: names.centralBusArn,
      },
    ];
    this.fn = new BundledFunction(this, "function", {
      name: STACKSET_DRIFT_FUNCTION,
      names,
      accountId: props.adminAccountId,
      region,
      description: "Detects drift of the baseline stack set and reports it to the central bus and a metric",
      kmsKeyArn: props.functionsKeyArn,
      logRetentionDays: props.logRetentionDays,
      statements,
      environment: this.environment,
      timeoutSeconds: 120,
      memorySizeMb: 256,
      preventDestroy: props.preventDestroy,
      provider,
    });
    this.schedule = new CloudwatchEventRule(this, "schedule", {
      provider,
      name: `${names.functionName(STACKSET_DRIFT_FUNCTION)}-schedule`,
      description: "Reports the last StackSet drift detection and starts the next",
      scheduleExpression: STACKSET_DRIFT_SCHEDULE,
    });
    new CloudwatchEventTarget(this, "schedule-target", {
      provider,
      rule: this.schedule.name,
      targetId: STACKSET_DRIFT_FUNCTION,
      arn: this.fn.function.arn,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
    });
    new LambdaPermission(this, "schedule-permission", {
      provider,
      statementId: "events-schedule",
      action: "lambda:InvokeFunction",
      functionName: this.fn.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: this.schedule.arn,
    });
  }
}
