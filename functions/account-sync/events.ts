import { z } from "zod";

/** The schedule's event (EventBridge rule with a schedule expression). */
const scheduled = z.looseObject({
  source: z.literal("aws.events"),
  "detail-type": z.literal("Scheduled Event"),
});

/** Organizations' CreateAccountResult, delivered through CloudTrail to EventBridge. */
const accountCreated = z.looseObject({
  source: z.literal("aws.organizations"),
  "detail-type": z.literal("AWS Service Event via CloudTrail"),
  detail: z.looseObject({
    eventName: z.literal("CreateAccountResult"),
    serviceEventDetails: z
      .looseObject({
        createAccountStatus: z
          .looseObject({ accountId: z.string().optional(), state: z.string() })
          .optional(),
      })
      .optional(),
  }),
});

/** A manual run: `{"trigger": "manual"}` (console test event, CLI invoke, the local pipeline). */
const manual = z.strictObject({ trigger: z.literal("manual") });

export const accountSyncEventSchema = z.union([scheduled, accountCreated, manual]);
export type AccountSyncEvent = z.infer<typeof accountSyncEventSchema>;

export function parseAccountSyncEvent(event: unknown): AccountSyncEvent {
  const parsed = accountSyncEventSchema.safeParse(event);
  if (!parsed.success)
    throw new Error(
      'account-sync got an event it does not handle; it runs on its schedule ("Scheduled Event"), on Organizations CreateAccountResult events, or on {"trigger":"manual"}',
    );
  return parsed.data;
}

/** Why this run happens, for the logs. */
export function triggerOf(event: AccountSyncEvent): string {
  if ("trigger" in event) return "manual";
  if (event.source === "aws.events") return "schedule";
  const status = (event as z.infer<typeof accountCreated>).detail.serviceEventDetails?.createAccountStatus;
  return `account-created${status?.accountId ? ` ${status.accountId}` : ""} (${status?.state ?? "unknown state"})`;
}
