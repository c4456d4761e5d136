import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/**
 * Credentials and client options for calls into one account of the emulated organization:
 * AssumeRole against the emulator makes every later call land in that account, as in AWS.
 */
export interface AccountClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  readonly forcePathStyle: true;
  readonly maxAttempts: number;
}

const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export async function clientConfigForAccount(
  endpoint: string,
  accountId: string,
  region: string,
  roleName = "OrganizationAccountAccessRole",
): Promise<AccountClientConfig> {
  const sts = new STSClient({ endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
      RoleSessionName: "finops-landing-local",
      DurationSeconds: 3600,
    }),
  );
  sts.destroy();
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey)
    throw new Error(`the emulator returned no credentials for account ${accountId}`);
  return {
    endpoint,
    region,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
    forcePathStyle: true,
    maxAttempts: 2,
  };
}
