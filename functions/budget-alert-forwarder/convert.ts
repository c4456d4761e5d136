/**
 * Pure logic of the budget-alert forwarder: an SQS message body as SNS delivers it to a queue (the
 * JSON envelope of https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html: Type,
 * MessageId, TopicArn, Subject, Message, Timestamp, and for a confirmation Token and SubscribeURL),
 * in; what to do with it, out. No SDK, no clock, no network.
 *
 * The Message of a budget notification is the text AWS Budgets writes (the same as its email).
 * AWS documents no machine-readable format for it, so the fields below are read best-effort from its
 * "Name: value" lines and the text itself always travels with the event; the member account is taken
 * from the topic ARN (the topic lives in the budget's own account), never from the text.
 */

export interface SnsEnvelope {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly Token?: string;
  readonly SubscribeURL?: string;
}

export interface BudgetAlertDetail {
  readonly account: string;
  readonly region: string;
  readonly topicArn: string;
  readonly snsMessageId: string;
  readonly budgetName?: string;
  readonly budgetType?: string;
  /** ACTUAL or FORECASTED. */
  readonly notificationType?: string;
  /** As Budgets writes it, e.g. "> $80.00". */
  readonly alertThreshold?: string;
  readonly budgetedAmount?: string;
  /** The ACTUAL or FORECASTED amount the notification reports. */
  readonly amount?: string;
  readonly subject?: string;
  readonly message: string;
}

export interface CentralBusEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Resources: string[];
  readonly Time: Date;
}

export type Decision =
  | { readonly kind: "forward"; readonly account: string; readonly entry: CentralBusEntry }
  | { readonly kind: "confirm"; readonly account: string; readonly topicArn: string; readonly url: string }
  | { readonly kind: "drop"; readonly reason: string };

export interface ConvertSettings {
  readonly centralBusArn: string;
  /** Name of the members' budget-alerts topic: nothing else is forwarded or confirmed. */
  readonly topicName: string;
  readonly source: string;
  readonly detailType: string;
}

const TOPIC_ARN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([\w-]+)$/;

/** The account and region of a topic ARN of the expected name; undefined for anything else. */
export function memberTopic(
  topicArn: string,
  topicName: string,
): { account: string; region: string } | undefined {
  const m = TOPIC_ARN.exec(topicArn);
  if (!m || m[3] !== topicName) return undefined;
  return { region: m[1]!, account: m[2]! };
}

export function parseEnvelope(body: string): SnsEnvelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const e = parsed as Partial<SnsEnvelope> | null;
  if (
    !e ||
    typeof e.Type !== "string" ||
    typeof e.TopicArn !== "string" ||
    typeof e.MessageId !== "string" ||
    typeof e.Message !== "string" ||
    typeof e.Timestamp !== "string"
  )
    return undefined;
  return e as SnsEnvelope;
}

/** "Budget Name: x" style lines of the Budgets text. */
function lines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(.+?)\s*$/.exec(line);
    if (m && !out.has(m[1]!.toLowerCase())) out.set(m[1]!.toLowerCase(), m[2]!);
  }
  return out;
}

/** Best-effort fields of the Budgets text (undefined when a line is absent). */
export function budgetFields(
  text: string,
): Pick<
  BudgetAlertDetail,
  "budgetName" | "budgetType" | "notificationType" | "alertThreshold" | "budgetedAmount" | "amount"
> {
  const l = lines(text);
  const notificationType = l.get("alert type")?.toUpperCase();
  return {
    budgetName: l.get("budget name"),
    budgetType: l.get("budget type"),
    notificationType,
    alertThreshold: l.get("alert threshold"),
    budgetedAmount: l.get("budgeted amount"),
    amount: notificationType ? l.get(`${notificationType.toLowerCase()} amount`) : undefined,
  };
}

/** A SubscribeURL that is SNS's own ConfirmSubscription link for exactly this topic. */
export function isConfirmationUrl(url: string, topicArn: string, region: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === "https:" &&
    u.hostname === `sns.${region}.amazonaws.com` &&
    u.searchParams.get("Action") === "ConfirmSubscription" &&
    u.searchParams.get("TopicArn") === topicArn &&
    (u.searchParams.get("Token") ?? "") !== ""
  );
}

/**
 * What to do with one SQS message body. `isMember` says whether an account belongs to the
 * organization; a topic of any other account is dropped (its confirmation is never visited).
 */
export function decide(body: string, isMember: (account: string) => boolean, s: ConvertSettings): Decision {
  const envelope = parseEnvelope(body);
  if (!envelope) return { kind: "drop", reason: "not an SNS envelope" };
  const topic = memberTopic(envelope.TopicArn, s.topicName);
  if (!topic) return { kind: "drop", reason: `topic ${envelope.TopicArn} is not a ${s.topicName} topic` };
  if (!isMember(topic.account))
    return { kind: "drop", reason: `account ${topic.account} is not an account of the organization` };

  if (envelope.Type === "SubscriptionConfirmation") {
    const url = envelope.SubscribeURL ?? "";
    if (!isConfirmationUrl(url, envelope.TopicArn, topic.region))
      return { kind: "drop", reason: "SubscribeURL is not SNS's confirmation link for this topic" };
    return { kind: "confirm", account: topic.account, topicArn: envelope.TopicArn, url };
  }
  if (envelope.Type !== "Notification")
    return { kind: "drop", reason: `SNS message type ${envelope.Type} is not forwarded` };

  const time = new Date(envelope.Timestamp);
  const detail: BudgetAlertDetail = {
    account: topic.account,
    region: topic.region,
    topicArn: envelope.TopicArn,
    snsMessageId: envelope.MessageId,
    ...budgetFields(envelope.Message),
    subject: envelope.Subject,
    message: envelope.Message,
  };
  return {
    kind: "forward",
    account: topic.account,
    entry: {
      EventBusName: s.centralBusArn,
      Source: s.source,
      DetailType: s.detailType,
      Detail: JSON.stringify(detail),
      Resources: [envelope.TopicArn],
      Time: Number.isNaN(time.getTime()) ? new Date(0) : time,
    },
  };
}
