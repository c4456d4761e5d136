import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { Construct } from "constructs";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** A member account: the monitoring baseline, the same in every account and region. */
export class MemberStack extends AccountStack {
  constructor(scope: Construct, id: string, props: AccountStackProps) {
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
  }
}
