import {
  budgetFields,
  type ConvertSettings,
  decide,
  isConfirmationUrl,
  memberTopic,
} from "../../../../functions/budget-alert-forwarder/convert";
import { type ForwarderDeps, processBatch } from "../../../../functions/budget-alert-forwarder/forward";

/**
 * The budget-alert forwarder's logic, pure. Input: SQS message bodies as SNS delivers them to a
 * queue, i.e. the JSON envelope of https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html
 * (Notification) and of https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * (SubscriptionConfirmation). The Message is the text AWS Budgets writes for a notification; AWS
 * documents no format for it, so the fields read from it are best-effort and the text travels along.
 */

const MEMBER = "444444444444";
const TOPIC = `arn:aws:sns:us-east-1:${MEMBER}:finops-budget-alerts`;
const SETTINGS: ConvertSettings = {
  centralBusArn: "arn:aws:events:us-east-1:222222222222:event-bus/finops-central",
  topicName: "finops-budget-alerts",
  source: "finops.budgets",
  detailType: "Budget Threshold Alert",
};

const BUDGET_TEXT = [
  "AWS Budget Notification December 02, 2026",
  `AWS Account ${MEMBER}`,
  "",
  "Dear AWS Customer,",
  "",
  "You requested that we alert you when the ACTUAL Cost associated with your finops-app-prod-monthly budget is greater than $9,600.00 for the current month. The ACTUAL Cost associated with this budget is $9,812.44. You can find additional details below and by accessing the AWS Budgets dashboard [1].",
  "",
  "Budget Name: finops-app-prod-monthly",
  "Budget Type: Cost",
  "Budgeted Amount: $12,000.00",
  "Alert Type: ACTUAL",
  "Alert Threshold: > $9,600.00",
  "ACTUAL Amount: $9,812.44",
  "",
  "[1] https://console.aws.amazon.com/billing/home#/budgets",
].join("\n");

function notification(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",
    TopicArn: TOPIC,
    Subject: "AWS Budgets: finops-app-prod-monthly has exceeded your alert threshold",
    Message: BUDGET_TEXT,
    Timestamp: "2026-12-02T05:12:16.901Z",
    SignatureVersion: "1",
    Signature: "EXAMPLEnTrFPa3...",
    SigningCertURL:
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
    ...overrides,
  });
}

