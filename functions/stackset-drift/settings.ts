import * as z from "zod";

/**
 * The drift detection's environment (set by modules/monitoring/stackset-drift.ts): the handler
 * validates it once at cold start; the synth tests check the deployed variables against it.
 */
export const DRIFT_ENV = z.object({
  STACK_SET_PREFIX: z.string().min(1),
  CALL_AS: z.enum(["SELF", "DELEGATED_ADMIN"]).default("DELEGATED_ADMIN"),
  CENTRAL_BUS_ARN: z.string().regex(/^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/.+$/),
});
