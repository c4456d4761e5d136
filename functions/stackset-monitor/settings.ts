import * as z from "zod";
import type { MonitorSettings } from "./monitor";

/**
 * The monitor's environment (set by modules/monitoring/stackset-monitor.ts): the handler validates
 * it once at cold start; the synth tests check the deployed variables against the same schema.
 */
export const MONITOR_ENV = z.object({
  METRICS_NAMESPACE: z.string().min(1),
  HEARTBEAT_NAMESPACE: z.string().min(1),
  HEARTBEAT_METRIC: z.string().min(1).default("Heartbeats"),
  HEARTBEAT_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(1800),
  STACK_SET_PREFIX: z.string().default(""),
  CALL_AS: z.enum(["SELF", "DELEGATED_ADMIN"]).default("DELEGATED_ADMIN"),
  WINDOW_MINUTES: z.coerce.number().int().positive().default(60),
});

/** The monitor's settings from its (validated) environment. */
export function settingsFrom(env: z.output<typeof MONITOR_ENV>): MonitorSettings {
  return {
    namespace: env.METRICS_NAMESPACE,
    heartbeatNamespace: env.HEARTBEAT_NAMESPACE,
    heartbeatMetric: env.HEARTBEAT_METRIC,
    heartbeatMaxAgeSeconds: env.HEARTBEAT_MAX_AGE_SECONDS,
    stackSetPrefix: env.STACK_SET_PREFIX,
    callAs: env.CALL_AS,
    windowMinutes: env.WINDOW_MINUTES,
  };
}
