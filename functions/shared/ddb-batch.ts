import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type BackoffOptions, backoffDelay, sleep } from "./backoff";

/** How the writes went: requests sent and items per request (the batching efficiency). */
export interface BatchStats {
  requests: number;
  items: number;
  retriedItems: number;
}

export function newBatchStats(): BatchStats {
  return { requests: 0, items: 0, retriedItems: 0 };
}

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export interface BatchWriteOptions extends BackoffOptions {
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly stats?: BatchStats;
}

/**
 * BatchWriteItem in chunks of 25 (the API maximum), several chunks in flight, retrying
 * UnprocessedItems with bounded backoff. Throws when items stay unprocessed after the last attempt.
 */
export async function batchWrite(
  ddb: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  o: BatchWriteOptions = {},
): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++]!;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (o.stats) {
          o.stats.requests++;
          o.stats.items += pending.length;
          if (attempt > 1) o.stats.retriedItems += pending.length;
        }
        const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
        if (pending.length === 0) break;
        if (attempt >= (o.maxAttempts ?? 8))
          throw new Error(
            `DynamoDB left ${pending.length} items of ${table} unprocessed after ${attempt} attempts; the table is throttled: retry the run later`,
          );
        await (o.sleep ?? sleep)(backoffDelay(attempt, o));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, chunks.length) }, worker));
}
