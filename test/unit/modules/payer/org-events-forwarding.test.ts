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

  it("lets only EventBridge, for the forwarding rules of this account, assume the role", () => {
    expect(statements(role.assume_role_policy)).toEqual([
      {
        Sid: "EventBridgeForTheseRules",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": PAYER },
          ArnEquals: {
            "aws:SourceArn": [
              `arn:aws:events:us-east-1:${PAYER}:rule/finops-org-account-events`,
              `arn:aws:events:us-east-1:${PAYER}:rule/finops-org-account-events-alarms`,
            ],
          },
        },
      },
    ]);
  });

  it("keeps what it cannot deliver in a KMS-encrypted DLQ that only its rules may write, and alarms on it", () => {
    const dlq = resource(payer, "aws_sqs_queue", "org-events-forwarding/dlq");
    expect(dlq.name).toBe("finops-org-account-events-dlq");
    expect(dlq.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.org-events-forwarding_dlq-key_\w+\.arn\}$/);
    expect(target.dead_letter_config).toEqual({
      arn: expect.stringMatching(/aws_sqs_queue\.org-events-forwarding_dlq_/),
    });
    const [send] = statements(
      resource(payer, "aws_sqs_queue_policy", "org-events-forwarding/dlq-policy").policy,
    );
    expect(send!.Condition).toEqual({
      ArnEquals: {
        "aws:SourceArn": [
          `arn:aws:events:us-east-1:${PAYER}:rule/finops-org-account-events`,
          `arn:aws:events:us-east-1:${PAYER}:rule/finops-org-account-events-alarms`,
        ],
      },
    });
    const alarms = Object.values(payer.aws_cloudwatch_metric_alarm ?? {}).map((a) => [
      a.alarm_name,
      a.metric_name,
    ]);
    expect(alarms).toEqual(
      expect.arrayContaining([
        ["finops-baseline-payer-org-events-events-FailedInvocations", "FailedInvocations"],
        ["finops-baseline-payer-org-events-dlq-visible", "ApproximateNumberOfMessagesVisible"],
      ]),
    );
    // Their state changes travel to the central bus, where alarms named finops-baseline-* alert.
    const alarmRule = resource(payer, "aws_cloudwatch_event_rule", "org-events-forwarding/alarm-rule");
    expect(JSON.parse(alarmRule.event_pattern).detail).toEqual({
      alarmName: [{ prefix: "finops-baseline-payer-org-events-" }],
    });
  });
});
