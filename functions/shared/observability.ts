/**
 * Every function's observability: one Powertools Logger (JSON log lines) and one Powertools Metrics
 * (CloudWatch embedded metric format, EMF: JSON written to stdout, which CloudWatch Logs turns into
 * metrics). Each function bundles its own copy of this module, so each has its own pair.
 *
 * - Service: POWERTOOLS_SERVICE_NAME, which modules/bundled-function/index.ts sets to the function's
 *   short name ("api", "cur-ingest", ...); it names the `service` of log lines and the `service`
 *   dimension of every metric.
 * - Namespace: POWERTOOLS_METRICS_NAMESPACE when set, else FinOpsLanding.
 *
 * `lambdaHandler` wraps every entry (functions/<name>/handler.ts): it adds the Lambda context to the
 * log lines (`logger.addContext`) and flushes the invocation's metrics at its end, returned or
 * thrown (`publishStoredMetrics`), as Powertools' logMetrics/injectLambdaContext middlewares do.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { APP_METRICS_NAMESPACE } from "../../contracts/metrics";

export { MetricUnit };

/** The CloudWatch namespace of the landing's own application metrics. */
export const METRICS_NAMESPACE = APP_METRICS_NAMESPACE;

export const logger = new Logger();

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
});

/**
 * Writes the stored metrics as one EMF record and clears them with their request dimensions and
 * metadata; with nothing stored it writes nothing (and does not warn, as publishStoredMetrics does).
 */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  else {
    metrics.clearDimensions();
    metrics.clearMetadata();
  }
}

/** What Lambda calls: the event (none for a handler that reads none) and the context. */
export type LambdaEntry<A extends [event?: unknown, context?: Context], R> = A extends []
  ? (event?: unknown, context?: Context) => Promise<R>
  : (event: A[0], context?: Context) => Promise<R>;

/**
 * A Lambda entry with the context in every log line and the metrics flushed when it ends. The
 * wrapped function declares only the arguments it reads; the context is optional so that tests and
 * in-process callers may call the entry with the event alone.
 */
export function lambdaHandler<A extends [event?: unknown, context?: Context], R>(
  fn: (...args: A) => Promise<R>,
): LambdaEntry<A, R> {
  const entry = async (event?: unknown, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    try {
      return await fn(...([event, context] as unknown as A));
    } finally {
      flushMetrics();
    }
  };
  return entry as LambdaEntry<A, R>;
}
