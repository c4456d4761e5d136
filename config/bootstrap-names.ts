import { GITHUB_OIDC, GITOPS_ROLE_NAMES, PLAN_STORE_PREFIX } from "../contracts/gitops";
import { Names } from "./naming";
import type { AccountConfig } from "./schema";

/** Key prefix of the state objects when organization.stateBackend leaves it out (schema default). */
const DEFAULT_KEY_PREFIX = "finops-landing";

/**
 * Physical names of the bootstrap stack (docs/bootstrap.md), derived from the config on every side
 * (the stack that creates them, the backend that uses the state bucket, the scripts that assume the
 * roles), never read from state.
 */
export class BootstrapNames {
  constructor(private readonly config: AccountConfig) {}

  private get prefix(): string {
    return this.config.organization.tagPrefix;
  }

  /** The management (payer) account: where the bootstrap stack, the state bucket and the pipeline roles live. */
  get accountId(): string {
    return this.config.payer.id;
  }

  /**
   * The state bucket: organization.stateBackend.bucket (required for target aws); without a
   * stateBackend (the local target) <tagPrefix>-tfstate-<management account id>.
   */
  get stateBucket(): string {
    return this.config.organization.stateBackend?.bucket ?? `${this.prefix}-tfstate-${this.accountId}`;
  }

  get stateBucketArn(): string {
    return `arn:aws:s3:::${this.stateBucket}`;
  }

  get stateRegion(): string {
    return this.config.organization.stateBackend?.region ?? this.config.organization.homeRegion;
  }

  get stateKeyPrefix(): string {
    return this.config.organization.stateBackend?.keyPrefix ?? DEFAULT_KEY_PREFIX;
  }

  /** Where saved plans are kept: <keyPrefix>/plans (contracts/gitops.ts PLAN_STORE_PREFIX). */
  get planStorePrefix(): string {
    return `${this.stateKeyPrefix}/${PLAN_STORE_PREFIX}`;
  }

  /** The bootstrap stack's own state object once migrated: <keyPrefix>/bootstrap.tfstate. */
  get bootstrapStateKey(): string {
    return `${this.stateKeyPrefix}/bootstrap.tfstate`;
  }

  /** Alias of the state bucket's KMS key (without alias/). */
  get stateKeyAlias(): string {
    return `${this.prefix}-tfstate`;
  }

  /** The alias as an ARN: what the S3 backend's kms_key_id names (resolved in the bucket's account). */
  get stateKeyAliasArn(): string {
    return `arn:aws:kms:${this.stateRegion}:${this.accountId}:alias/${this.stateKeyAlias}`;
  }

  get oidcProviderArn(): string {
    return `arn:aws:iam::${this.accountId}:oidc-provider/${GITHUB_OIDC.host}`;
  }

  get planRoleArn(): string {
    return Names.roleArn(this.accountId, GITOPS_ROLE_NAMES.plan);
  }

  get applyRoleArn(): string {
    return Names.roleArn(this.accountId, GITOPS_ROLE_NAMES.apply);
  }

  /** The read role of one account (finops-landing-read). */
  static readRoleArn(accountId: string): string {
    return Names.roleArn(accountId, GITOPS_ROLE_NAMES.read);
  }
}
