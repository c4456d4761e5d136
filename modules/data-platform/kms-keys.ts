import type { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { EncryptionConfig } from "../../config/schema";
import { KeyRing } from "../security/keys";

export interface DataPlatformKeysProps {
  readonly names: Names;
  readonly accountId: string;
  readonly region: string;
  /** The config's encryption section: a domain whose key is supplied by ARN gets no key here. */
  readonly encryption: EncryptionConfig;
  /** Refuse plans that destroy the keys. @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

export interface DataPlatformKey {
  /** The key's ARN: the supplied one (a literal), or a Terraform reference to the created key. */
  readonly arn: string;
  /** True when encryption.keys.<domain> supplies the key (nothing is created for it). */
  readonly supplied: boolean;
  /** The created key; undefined for a supplied key. */
  readonly key?: KmsKey;
  /** The created key's alias; undefined for a supplied key. */
  readonly alias?: KmsAlias;
}

/**
 * The data platform's two key domains (modules/security/keys.ts, docs/security.md "Encryption"):
 * - `data`: DynamoDB tables, Athena results;
 * - `functions`: Lambda environment variables, log groups, dead-letter and manifest queues.
 * Each is a customer-managed key rotating yearly with the policy of `keyPolicyStatements`, or, when
 * `encryption.keys.<domain>` supplies one, that key's ARN (no key, key policy or alias is created).
 * Every module takes the ARN from here (`keys.data.arn`, `keys.functions.arn`).
 */
export class DataPlatformKeys extends KeyRing {
  readonly data: DataPlatformKey;
  readonly functions: DataPlatformKey;

  constructor(scope: Construct, id: string, props: DataPlatformKeysProps) {
    super(scope, id, {
      encryption: props.encryption,
      accountId: props.accountId,
      region: props.region,
      aliasPrefix: props.names.prefix,
      descriptions: {
        data: "DynamoDB tables and Athena results of the FinOps data platform",
        functions: "Lambda environment, logs and queues of the FinOps data platform",
      },
      preventDestroy: props.preventDestroy,
      provider: props.provider,
    });
    this.data = this.domainKey("data");
    this.functions = this.domainKey("functions");
  }

  private domainKey(domain: "data" | "functions"): DataPlatformKey {
    const arn = this.resolveKey(domain);
    const key = this.createdKey(domain);
    return {
      arn,
      supplied: this.isSupplied(domain),
      key,
      alias: key ? (this.node.findChild(`${domain}-alias`) as KmsAlias) : undefined,
    };
  }
}