function confirmation(topicArn = TOPIC, region = "us-east-1"): string {
  return JSON.stringify({
    Type: "SubscriptionConfirmation",
    MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
    Token:
      "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
    TopicArn: topicArn,
    Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=2336412f37fb687f`,
    Timestamp: "2026-12-02T05:10:00.000Z",
    SignatureVersion: "1",
    Signature: "EXAMPLEpH+...",
    SigningCertURL:
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
  });
}

const members = (a: string) => a === MEMBER;

describe("decide", () => {
  it("turns a member's budget notification into a central-bus event, account from the topic ARN", () => {
    const d = decide(notification(), members, SETTINGS);
    expect(d.kind).toBe("forward");
    if (d.kind !== "forward") return;
    expect(d.entry).toMatchObject({
      EventBusName: SETTINGS.centralBusArn,
      Source: "finops.budgets",
      DetailType: "Budget Threshold Alert",
      Resources: [TOPIC],
      Time: new Date("2026-12-02T05:12:16.901Z"),
    });
    expect(JSON.parse(d.entry.Detail)).toEqual({
      account: MEMBER,
      region: "us-east-1",
      topicArn: TOPIC,
      snsMessageId: "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",
      budgetName: "finops-app-prod-monthly",
      budgetType: "Cost",
      notificationType: "ACTUAL",
      alertThreshold: "> $9,600.00",
      budgetedAmount: "$12,000.00",
      amount: "$9,812.44",
      subject: "AWS Budgets: finops-app-prod-monthly has exceeded your alert threshold",
      message: BUDGET_TEXT,
    });
  });

  it("forwards a notification whose text it cannot read, with the text and no invented fields", () => {
    const d = decide(notification({ Message: "something else entirely" }), members, SETTINGS);
    expect(d.kind).toBe("forward");
    if (d.kind !== "forward") return;
    const detail = JSON.parse(d.entry.Detail);
    expect(detail).toMatchObject({ account: MEMBER, message: "something else entirely" });
    expect(detail.budgetName).toBeUndefined();
    expect(detail.amount).toBeUndefined();
  });

  it("reads the FORECASTED amount of a forecast notification", () => {
    const text = BUDGET_TEXT.replace("Alert Type: ACTUAL", "Alert Type: FORECASTED").replace(
      "ACTUAL Amount: $9,812.44",
      "FORECASTED Amount: $13,100.00",
    );
    expect(budgetFields(text)).toMatchObject({ notificationType: "FORECASTED", amount: "$13,100.00" });
  });

  it("drops topics outside the organization, topics of another name and what is not an SNS envelope", () => {
    expect(decide(notification(), () => false, SETTINGS)).toMatchObject({ kind: "drop" });
    expect(
      decide(notification({ TopicArn: `arn:aws:sns:us-east-1:${MEMBER}:other` }), members, SETTINGS),
    ).toMatchObject({ kind: "drop" });
    expect(decide("not json", members, SETTINGS)).toMatchObject({ kind: "drop" });
    expect(decide(JSON.stringify({ Type: "Notification" }), members, SETTINGS)).toMatchObject({
      kind: "drop",
    });
    expect(decide(notification({ Type: "UnsubscribeConfirmation" }), members, SETTINGS)).toMatchObject({
      kind: "drop",
    });
  });

  it("confirms a member topic's subscription through SNS's own link for that topic only", () => {
    expect(decide(confirmation(), members, SETTINGS)).toMatchObject({ kind: "confirm", topicArn: TOPIC });
    // A link to anywhere else, or for another topic, is never visited.
    const evil = JSON.parse(confirmation());
    evil.SubscribeURL = "https://example.com/?Action=ConfirmSubscription";
    expect(decide(JSON.stringify(evil), members, SETTINGS)).toMatchObject({ kind: "drop" });
    expect(
      decide(confirmation(`arn:aws:sns:us-east-1:999999999999:finops-budget-alerts`), members, SETTINGS),
    ).toMatchObject({
      kind: "drop",
    });
  });

  it("parses topic ARNs and confirmation links strictly", () => {
    expect(memberTopic(TOPIC, "finops-budget-alerts")).toEqual({ account: MEMBER, region: "us-east-1" });
    expect(memberTopic(`${TOPIC}:sub-id`, "finops-budget-alerts")).toBeUndefined();
    const url = JSON.parse(confirmation(TOPIC, "eu-west-1")).SubscribeURL;
    expect(isConfirmationUrl(url, TOPIC, "eu-west-1")).toBe(true);
    expect(isConfirmationUrl(url, TOPIC, "us-east-1")).toBe(false);
    expect(isConfirmationUrl(url.replace("https:", "http:"), TOPIC, "eu-west-1")).toBe(false);
  });
});

describe("processBatch", () => {
  function deps(overrides: Partial<ForwarderDeps> = {}) {
    const put: unknown[] = [];
    const visited: string[] = [];
    const d: ForwarderDeps = {
      accounts: async () => new Set([MEMBER]),
      putEvents: async (entries) => {
        put.push(...entries);
        return { failed: 0 };
      },
      confirm: async (url) => {
        visited.push(url);
      },
      ...overrides,
    };
    return { d, put, visited };
  }

  it("forwards notifications, confirms subscriptions, drops the rest", async () => {
    const { d, put, visited } = deps();
    const out = await processBatch(
      [
        { messageId: "m1", body: notification() },
        { messageId: "m2", body: confirmation() },
        { messageId: "m3", body: "junk" },
      ],
      d,
      SETTINGS,
    );
    expect(out).toEqual({ forwarded: 1, confirmed: 1, dropped: 1, failedMessageIds: [] });
    expect(put).toHaveLength(1);
    expect(visited).toEqual([JSON.parse(confirmation()).SubscribeURL]);
  });

  it("returns exactly the records whose put or confirmation failed, for retry", async () => {
    const { d } = deps({
      putEvents: async () => ({ failed: 1 }),
      confirm: async () => {
        throw new Error("SNS answered 403");
      },
    });
    const out = await processBatch(
      [
        { messageId: "m1", body: notification() },
        { messageId: "m2", body: confirmation() },
        { messageId: "m3", body: "junk" },
      ],
      d,
      SETTINGS,
    );
    expect(out.failedMessageIds.sort()).toEqual(["m1", "m2"]);
    expect(out.dropped).toBe(1);
  });
});
