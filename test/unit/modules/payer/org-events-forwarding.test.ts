import { ACCOUNT_EVENTS_PATTERN } from "../../../../contracts/organizations-events";
import { localConfig, resource, statements, synthPayer } from "../../../support/synth";

/**
 * The new-account path: Organizations emits its account events on the management account's
 * us-east-1 default bus only (contracts/organizations-events.ts cites the AWS docs); the payer stack
 * forwards them to the admin's central bus with a role that can put events on that bus alone.
 */
const PAYER = "111111111111";
const ADMIN = "222222222222";
const CENTRAL_BUS = `arn:aws:events:us-east-1:${ADMIN}:event-bus/finops-central`;

describe("Organizations account events forwarding (payer stack)", () => {
  const payer = synthPayer(localConfig());
  const rule = resource(payer, "aws_cloudwatch_event_rule", "org-events-forwarding/rule");
  const target = resource(payer, "aws_cloudwatch_event_target", "org-events-forwarding/target");
  const role = resource(payer, "aws_iam_role", "org-events-forwarding/role");
  const policy = resource(payer, "aws_iam_role_policy", "org-events-forwarding/role-policy");

  it("matches the account events on the us-east-1 default bus", () => {
    // "aws": the payer's default provider, in cur.homeRegion, which rules.ts pins to us-east-1.
    expect(rule.provider).toBe("aws");
    expect(rule.event_bus_name).toBeUndefined();
    expect(JSON.parse(rule.event_pattern)).toEqual(ACCOUNT_EVENTS_PATTERN);
    expect(ACCOUNT_EVENTS_PATTERN).toMatchObject({
      source: ["aws.organizations"],
      "detail-type": expect.arrayContaining(["AWS Service Event via CloudTrail"]),
      detail: { eventName: expect.arrayContaining(["CreateAccountResult"]) },
    });
  });

  it("targets the admin's central bus with a role that may put events on exactly that bus", () => {
    expect(target.arn).toBe(CENTRAL_BUS);
    expect(target.role_arn).toMatch(/^\$\{aws_iam_role\.org-events-forwarding_role_\w+\.arn\}$/);
    expect(target.retry_policy).toEqual({ maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 });
    expect(statements(policy.policy)).toEqual([
      {
        Sid: "PutEventsOnTheAdminCentralBus",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: CENTRAL_BUS,
      },
    ]);
  });

  it("lets only EventBridge, for this rule of this account, assume the role", () => {
    expect(statements(role.assume_role_policy)).toEqual([
      {
        Sid: "EventBridgeForThisRule",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": PAYER },
          ArnEquals: { "aws:SourceArn": `arn:aws:events:us-east-1:${PAYER}:rule/finops-org-account-events` },
        },
      },
    ]);
  });
});
