import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Lazy, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { type EncryptionConfig, KEY_DOMAINS, type KeyDomain } from "../../config/schema";
import {
  accountAdministersKeyStatement,
  type PolicyStatement,
  policyDocument,
  serviceKeyUseStatement,
} from "../../contracts/iam-policy";

export { KEY_DOMAINS, type KeyDomain };

/** What each domain's key protects (the key's description, and docs/security.md). */
export const KEY_DOMAIN_USE: Readonly<Record<KeyDomain, string>> = {
  data: "DynamoDB tables and Athena query results of the data platform",
  functions:
    "Lambda environment variables, Lambda, Step Functions, API access and VPC flow log groups, dead-letter and manifest queues",
  monitoring: "the central monitoring log group and the alerts topic",
};

export interface KeyRingProps {
  /** The config's encryption section: supplied keys by domain. */
  readonly encryption: EncryptionConfig;
  /** Account and region the keys live in (the stack's). */
  readonly accountId: string;
  readonly region: string;
  /** Prefix of the key aliases (alias/<prefix>-<domain>). */
  readonly aliasPrefix: string;
  /** Key descriptions by domain. @default "<aliasPrefix> <domain> key: <KEY_DOMAIN_USE>" */
  readonly descriptions?: Partial<Record<KeyDomain, string>>;
  /** Refuse plans that destroy a key. @default true */
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * One customer-managed key per data domain, created the first time a domain's key is asked for,
 * unless the config supplies that domain's key by ARN (then no key, key policy or alias is created
 * and the supplied key must meet the policy requirements in docs/security.md). Keys rotate yearly;
 * the key policy gives the account (IAM decides who may use the key) and, per domain, the AWS
 * services that must encrypt with it on the account's behalf, each scoped to this account.
 * Construct ids are `<domain>-key` and `<domain>-alias` below the ring.
 */
export class KeyRing extends Construct {
  private readonly keys = new Map<KeyDomain, KmsKey>();
  private readonly extra = new Map<KeyDomain, PolicyStatement[]>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: KeyRingProps,
  ) {
    super(scope, id);
  }

  /** True when the config supplies this domain's key (no key is created for it). */
  isSupplied(domain: KeyDomain): boolean {
    return this.props.encryption.keys[domain] !== undefined;
  }

  /** The ARN of the domain's key: the supplied one, or the ring's own (created on first use). */
  resolveKey(domain: KeyDomain): string {
    const supplied = this.props.encryption.keys[domain];
    if (supplied !== undefined) return supplied;
    return this.ownKey(domain).arn;
  }

  /** The ring's own key of a domain, if one was created. */
  createdKey(domain: KeyDomain): KmsKey | undefined {
    return this.keys.get(domain);
  }

  /**
   * Adds statements to the policy of the ring's own key for a domain (e.g. a cross-account
   * replication role). A supplied key's policy is its owner's: this throws, naming what to add.
   */
  addToKeyPolicy(domain: KeyDomain, ...statements: PolicyStatement[]): void {
    if (this.isSupplied(domain)) {
      throw new Error(
        `the ${domain} key is supplied by ARN (encryption.keys.${domain}); add these statements to its key policy yourself: ${JSON.stringify(statements)}`,
      );
    }
    this.ownKey(domain);
    this.extra.set(domain, [...(this.extra.get(domain) ?? []), ...statements]);
  }

  private ownKey(domain: KeyDomain): KmsKey {
    const existing = this.keys.get(domain);
    if (existing) return existing;
    const { accountId, region, provider } = this.props;
    const key = new KmsKey(this, `${domain}-key`, {
      provider,
      description:
        this.props.descriptions?.[domain] ??
        `${this.props.aliasPrefix} ${domain} key: ${KEY_DOMAIN_USE[domain]}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: Lazy.stringValue({
        produce: () =>
          policyDocument([
            ...keyPolicyStatements(domain, accountId, region),
            ...(this.extra.get(domain) ?? []),
          ]),
      }),
      lifecycle: { preventDestroy: this.props.preventDestroy ?? true },
    });
    new KmsAlias(this, `${domain}-alias`, {
      provider,
      name: `alias/${this.props.aliasPrefix}-${domain}`,
      targetKeyId: key.keyId,
    });
    this.keys.set(domain, key);
    return key;
  }
}

/** What an AWS service may do with a key it encrypts with on the account's behalf. */
const KEY_USE = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"];

export interface KeyPolicyOptions {
  /**
   * The log groups CloudWatch Logs may encrypt with the key (the `kms:EncryptionContext:aws:logs:arn`
   * condition; ArnLike). @default every log group of the account in the region
   */
  readonly logGroupArns?: string;
}

/**
 * The key policy of a domain's key: exactly what the landing needs, and therefore what a supplied
 * key's policy must allow too (docs/security.md, "Key-policy requirements for a supplied key").
 * - every domain: the account, delegating to IAM (each role's own policy names the key and the
 *   actions it needs: Lambda decrypting its environment, the functions using DynamoDB tables and
 *   Athena results, the deploy role creating tables, functions and log groups);
 * - functions, monitoring: CloudWatch Logs for this account's log groups (encryption context pinned);
 * - functions: S3 sending notifications into the encrypted manifest queue, and EventBridge sending
 *   failed events into the encrypted dead-letter queues of rule targets (source account pinned);
 * - monitoring: CloudWatch alarms publishing to the encrypted alerts topic (source account pinned).
 */
export function keyPolicyStatements(
  domain: KeyDomain,
  accountId: string,
  region: string,
  options: KeyPolicyOptions = {},
): PolicyStatement[] {
  const statements: PolicyStatement[] = [accountAdministersKeyStatement(accountId)];
  const sourceAccount = { StringEquals: { "aws:SourceAccount": accountId } };
  if (domain === "functions" || domain === "monitoring") {
    statements.push({
      Sid: "CloudWatchLogsForThisAccountsLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: KEY_USE,
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn":
            options.logGroupArns ?? `arn:aws:logs:${region}:${accountId}:log-group:*`,
        },
      },
    });
  }
  if (domain === "functions") {
    statements.push(
      serviceKeyUseStatement(
        "S3NotificationsIntoEncryptedQueues",
        "s3.amazonaws.com",
        ["kms:GenerateDataKey", "kms:Decrypt"],
        sourceAccount,
      ),
      serviceKeyUseStatement(
        "EventBridgeIntoEncryptedDeadLetterQueues",
        "events.amazonaws.com",
        ["kms:GenerateDataKey", "kms:Decrypt"],
        sourceAccount,
      ),
    );
  }
  if (domain === "monitoring") {
    statements.push(
      serviceKeyUseStatement(
        "AlarmsPublishToTheAlertsTopic",
        "cloudwatch.amazonaws.com",
        ["kms:GenerateDataKey*", "kms:Decrypt"],
        sourceAccount,
      ),
    );
  }
  return statements;
}
