import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { Baseline, BaselineRole } from "./baseline";

export interface MemberBaselineProps {
  /** The baseline description (modules/monitoring/baseline.ts) of this account. */
  readonly baseline: Baseline;
  /** Regions of the account; the first is where global resources (roles, dashboard, budget) go. */
  readonly regions: readonly string[];
  readonly provider: (region: string) => AwsProvider;
  /**
   * all: the whole baseline (direct mode). per-account: only what differs per account, the budget
   * (stackset mode, where the stack set deploys the rest). @default "all"
   */
  readonly scope?: "all" | "per-account";
}

/** The baseline as Terraform resources in one member stack (direct mode), region by region. */
export class MemberBaseline extends Construct {
  readonly forwarderRole?: IamRole;
  readonly readOnlyRole?: IamRole;
  readonly rules: CloudwatchEventRule[] = [];
  readonly budget?: BudgetsBudget;

  constructor(scope: Construct, id: string, props: MemberBaselineProps) {
    super(scope, id);
    const { baseline } = props;
    const primary = props.regions[0]!;
    const primaryProvider = props.provider(primary);

    if (baseline.budget) {
      const b = baseline.budget;
      this.budget = new BudgetsBudget(this, "budget", {
        provider: primaryProvider,
        name: b.name,
        budgetType: "COST",
        limitAmount: b.monthlyUsd.toFixed(2),
        limitUnit: "USD",
        timeUnit: "MONTHLY",
        notification:
          b.subscribers.length === 0
            ? []
            : b.notifications.map((n) => ({
                comparisonOperator: "GREATER_THAN",
                notificationType: n.type,
                threshold: n.thresholdPercent,
                thresholdType: "PERCENTAGE",
                subscriberEmailAddresses: [...b.subscribers],
              })),
      });
    }
    if ((props.scope ?? "all") === "per-account") return;

    this.forwarderRole = this.role(baseline.forwarderRole, primaryProvider);
    this.readOnlyRole = this.role(baseline.readOnlyRole, primaryProvider);
    new CloudwatchDashboard(this, "dashboard", {
      provider: primaryProvider,
      dashboardName: baseline.dashboard.name,
      dashboardBody: baseline.dashboard.body,
    });
    for (const region of props.regions) {
      const provider = props.provider(region);
      for (const rule of baseline.rules) {
        const r = new CloudwatchEventRule(this, `rule-${rule.kind}-${region}`, {
          provider,
          name: rule.name,
          description: rule.description,
          eventPattern: rule.eventPattern ? JSON.stringify(rule.eventPattern) : undefined,
          scheduleExpression: rule.scheduleExpression,
        });
        this.rules.push(r);
        new CloudwatchEventTarget(this, `target-${rule.kind}-${region}`, {
          provider,
          rule: r.name,
          targetId: "central-bus",
          arn: baseline.centralBusArn,
          roleArn: this.forwarderRole.arn,
        });
      }
    }
  }

  private role(spec: BaselineRole, provider: AwsProvider): IamRole {
    const role = new IamRole(this, `${spec.key}-role`, {
      provider,
      name: spec.name,
      description: spec.description,
      assumeRolePolicy: JSON.stringify(spec.assumeRolePolicy),
      maxSessionDuration: spec.maxSessionSeconds,
    });
    new IamRolePolicy(this, `${spec.key}-policy`, {
      provider,
      role: role.name,
      name: spec.inlinePolicyName,
      policy: JSON.stringify(spec.inlinePolicy),
    });
    return role;
  }
}
