/** Cost Explorer tool Lambda (an MCP gateway target). Reads costs through the payer's read role. */
import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { Context } from "aws-lambda";
import * as z from "zod";
import { readExternalId } from "../account-sync/source";
import { readEnv } from "../shared/env";
import { lambdaHandler } from "../shared/observability";
import { toolNameOf } from "../shared/tool-name";
import { runCostExplorerTool } from "./tool";

const env = readEnv(
  z.object({
    PAYER_READ_ROLE_ARN: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/),
    /** Name (or ARN) of the secret holding the payer read role's external id. */
    EXTERNAL_ID_SECRET_ID: z.string().min(1),
  }),
);
const sts = new STSClient({});
const secrets = new SecretsManagerClient({});
let cached: { client: CostExplorerClient; expires: number } | undefined;

/** Cost Explorer as the payer (it answers for the whole organization only there); us-east-1 endpoint. */
async function costExplorer(): Promise<CostExplorerClient> {
  if (cached && cached.expires > Date.now() + 60_000) return cached.client;
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: env.PAYER_READ_ROLE_ARN,
      RoleSessionName: "finops-cost-explorer-tool",
      ExternalId: await readExternalId(secrets, env.EXTERNAL_ID_SECRET_ID),
      DurationSeconds: 900,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey)
    throw new Error(`AssumeRole of ${env.PAYER_READ_ROLE_ARN} returned no credentials`);
  const client = new CostExplorerClient({
    region: "us-east-1",
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
  cached = { client, expires: c.Expiration?.getTime() ?? Date.now() + 600_000 };
  return client;
}

export const handler = lambdaHandler(async (event: unknown, context?: Context) => {
  const tool = toolNameOf(context as never) ?? "";
  try {
    return await runCostExplorerTool(
      await costExplorer(),
      tool,
      event,
      new Date().toISOString().slice(0, 10),
    );
  } catch (e) {
    return { error: (e as Error).message };
  }
});
