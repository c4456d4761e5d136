/** The EventBridge adapter of the committed-event port (announce.ts). */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  CUR_COMMITTED_DETAIL_TYPE,
  CUR_COMMITTED_SOURCE,
  type CurCommittedDetail,
} from "../../contracts/events";
import type { CommittedEventPublisher } from "./announce";

export class EventBridgePublisher implements CommittedEventPublisher {
  /** @param eventBusArn the bus the app's rule listens on (CUR_EVENT_BUS_ARN). */
  constructor(
    private readonly events: Pick<EventBridgeClient, "send">,
    private readonly eventBusArn: string,
  ) {}

  async publish(detail: CurCommittedDetail): Promise<void> {
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusArn,
            Source: CUR_COMMITTED_SOURCE,
            DetailType: CUR_COMMITTED_DETAIL_TYPE,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    // PutEvents answers 200 even when an entry is refused: the entry carries the error.
    const entry = out.Entries?.[0];
    if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId)
      throw new Error(
        `EventBridge refused the event on ${this.eventBusArn}: ${entry?.ErrorCode ?? "no event id"}${entry?.ErrorMessage ? ` (${entry.ErrorMessage})` : ""}`,
      );
  }
}
