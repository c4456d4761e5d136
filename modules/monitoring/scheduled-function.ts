import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { BundledFunction } from "../bundled-function";

/** Where a scheduled monitoring function of the delegated-admin account runs, and what it sees. */
export interface AdminScheduledFunctionProps {
  readonly names: Names;
  /** The delegated-admin account, where the function runs. */
  readonly adminAccountId: string;
  /**
   * The management account: AWS keeps service-managed stack sets there, also those a delegated
   * administrator creates.
   */
  readonly payerAccountId: string;
  readonly logRetentionDays: number;
  /** prevent_destroy on the function's log group. */
  readonly preventDestroy: boolean;
  /** Provider of the admin account in organization.homeRegion (the stack set's, central bus's and alarms' region). */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Customer-managed key of the admin's functions (environment, log group). */
  readonly functionsKeyArn: string;
}

/** What one scheduled function is: its handler, rights, environment and schedule. */
export interface ScheduledFunctionSpec {
  /** Function id (functions/<id>/handler.ts); Names derives the function's name from it. */
  readonly functionId: string;
  readonly description: string;
  readonly statements: readonly PolicyStatement[];
  readonly environment: Readonly<Record<string, string>>;
  readonly schedule: {
    /** An EventBridge schedule expression, e.g. "rate(15 minutes)". */
    readonly expression: string;
    readonly description: string;
    /** How long EventBridge retries a failed invocation (2 attempts). */
    readonly maximumEventAgeInSeconds: number;
  };
}

/**
 * A Lambda function of the delegated-admin account (BundledFunction, 120 s, 256 MB) that an
 * EventBridge rule `<function name>-schedule` invokes on a schedule; only that rule may invoke it
 * (lambda:InvokeFunction for events.amazonaws.com with the rule's ARN as source). The StackSet
 * monitor and the StackSet drift detection are two of them.
 */
export class ScheduledFunction extends Construct {
  readonly fn: BundledFunction;
  readonly schedule: CloudwatchEventRule;
  /** The function's environment (what the synth tests check against the handler's schema). */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AdminScheduledFunctionProps, spec: ScheduledFunctionSpec) {
    super(scope, id);
    const { names, provider } = props;
    this.environment = spec.environment;
    this.fn = new BundledFunction(this, "function", {
      name: spec.functionId,
      names,
      accountId: props.adminAccountId,
      region: props.region,
      description: spec.description,
      kmsKeyArn: props.functionsKeyArn,
      logRetentionDays: props.logRetentionDays,
      statements: spec.statements,
      environment: this.environment,
      timeoutSeconds: 120,
      memorySizeMb: 256,
      preventDestroy: props.preventDestroy,
      provider,
    });
    this.schedule = new CloudwatchEventRule(this, "schedule", {
      provider,
      name: `${names.functionName(spec.functionId)}-schedule`,
      description: spec.schedule.description,
      scheduleExpression: spec.schedule.expression,
    });
    new CloudwatchEventTarget(this, "schedule-target", {
      provider,
      rule: this.schedule.name,
      targetId: spec.functionId,
      arn: this.fn.function.arn,
      retryPolicy: {
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: spec.schedule.maximumEventAgeInSeconds,
      },
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
