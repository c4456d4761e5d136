import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { readEnv } from "../shared/env";
import { lambdaHandler, logger } from "../shared/observability";
import { processBatch } from "./forward";
import { FORWARDER_ENV, settingsFrom } from "./settings";

/**
 * Budget-alert forwarder (Lambda entry, delegated-admin account, fed by the central budget-alerts
 * queue; modules/monitoring/budget-alert-forwarding.ts): puts each member budget notification on the
 * central monitoring bus as a "Budget Threshold Alert" event, and confirms the subscriptions member
 * topics create to the queue. Environment validated once, at cold start.
 */
const env = readEnv(FORWARDER_ENV);
const settings = settingsFrom(env);
const events = new EventBridgeClient({});
const organizations = new OrganizationsClient({});

let cached: { at: number; ids: ReadonlySet<string> } | undefined;

async function organizationAccounts(): Promise<ReadonlySet<string>> {
  if (cached && Date.now() - cached.at < env.ACCOUNTS_CACHE_SECONDS * 1000) return cached.ids;
  const ids = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await organizations.send(new ListAccountsCommand({ NextToken }));
    for (const a of page.Accounts ?? []) if (a.Id) ids.add(a.Id);
    NextToken = page.NextToken;
  } while (NextToken);
  cached = { at: Date.now(), ids };
  return ids;
}

export const handler = lambdaHandler(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const result = await processBatch(
    event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
    {
      accounts: organizationAccounts,
      putEvents: async (entries) => {
        const out = await events.send(new PutEventsCommand({ Entries: entries }));
        return { failed: out.FailedEntryCount ?? 0 };
      },
      confirm: async (url) => {
        const res = await fetch(url, { method: "GET", redirect: "error" });
        if (res.status !== 200) throw new Error(`SNS answered ${res.status}`);
      },
      log: (message, data) => logger.info(message, data),
    },
    settings,
  );
  logger.info("processed budget-alerts messages", { ...result });
  return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
});
