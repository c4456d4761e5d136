import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { TABLE_ENV } from "../../contracts/tables";
import { readEnv } from "../shared/env";
import { lambdaHandler, logger } from "../shared/observability";
import { parseAccountSyncEvent, triggerOf } from "./events";
import { ORGANIZATIONS_REGION, organizationsViaPayerRole, readExternalId } from "./source";
import { listOrganizationAccounts, type SyncResult, syncAccounts } from "./sync";

const env = readEnv(
  z
    .object({
      [TABLE_ENV.accounts]: z.string().min(3),
      SYNC_MODE: z.enum(["delegated-admin", "payer-role"]),
      PAYER_READ_ROLE_ARN: z
        .string()
        .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/)
        .optional(),
      EXTERNAL_ID_SECRET_ID: z.string().min(1).optional(),
    })
    .refine((e) => e.SYNC_MODE !== "payer-role" || (e.PAYER_READ_ROLE_ARN && e.EXTERNAL_ID_SECRET_ID), {
      message: "payer-role mode needs PAYER_READ_ROLE_ARN and EXTERNAL_ID_SECRET_ID",
    }),
);

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sts = new STSClient({});
const secrets = new SecretsManagerClient({});
const directOrg = new OrganizationsClient({ region: ORGANIZATIONS_REGION });
let externalId: string | undefined;

export const handler = lambdaHandler(async (event: unknown): Promise<SyncResult> => {
  const parsed = parseAccountSyncEvent(event);
  logger.info("account sync", { trigger: triggerOf(parsed), mode: env.SYNC_MODE });
  let org = directOrg;
  if (env.SYNC_MODE === "payer-role") {
    const source = {
      sts,
      secrets,
      roleArn: env.PAYER_READ_ROLE_ARN!,
      externalIdSecretArn: env.EXTERNAL_ID_SECRET_ID!,
    };
    externalId ??= await readExternalId(secrets, source.externalIdSecretArn);
    org = await organizationsViaPayerRole(source, externalId);
  }
  try {
    const accounts = await listOrganizationAccounts(org);
    const result = await syncAccounts({ ddb, accountsTable: env[TABLE_ENV.accounts] }, accounts);
    logger.info("accounts synced", { ...result });
    if (result.unknownState.length)
      logger.warn(
        "accounts stored with orgStatus UNKNOWN: Organizations returned neither State nor Status for them, or a value it does not document",
        { accounts: result.unknownState },
      );
    return result;
  } finally {
    if (org !== directOrg) org.destroy();
  }
});
