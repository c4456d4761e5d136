/** Bounded exponential backoff with full jitter, for throttling and eventual consistency. */
export interface BackoffOptions {
  /** Attempts in total, the first included. @default 6 */
  readonly maxAttempts?: number;
  /** @default 200 */
  readonly baseMs?: number;
  /** @default 5000 */
  readonly maxMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Deterministic jitter in tests. @default Math.random */
  readonly random?: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const THROTTLING = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "Throttling",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "SlowDown",
]);

export function isThrottling(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name !== undefined && THROTTLING.has(name);
}

/** Delay before attempt `attempt` (1-based retries): min(maxMs, base·2^attempt) scaled by jitter. */
export function backoffDelay(attempt: number, o: BackoffOptions = {}): number {
  const cap = Math.min(o.maxMs ?? 5000, (o.baseMs ?? 200) * 2 ** attempt);
  return Math.round(cap * (0.5 + (o.random ?? Math.random)() / 2));
}

/** Runs fn, retrying while `retryable(error)` holds, at most maxAttempts times in all. */
export async function withBackoff<T>(
  fn: () => Promise<T>,
  retryable: (e: unknown) => boolean = isThrottling,
  o: BackoffOptions = {},
): Promise<T> {
  const max = o.maxAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= max || !retryable(e)) throw e;
      await (o.sleep ?? sleep)(backoffDelay(attempt, o));
    }
  }
}
