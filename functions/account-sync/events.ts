import * as z from "zod";
import {
  ACCOUNT_CREATED_EVENT,
  ACCOUNT_STATE_API_CALLS,
  API_CALL_DETAIL_TYPE,
  ORGANIZATIONS_SOURCE,
  SERVICE_EVENT_DETAIL_TYPE,
} from "../../contracts/organizations-events";

/** The schedule's event (EventBridge rule with a schedule expression). */
const scheduled = z.looseObject({
  source: z.literal("aws.events"),
  "detail-type": z.literal("Scheduled Event"),
});

/**
 * Organizations' CreateAccountResult, a CloudTrail service event forwarded from the management
 * account (format and sources: contracts/organizations-events.ts).
 */
const accountCreated = z.looseObject({
  source: z.literal(ORGANIZATIONS_SOURCE),
  "detail-type": z.literal(SERVICE_EVENT_DETAIL_TYPE),
  detail: z.looseObject({
    eventName: z.literal(ACCOUNT_CREATED_EVENT),
    serviceEventDetails: z
      .looseObject({
        createAccountStatus: z
          .looseObject({ accountId: z.string().optional(), state: z.string() })
          .optional(),
      })
      .optional(),
  }),
});

/** An Organizations API call that changes an account (CloseAccount, RemoveAccountFromOrganization, MoveAccount). */
const accountStateChanged = z.looseObject({
  source: z.literal(ORGANIZATIONS_SOURCE),
  "detail-type": z.literal(API_CALL_DETAIL_TYPE),
  detail: z.looseObject({
    eventName: z.enum(ACCOUNT_STATE_API_CALLS),
    requestParameters: z.looseObject({ accountId: z.string().optional() }).nullish(),
  }),
});

/** A manual run: `{"trigger": "manual"}` (console test event, CLI invoke, the local pipeline). */
const manual = z.strictObject({ trigger: z.literal("manual") });

export const accountSyncEventSchema = z.union([scheduled, accountCreated, accountStateChanged, manual]);
export type AccountSyncEvent = z.infer<typeof accountSyncEventSchema>;

export function parseAccountSyncEvent(event: unknown): AccountSyncEvent {
  const parsed = accountSyncEventSchema.safeParse(event);
  if (!parsed.success)
    throw new Error(
      `account-sync got an event it does not handle; it runs on its schedule ("Scheduled Event"), on Organizations ${ACCOUNT_CREATED_EVENT} and ${ACCOUNT_STATE_API_CALLS.join("/")} events, or on {"trigger":"manual"}`,
    );
  return parsed.data;
}

/** Why this run happens, for the logs. */
export function triggerOf(event: AccountSyncEvent): string {
  if ("trigger" in event) return "manual";
  if (event.source === "aws.events") return "schedule";
  if (event["detail-type"] === API_CALL_DETAIL_TYPE) {
    const e = event as z.infer<typeof accountStateChanged>;
    const id = e.detail.requestParameters?.accountId;
    return `${e.detail.eventName}${id ? ` ${id}` : ""}`;
  }
  const status = (event as z.infer<typeof accountCreated>).detail.serviceEventDetails?.createAccountStatus;
  return `account-created${status?.accountId ? ` ${status.accountId}` : ""} (${status?.state ?? "unknown state"})`;
}
