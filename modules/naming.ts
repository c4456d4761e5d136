import type { AccountConfig, MemberAccount } from "../config/schema";

/**
 * Every physical name of the landing (stacks, buckets, roles, buses, parameters) comes from here.
 * Names that cross accounts are derived from the config on both sides, never read from another
 * stack's state, so a stack's plan depends only on the config and its own state.
 */
export class Names {
  constructor(private readonly config: AccountConfig) {}

  get prefix(): string {
    return this.config.organization.tagPrefix;
  }

  // Stacks -----------------------------------------------------------------------------------
  static readonly payerStack = "payer";
  static readonly adminStack = "admin";
  static memberStack(member: Pick<MemberAccount, "name">): string {
    return `member-${member.name}`;
  }

  // Accounts ---------------------------------------------------------------------------------
  /** Role Terraform assumes in an account. */
  deployRoleArn(account: { id: string; deployRole?: string }): string {
    return `arn:aws:iam::${account.id}:role/${account.deployRole ?? this.config.organization.deployRoleName}`;
  }

  /** The account's root principal: used with an aws:PrincipalArn condition for roles that may not exist yet. */
  static accountRoot(accountId: string): string {
    return `arn:aws:iam::${accountId}:root`;
  }

  static roleArn(accountId: string, roleName: string): string {
    return `arn:aws:iam::${accountId}:role/${roleName}`;
  }

  // CUR data ---------------------------------------------------------------------------------
  /** Payer bucket the CUR 2.0 export writes to (replication delivery). */
  get curBucket(): string {
    return `${this.prefix}-cur-${this.config.payer.id}`;
  }

  /** Admin bucket the payer bucket replicates to (or the export writes to, direct delivery). */
  get curReplicaBucket(): string {
    return `${this.prefix}-cur-replica-${this.config.admin.id}`;
  }

  // Monitoring -------------------------------------------------------------------------------
  get centralBusName(): string {
    return `${this.prefix}-central`;
  }

  get centralBusArn(): string {
    const { homeRegion } = this.config.organization;
    return `arn:aws:events:${homeRegion}:${this.config.admin.id}:event-bus/${this.centralBusName}`;
  }

  /** SSM parameter path of the landing's shared values in an account. */
  ssmParameter(name: string): string {
    return `/${this.prefix}/${name}`;
  }
}
