import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import { BootstrapNames } from "../config/bootstrap-names";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import type { PolicyStatement } from "../contracts/iam-policy";
import { GithubOidcProvider } from "../modules/bootstrap/github-oidc";
import { GitopsRoles } from "../modules/bootstrap/gitops-roles";
import { OrganizationPrerequisites } from "../modules/bootstrap/organization-prerequisites";
import { ReadRole } from "../modules/bootstrap/read-role";
import { StateBucket } from "../modules/bootstrap/state-bucket";
import { createAwsProvider } from "../modules/providers";
import { AccountStack } from "./account-stack";

/** Cost Explorer and Cost Optimization Hub are served from us-east-1 only. */
export const BILLING_REGION = "us-east-1";

export interface BootstrapStackProps {
  readonly config: AccountConfig;
  readonly target: Target;
  readonly outdir: string;
  /** The first apply's local state file (before the state bucket exists); docs/bootstrap.md. */
  readonly localStateFile?: string;
}

/** The accounts that get a read role: the management account, the admin, every member (retired too: still planned). */
export function readRoleAccounts(config: AccountConfig) {
  return [
    // The management account's role is made by the stack's own provider; regions here are the provider's.
    { key: "payer", ...config.payer, environment: "prod", regions: [config.cur.homeRegion] },
    { key: "admin", ...config.admin, environment: "prod", regions: [config.admin.regions[0]!] },
    ...config.members.map((m) => ({ key: `member_${m.name.replace(/-/g, "_")}`, ...m })),
  ];
}

/**
 * The bootstrap stack (management account): everything the landing's pipeline needs before its
 * first plan. The state bucket, the GitHub OIDC provider, the plan and apply roles, a read role in
 * every account (one provider per account, like the payer's provider for the admin), the StackSets
 * delegated admin, Cost Optimization Hub enrollment and the cost allocation tags. Applied by a person
 * with admin rights (`npm run bootstrap`), never by the pipeline it creates; docs/bootstrap.md.
 */
export class BootstrapStack extends AccountStack {
  readonly stateBucket: StateBucket;
  readonly oidc: GithubOidcProvider;
  readonly roles: GitopsRoles;
  readonly readRoles: Map<string, ReadRole> = new Map();
  readonly prerequisites: OrganizationPrerequisites;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    const { config } = props;
    const bn = new BootstrapNames(config);
    const gitops = config.gitops;
    if (!gitops) throw new Error("the bootstrap stack needs the config's gitops section");
    const regions = [...new Set([bn.stateRegion, BILLING_REGION])];
    super(scope, id, {
      config,
      target: props.target,
      outdir: props.outdir,
      account: { ...config.payer, environment: "prod", regions },
      localStateFile: props.localStateFile,
    });
    const names = this.names;
    const management = this.provider(bn.stateRegion);

    this.stateBucket = new StateBucket(this, "state", {
      provider: management,
      accountId: bn.accountId,
      bucketName: bn.stateBucket,
      keyAlias: bn.stateKeyAlias,
      preventDestroy: this.protectDataStores,
    });
    this.oidc = new GithubOidcProvider(this, "github-oidc", { provider: management });

    const accounts = readRoleAccounts(config);
    this.roles = new GitopsRoles(this, "gitops-roles", {
      provider: management,
      input: {
        repository: gitops.repository,
        environment: gitops.environment,
        defaultBranch: gitops.defaultBranch,
        oidcProviderArn: this.oidc.arn,
        stateBucketArn: bn.stateBucketArn,
        stateRegion: bn.stateRegion,
        stateKeyPrefix: bn.stateKeyPrefix,
        planStorePrefix: bn.planStorePrefix,
        bootstrapStateKey: bn.bootstrapStateKey,
        stateKeyArn: this.stateBucket.key.arn,
        readRoleArns: accounts.map((a) => BootstrapNames.readRoleArn(a.id)),
        deployRoleArns: accounts.map((a) => names.deployRoleArn(a)),
      },
    });

    // The payer stack's plan reads the external id secret (its version refreshes the value), which
    // ReadOnlyAccess deliberately leaves out: the admin's read role gets that one secret.
    const adminRegion = config.admin.regions[0]!;
    const secretRead: PolicyStatement[] = [
      {
        Sid: "PayerStackPlanReadsExternalId",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: `arn:aws:secretsmanager:${adminRegion}:${config.admin.id}:secret:${names.externalIdSecretName}-*`,
      },
    ];
    for (const account of accounts) {
      const provider: AwsProvider =
        account.key === "payer"
          ? management
          : createAwsProvider(this, config, account, props.target, account.regions[0]!, account.key);
      this.readRoles.set(
        account.id,
        new ReadRole(this, `read-role-${account.key.replace(/_/g, "-")}`, {
          provider,
          managementAccountId: bn.accountId,
          planRoleArn: bn.planRoleArn,
          extraStatements: account.key === "admin" ? secretRead : undefined,
        }),
      );
    }

    this.prerequisites = new OrganizationPrerequisites(this, "organization", {
      provider: this.provider(BILLING_REGION),
      config,
    });
  }
}
