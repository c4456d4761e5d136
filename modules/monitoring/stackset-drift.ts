import type { Construct } from "constructs";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { type AdminScheduledFunctionProps, ScheduledFunction } from "./scheduled-function";

/**
 * How often drift detection runs. Each run reports the previous detection and starts the next, so a
 * result is at most two periods old; a stack set's drift detection takes minutes per instance.
 */
export const STACKSET_DRIFT_SCHEDULE = "rate(12 hours)";

/** Function id (functions/stackset-drift/handler.ts). */
export const STACKSET_DRIFT_FUNCTION = "stackset-drift";

/** The function runs in the delegated-admin account (CallAs DELEGATED_ADMIN). */
export type StackSetDriftDetectionProps = AdminScheduledFunctionProps;

/**
 * stackset mode: scheduled StackSet drift detection in the delegated-admin account
 * (functions/stackset-drift). It calls DetectStackSetDrift on the landing's baseline stack set as
 * delegated administrator, reads the instances' drift status, and puts the result on the central bus
 * ("StackSet drift detection result") and into the DriftedStackInstances / DriftDetectionFailed
 * metrics (EMF, service stackset-drift, dimension StackSet). docs/monitoring.md, "StackSet drift".
 */
export class StackSetDriftDetection extends ScheduledFunction {
  constructor(scope: Construct, id: string, props: StackSetDriftDetectionProps) {
    const { names } = props;
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
    super(scope, id, props, {
      functionId: STACKSET_DRIFT_FUNCTION,
      description: "Detects drift of the baseline stack set and reports it to the central bus and a metric",
      statements,
      environment: {
        STACK_SET_PREFIX: names.baselineStackSet,
        CALL_AS: "DELEGATED_ADMIN",
        CENTRAL_BUS_ARN: names.centralBusArn,
      },
      schedule: {
        expression: STACKSET_DRIFT_SCHEDULE,
        description: "Reports the last StackSet drift detection and starts the next",
        maximumEventAgeInSeconds: 3600,
      },
    });
  }
}
