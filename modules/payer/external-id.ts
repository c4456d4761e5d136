import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DataResource, Fn, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";

export interface ExternalIdProps {
  /** Refuse plans that destroy the secret. @default true */
  readonly preventDestroy?: boolean;
  /** Provider of the ADMIN account (an aliased provider of the payer stack). */
  readonly adminProvider: TerraformProvider;
  /** Secret name in the admin account, from the naming module. */
  readonly secretName: string;
  /** Days a deleted secret can be restored; 0 deletes at once. @default 7 */
  readonly recoveryWindowDays?: number;
}

/**
 * The external id of the payer read role: a random UUID minted once by Terraform (uuid() kept by
 * ignore_changes, so later plans never change it), held only in the payer stack's state and in a
 * Secrets Manager secret in the admin account that the admin functions read. Not derived from
 * config, not in git, never a literal in the synthesized JSON.
 * Rotation: `terraform apply -replace=<address of this construct's terraform_data>` (docs/payer.md).
 */
export class ExternalId extends Construct {
  /** Reference to the value (for the trust policy). */
  readonly value: string;
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: ExternalIdProps) {
    super(scope, id);
    const minted = new DataResource(this, "value", {
      input: { externalId: Fn.uuid() },
      lifecycle: { ignoreChanges: ["input"] },
    });
    this.value = minted.getStringAttribute("output.externalId");
    this.secret = new SecretsmanagerSecret(this, "secret", {
      provider: props.adminProvider,
      name: props.secretName,
      description: "External id of the payer's finops-payer-read role (written by the payer stack)",
      recoveryWindowInDays: props.recoveryWindowDays ?? 7,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    new SecretsmanagerSecretVersion(this, "secret-value", {
      provider: props.adminProvider,
      secretId: this.secret.id,
      secretString: this.value,
    });
  }
}
