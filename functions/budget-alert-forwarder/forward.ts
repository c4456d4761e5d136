import { type CentralBusEntry, type ConvertSettings, decide } from "./convert";

/** One SQS record as the event source mapping delivers it (the fields used here). */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
}

/** The side effects, injected: the handler passes SDK/HTTPS calls, the tests fakes or the emulator. */
export interface ForwarderDeps {
  /** Ids of the organization's accounts (ACTIVE or not: a suspended account's alert is still news). */
  readonly accounts: () => Promise<ReadonlySet<string>>;
  /** Puts entries on the central bus; returns how many failed. */
  readonly putEvents: (entries: CentralBusEntry[]) => Promise<{ failed: number }>;
  /** Visits SNS's confirmation link (HTTPS GET); throws when SNS does not answer 200. */
  readonly confirm: (url: string) => Promise<void>;
  readonly log?: (message: string, data: Record<string, unknown>) => void;
}

export interface ForwardResult {
  readonly forwarded: number;
  readonly confirmed: number;
  readonly dropped: number;
  /** Message ids to retry (SQS partial batch response). */
  readonly failedMessageIds: string[];
}

/**
 * Processes one batch: forwards budget notifications to the central bus, confirms subscriptions of
 * the organization's budget-alerts topics, drops (and logs) everything else. A record whose put or
 * confirmation fails is returned for retry; the others are not repeated.
 */
export async function processBatch(
  records: readonly QueueRecord[],
  deps: ForwarderDeps,
  settings: ConvertSettings,
): Promise<ForwardResult> {
  const accounts = await deps.accounts();
  const decisions = records.map((r) => ({
    record: r,
    decision: decide(r.body, (a) => accounts.has(a), settings),
  }));
  const failed: string[] = [];
  let forwarded = 0;
  let confirmed = 0;
  let dropped = 0;
  for (const { record, decision } of decisions) {
    if (decision.kind === "drop") {
      dropped++;
      deps.log?.("dropped a message of the budget-alerts queue", {
        messageId: record.messageId,
        reason: decision.reason,
      });
    } else if (decision.kind === "confirm") {
      try {
        await deps.confirm(decision.url);
        confirmed++;
        deps.log?.("confirmed a member's budget-alerts subscription", { topicArn: decision.topicArn });
      } catch (e) {
        failed.push(record.messageId);
        deps.log?.("could not confirm a subscription", { topicArn: decision.topicArn, error: String(e) });
      }
    }
  }
  // One PutEvents per record: a failed entry maps to exactly one message to retry (≤ 10 per batch).
  for (const { record, decision } of decisions) {
    if (decision.kind !== "forward") continue;
    try {
      const { failed: n } = await deps.putEvents([decision.entry]);
      if (n > 0) failed.push(record.messageId);
      else forwarded++;
    } catch (e) {
      failed.push(record.messageId);
      deps.log?.("could not put a budget alert on the central bus", {
        account: decision.account,
        error: String(e),
      });
    }
  }
  return { forwarded, confirmed, dropped, failedMessageIds: failed };
}
