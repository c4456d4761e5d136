import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";
import { ACCOUNT_EVENTS_PATTERN, ORGANIZATIONS_EVENTS_REGION } from "../../contracts/organizations-events";

export interface OrgEventsForwardingProps {
  /** The payer's provider in us-east-1, where Organizations emits its events (ORGANIZATIONS_EVENTS_REGION). */
  readonly provider: TerraformProvider;
  readonly payerAccountId: string;
  /** The admin's central bus (config/naming.ts centralBusArn): the one place this role may put events. */
  readonly centralBusArn: string;
  readonly ruleName: string;
  readonly roleName: string;
}

/** What the forwarding role may do: PutEvents on exactly the admin's central bus. */
export function forwardingRoleStatements(centralBusArn: string): PolicyStatement[] {
  return [
    {
      Sid: "PutEventsOnTheAdminCentralBus",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: centralBusArn,
    },
  ];
}

/**
 * Forwards Organizations' account events (CreateAccountResult and the account-state API calls of
 * contracts/organizations-events.ts) from the management account's us-east-1 default bus, where
 * Organizations emits them, to the admin's central bus. There the central log group keeps them and
 * account-sync's rule runs the sync at once instead of on its schedule (docs/data-platform.md).
 * The admin's bus policy admits the organization (aws:PrincipalOrgID, modules/monitoring/central.ts).
 * A failed delivery is retried for a day; the account-sync schedule is the backstop.
 */
export class OrgEventsForwarding extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly role: IamRole;
  readonly target: CloudwatchEventTarget;

  constructor(scope: Construct, id: string, props: OrgEventsForwardingProps) {
    super(scope, id);
    const { provider } = props;
    const ruleArn = `arn:aws:events:${ORGANIZATIONS_EVENTS_REGION}:${props.payerAccountId}:rule/${props.ruleName}`;
    this.rule = new CloudwatchEventRule(this, "rule", {
      provider,
      name: props.ruleName,
      description:
        "Organizations account events (creation, closure, removal, move) to the admin's central bus",
      eventPattern: JSON.stringify(ACCOUNT_EVENTS_PATTERN),
    });
    this.role = new IamRole(this, "role", {
      provider,
      name: props.roleName,
      description: "EventBridge forwards Organizations account events to the admin's central bus",
      assumeRolePolicy: policyDocument([
        {
          Sid: "EventBridgeForThisRule",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": props.payerAccountId },
            ArnEquals: { "aws:SourceArn": ruleArn },
          },
        },
      ]),
    });
    new IamRolePolicy(this, "role-policy", {
      provider,
      name: "put-events-central-bus",
      role: this.role.id,
      policy: policyDocument(forwardingRoleStatements(props.centralBusArn)),
    });
    this.target = new CloudwatchEventTarget(this, "target", {
      provider,
      rule: this.rule.name,
      targetId: "admin-central-bus",
      arn: props.centralBusArn,
      roleArn: this.role.arn,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
    });
  }
}
