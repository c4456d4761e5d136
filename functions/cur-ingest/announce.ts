/**
 * After the ingest: tells the rest of the platform that a billing period is committed, through a
 * publisher port (EventBridge in the function: eventbridge-publisher.ts; a recording fake in tests).
 *
 * When the event goes out:
 * - only after a run that ends with the delivery committed: "ingested" (this run moved the
 *   period's pointer) or "unchanged" (the same delivery was committed already);
 * - never after a failed run: the ingest throws before anything is announced, and nothing partial
 *   is ever committed (ingest.ts), so there is nothing to announce;
 * - again for a re-ingest of the same manifest ("unchanged"): delivery is at least once. A run whose
 *   PutEvents fails after the commit fails its SQS message; the retry finds the delivery unchanged
 *   and announces it then. Consumers are idempotent (spend-cards rewrites a card only when its
 *   source version or final flag changes), so a repeated event changes nothing;
 * - never after a "superseded" run (a create-new delivery older than the period's newest execution):
 *   it changed nothing, and the newest execution's own run announces the period.
 */
import type { CurCommittedDetail } from "../../contracts/events";
import type { IngestResult } from "./ingest";

/** The port: puts one "CUR billing period committed" event; throws when it was not accepted. */
export interface CommittedEventPublisher {
  publish(detail: CurCommittedDetail): Promise<void>;
}

/** A run that left its delivery committed. */
export type CommittedIngestResult = IngestResult & { readonly status: "ingested" | "unchanged" };

/** The event detail for a committed run. */
export function committedDetail(result: CommittedIngestResult): CurCommittedDetail {
  return {
    billingPeriod: result.billingPeriod,
    version: result.version,
    invoiced: result.invoiced,
    status: result.status,
    runId: result.runId,
    manifestKey: result.manifestKey,
    ...(result.previousVersion !== undefined ? { previousVersion: result.previousVersion } : {}),
  };
}

/**
 * Runs one ingest and, when it committed (or found committed) the delivery, publishes exactly one
 * event. A failed ingest publishes nothing and rethrows its error; a superseded one publishes
 * nothing; a failed publish throws so the message is retried.
 */
export async function ingestAndAnnounce(
  ingest: () => Promise<IngestResult>,
  publisher: CommittedEventPublisher,
): Promise<IngestResult> {
  const result = await ingest();
  if (result.status === "superseded") return result;
  const detail = committedDetail(result as CommittedIngestResult);
  try {
    await publisher.publish(detail);
  } catch (e) {
    throw new Error(
      `billing period ${detail.billingPeriod} version ${detail.version} is committed, but the "CUR billing period committed" event was not put (${(e as Error).message}); the message is retried and the re-run announces it`,
      { cause: e },
    );
  }
  return result;
}
