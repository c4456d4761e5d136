import * as z from "zod";
import type { ManifestEvent } from "./ingest";

/** An S3 ObjectCreated notification record (as SQS carries it in the message body). */
const s3Record = z.looseObject({
  eventSource: z.literal("aws:s3"),
  eventName: z.string().startsWith("ObjectCreated:"),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(3) }),
    object: z.looseObject({ key: z.string().min(1) }),
  }),
});

const s3Notification = z.looseObject({ Records: z.array(s3Record) });
/** S3 sends this once when a notification configuration is saved. */
const s3TestEvent = z.looseObject({ Event: z.literal("s3:TestEvent") });

const sqsEvent = z.looseObject({
  Records: z.array(
    z.looseObject({ eventSource: z.literal("aws:sqs"), messageId: z.string(), body: z.string() }),
  ),
});

export type ParsedMessage =
  | { readonly kind: "manifest"; readonly messageId: string; readonly manifests: ManifestEvent[] }
  | { readonly kind: "test"; readonly messageId: string };

/**
 * SQS records carrying S3 notifications → the manifests to ingest. Object keys in S3 notifications
 * are URL-encoded (spaces as +). Anything else is a clear error, never a half-done run.
 */
export function parseIngestEvent(event: unknown): ParsedMessage[] {
  const sqs = sqsEvent.safeParse(event);
  if (!sqs.success)
    throw new Error(
      "cur-ingest expects an SQS event from the CUR manifest queue (records with eventSource aws:sqs); got something else",
    );
  return sqs.data.Records.map((r) => {
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      throw new Error(
        `SQS message ${r.messageId}: the body is not JSON; the queue only takes S3 notifications`,
      );
    }
    if (s3TestEvent.safeParse(body).success) return { kind: "test" as const, messageId: r.messageId };
    const n = s3Notification.safeParse(body);
    if (!n.success)
      throw new Error(
        `SQS message ${r.messageId}: not an S3 ObjectCreated notification (${n.error.issues[0]?.path.join(".")}: ${n.error.issues[0]?.message})`,
      );
    return {
      kind: "manifest" as const,
      messageId: r.messageId,
      manifests: n.data.Records.map((rec) => ({
        bucket: rec.s3.bucket.name,
        key: decodeURIComponent(rec.s3.object.key.replace(/\+/g, " ")),
      })),
    };
  });
}
