import * as z from "zod";
import type { ConvertSettings } from "./convert";

/**
 * The forwarder's environment (set by modules/monitoring/budget-alert-forwarding.ts): validated once
 * at cold start; the synth tests check the deployed variables against the same schema.
 */
export const FORWARDER_ENV = z.object({
  CENTRAL_BUS_ARN: z.string().regex(/^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.-]+$/),
  TOPIC_NAME: z.string().min(1),
  EVENT_SOURCE: z.string().min(1),
  EVENT_DETAIL_TYPE: z.string().min(1),
  /** How long the organization's account list is reused across invocations. */
  ACCOUNTS_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
});

export function settingsFrom(env: z.output<typeof FORWARDER_ENV>): ConvertSettings {
  return {
    centralBusArn: env.CENTRAL_BUS_ARN,
    topicName: env.TOPIC_NAME,
    source: env.EVENT_SOURCE,
    detailType: env.EVENT_DETAIL_TYPE,
  };
}
