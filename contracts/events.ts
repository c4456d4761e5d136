/**
 * The "CUR billing period committed" event: cur-ingest puts it on the admin account's default
 * EventBridge bus after a run that leaves a delivery committed (functions/cur-ingest/announce.ts);
 * the app's rule (modules/app/spend-cards.ts) sends the invoiced ones to spend-cards for final cards
 * (functions/spend-cards/events.ts). One definition for the producer, the consumer and the rule.
 */
import * as z from "zod";

export const CUR_COMMITTED_SOURCE = "finops.cur-ingest";
export const CUR_COMMITTED_DETAIL_TYPE = "CUR billing period committed";

/** What the event's `detail` carries. */
export interface CurCommittedDetail {
  /** YYYY-MM. */
  readonly billingPeriod: string;
  /** The committed version of the month (a hash of the delivery: the same delivery, the same version). */
  readonly version: string;
  /**
   * True when every line item of the delivery carries an invoice id (`bill_invoice_id`): AWS fills
   * it only once the month is closed and invoiced ("final" CUR); until then it is blank.
   */
  readonly invoiced: boolean;
  /** "ingested": this run committed the version; "unchanged": it was committed already (re-delivery). */
  readonly status: "ingested" | "unchanged";
  /** The ingest run that emitted the event (its run record in ingestion-runs). */
  readonly runId: string;
  /** The manifest object key the delivery came with. */
  readonly manifestKey: string;
  /** The version this one replaced, when a restated month arrived. */
  readonly previousVersion?: string;
}

/** The part of the detail spend-cards relies on (extra fields are allowed: the detail may grow). */
export const curCommittedDetailSchema = z.looseObject({
  billingPeriod: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "must be YYYY-MM" }),
  version: z.string().min(1),
  invoiced: z.boolean(),
});

/** An EventBridge event bus ARN (the PutEvents EventBusName pattern, ARN form only). */
export const EVENT_BUS_ARN_PATTERN =
  /^arn:aws[\w-]*:events:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:event-bus\/[.\-_A-Za-z0-9]+$/;
