import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { Construct } from "constructs";
import type { MemberAccount } from "../config/schema";
import { memberBaseline } from "../modules/monitoring/baseline";
import { MemberBaseline } from "../modules/monitoring/member-baseline";
import { AccountStack, type AccountStackProps } from "./account-stack";

export interface MemberStackProps extends AccountStackProps {
  /** The member's config entry (budget, owner). @default looked up by account id */
  readonly member?: MemberAccount;
}

/**
 * A member account: the monitoring baseline, the same in every account and region.
 * direct mode: the whole baseline as Terraform resources. stackset mode: the admin's stack set
 * deploys the baseline; this stack keeps only what differs per account (the budget) and the SSM
 * parameter naming the central bus.
 */
export class MemberStack extends AccountStack {
  readonly baseline: MemberBaseline;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    for (const region of this.account.regions) {
      // Where this account's baseline sends its events: read by tooling and by the baseline's rules.
      new SsmParameter(this, `central-bus-arn-${region}`, {
        provider: this.provider(region),
        name: this.names.ssmParameter("central-bus-arn"),
        type: "String",
        value: this.names.centralBusArn,
        description: "ARN of the central FinOps monitoring bus in the delegated-admin account",
      });
    }
    const member = props.member ?? this.config.members.find((m) => m.id === this.account.id);
    this.baseline = new MemberBaseline(this, "monitoring-baseline", {
      baseline: memberBaseline({
        names: this.names,
        accountId: this.account.id,
        regions: this.account.regions,
        member,
      }),
      regions: this.account.regions,
      provider: (region) => this.provider(region),
      scope: this.config.monitoring.mode === "direct" ? "all" : "per-account",
    });
  }
}
