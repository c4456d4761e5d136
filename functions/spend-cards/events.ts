/**
 * What starts a card run:
 * - the Monday schedule (EventBridge Scheduler, explicit time zone): `{ "kind": "weekly" }`, with an
 *   optional `date` (YYYY-MM-DD, the Monday) to re-run a past week; without it, today in the
 *   configured time zone;
 * - the CUR ingest's event when a billing period is committed (EventBridge, source
 *   "finops.cur-ingest", detail-type "CUR billing period committed", detail
 *   `{ billingPeriod: "YYYY-MM", version, invoiced, ... }`, see contracts/events.ts):
 *   when the month is closed and invoiced, every period of the month gets its final card.
 */
import * as z from "zod";
import {
  CUR_COMMITTED_DETAIL_TYPE,
  CUR_COMMITTED_SOURCE,
  curCommittedDetailSchema,
} from "../../contracts/events";

export { CUR_COMMITTED_DETAIL_TYPE, CUR_COMMITTED_SOURCE };

const weekly = z.strictObject({
  kind: z.literal("weekly"),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date YYYY-MM-DD" })
    .optional(),
});

const curCommitted = z.looseObject({
  source: z.literal(CUR_COMMITTED_SOURCE),
  "detail-type": z.literal(CUR_COMMITTED_DETAIL_TYPE),
  detail: curCommittedDetailSchema,
});

export type CardTrigger =
  | { readonly kind: "weekly"; readonly date?: string }
  | { readonly kind: "final"; readonly billingPeriod: string; readonly version: string }
  | { readonly kind: "ignored"; readonly reason: string };

export function parseCardTrigger(event: unknown): CardTrigger {
  const w = weekly.safeParse(event);
  if (w.success) return { kind: "weekly", ...(w.data.date ? { date: w.data.date } : {}) };
  const c = curCommitted.safeParse(event);
  if (c.success) {
    if (!c.data.detail.invoiced)
      return { kind: "ignored", reason: `billing period ${c.data.detail.billingPeriod} is not invoiced yet` };
    return { kind: "final", billingPeriod: c.data.detail.billingPeriod, version: c.data.detail.version };
  }
  const issue = (c.error.issues[0] ?? w.error.issues[0])!;
  throw new Error(
    `spend-cards expects {"kind":"weekly"} from the schedule or a "${CUR_COMMITTED_DETAIL_TYPE}" event from ${CUR_COMMITTED_SOURCE}; ${issue.path.join(".") || "event"}: ${issue.message}`,
  );
}

/** Today's date (YYYY-MM-DD) in an IANA time zone. */
export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}
