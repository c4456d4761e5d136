import { OrganizationsClient, type OrganizationsClientConfig } from "@aws-sdk/client-organizations";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";

/** Organizations is served from us-east-1 (its one endpoint in the aws partition). */
export const ORGANIZATIONS_REGION = "us-east-1";

export interface PayerRoleSource {
  readonly sts: STSClient;
  readonly secrets: SecretsManagerClient;
  readonly roleArn: string;
  readonly externalIdSecretArn: string;
  /** Extra client options (the emulator's endpoint). @default none */
  readonly clientConfig?: OrganizationsClientConfig;
}

/** The external id is a secret string, or a JSON object with an `externalId` key. */
export async function readExternalId(secrets: SecretsManagerClient, secretArn: string): Promise<string> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const raw = out.SecretString?.trim();
  if (!raw)
    throw new Error(
      `secret ${secretArn} has no string value; the payer stack stores the read role's external id there`,
    );
  if (raw.startsWith("{")) {
    const parsed = JSON.parse(raw) as { externalId?: unknown };
    if (typeof parsed.externalId !== "string" || !parsed.externalId)
      throw new Error(
        `secret ${secretArn} is JSON without a string "externalId"; store the external id there`,
      );
    return parsed.externalId;
  }
  return raw;
}

/**
 * An Organizations client acting through the payer's read role: AssumeRole with the external id
 * from Secrets Manager (the confused-deputy guard the role's trust requires).
 */
export async function organizationsViaPayerRole(
  source: PayerRoleSource,
  externalId?: string,
): Promise<OrganizationsClient> {
  const id = externalId ?? (await readExternalId(source.secrets, source.externalIdSecretArn));
  const out = await source.sts.send(
    new AssumeRoleCommand({
      RoleArn: source.roleArn,
      RoleSessionName: "finops-account-sync",
      ExternalId: id,
      DurationSeconds: 900,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey)
    throw new Error(`AssumeRole of ${source.roleArn} returned no credentials`);
  return new OrganizationsClient({
    region: ORGANIZATIONS_REGION,
    ...source.clientConfig,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
}
