import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { GITHUB_OIDC, GITOPS_ROLE_NAMES } from "../../contracts/gitops";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";

/** What the pipeline roles need to know; every value derives from the config (config/bootstrap-names.ts). */
export interface GitopsRolesInput {
  /** GitHub "owner/name". */
  readonly repository: string;
  /** The protected environment of apply.yml. */
  readonly environment: string;
  /** The branch of the scheduled drift job. */
  readonly defaultBranch: string;
  readonly oidcProviderArn: string;
  readonly stateBucketArn: string;
  readonly stateRegion: string;
  /** <keyPrefix>: every stack's state is <keyPrefix>/<stack>.tfstate. */
  readonly stateKeyPrefix: string;
  /** <keyPrefix>/plans: saved plans of pull requests. */
  readonly planStorePrefix: string;
  /** The bootstrap stack's own state key: the apply role may not write it. */
  readonly bootstrapStateKey: string;
  /** The state key's ARN (a Terraform reference in the stack). */
  readonly stateKeyArn: string;
  /** finops-landing-read in every account the landing plans. */
  readonly readRoleArns: readonly string[];
  /** The deploy role of every account the landing applies to. */
  readonly deployRoleArns: readonly string[];
}

/** GitHub OIDC subject claims (https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims). */
export function githubSubjects(i: Pick<GitopsRolesInput, "repository" | "environment" | "defaultBranch">) {
  return {
    pullRequest: `repo:${i.repository}:pull_request`,
    defaultBranch: `repo:${i.repository}:ref:refs/heads/${i.defaultBranch}`,
    environment: `repo:${i.repository}:environment:${i.environment}`,
  };
}

function oidcTrust(i: GitopsRolesInput, subjects: string[]): PolicyStatement[] {
  return [
    {
      Sid: "GithubActionsOfThisRepository",
      Effect: "Allow",
      Principal: { Federated: i.oidcProviderArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        // Exact values, no StringLike: a wildcard here would let other refs or environments in.
        StringEquals: {
          [`${GITHUB_OIDC.host}:aud`]: GITHUB_OIDC.audience,
          [`${GITHUB_OIDC.host}:sub`]: subjects.length === 1 ? subjects[0]! : subjects,
        },
      },
    },
  ];
}

/** Plan role trust: pull requests of the repository, and the default branch (scheduled drift job). */
export function planRoleTrust(i: GitopsRolesInput): PolicyStatement[] {
  const s = githubSubjects(i);
  return oidcTrust(i, [s.pullRequest, s.defaultBranch]);
}

/** Apply role trust: only jobs in the protected environment (required reviewers, deployment branch rule). */
export function applyRoleTrust(i: GitopsRolesInput): PolicyStatement[] {
  return oidcTrust(i, [githubSubjects(i).environment]);
}

/** The state key used only through S3 in the state bucket's region. */
function stateKeyUse(i: GitopsRolesInput, sid: string, actions: string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: i.stateKeyArn,
    Condition: { StringEquals: { "kms:ViaService": `s3.${i.stateRegion}.amazonaws.com` } },
  };
}

/**
 * The plan role: reads state (plans run with -lock=false and write no lock), keeps saved plans under
 * <keyPrefix>/plans, and assumes each account's read role, nothing else: no deploy role, no write.
 */
export function planRoleStatements(i: GitopsRolesInput): PolicyStatement[] {
  return [
    { Sid: "ListStateKeys", Effect: "Allow", Action: "s3:ListBucket", Resource: i.stateBucketArn },
    {
      Sid: "ReadState",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${i.stateBucketArn}/${i.stateKeyPrefix}/*`,
    },
    {
      Sid: "StoreSavedPlans",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `${i.stateBucketArn}/${i.planStorePrefix}/*`,
    },
    stateKeyUse(i, "StateKeyThroughS3", ["kms:Decrypt", "kms:GenerateDataKey"]),
    { Sid: "AssumeReadRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: [...i.readRoleArns] },
  ];
}

/**
 * The apply role: reads and writes state and its lock files, reads the saved plans it applies, and
 * assumes the deploy roles. It may not write the bootstrap stack's state: the bootstrap (these roles
 * themselves) is applied by a person with admin, `npm run bootstrap`.
 */
export function applyRoleStatements(i: GitopsRolesInput): PolicyStatement[] {
  const state = `${i.stateBucketArn}/${i.stateKeyPrefix}`;
  return [
    { Sid: "ListStateKeys", Effect: "Allow", Action: "s3:ListBucket", Resource: i.stateBucketArn },
    {
      Sid: "ReadWriteStateAndLocks",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [`${state}/*.tfstate`, `${state}/*.tflock`],
    },
    { Sid: "ReleaseLocks", Effect: "Allow", Action: "s3:DeleteObject", Resource: `${state}/*.tflock` },
    {
      Sid: "ReadSavedPlans",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${i.stateBucketArn}/${i.planStorePrefix}/*`,
    },
    {
      Sid: "NeverTheBootstrapState",
      Effect: "Deny",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: [
        `${i.stateBucketArn}/${i.bootstrapStateKey}`,
        `${i.stateBucketArn}/${i.bootstrapStateKey}.tflock`,
      ],
    },
    // The S3 backend names the key (kms_key_id): Terraform asks for Encrypt, Decrypt and GenerateDataKey.
    stateKeyUse(i, "StateKeyThroughS3", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]),
    {
      Sid: "AssumeDeployRoles",
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: [...new Set(i.deployRoleArns)],
    },
  ];
}

/**
 * The two pipeline roles of the management account (contracts/gitops.ts names): finops-landing-plan
 * for pull-request plans and drift, finops-landing-apply for the approved apply. One-hour sessions.
 */
export class GitopsRoles extends Construct {
  readonly planRole: IamRole;
  readonly applyRole: IamRole;

  constructor(scope: Construct, id: string, props: { provider: TerraformProvider; input: GitopsRolesInput }) {
    super(scope, id);
    const { provider, input } = props;
    this.planRole = new IamRole(this, "plan-role", {
      provider,
      name: GITOPS_ROLE_NAMES.plan,
      description: "finops-landing pull-request plans and drift: reads state, assumes only the read roles",
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument(planRoleTrust(input)),
    });
    new IamRolePolicy(this, "plan-policy", {
      provider,
      name: "plan",
      role: this.planRole.id,
      policy: policyDocument(planRoleStatements(input)),
    });
    this.applyRole = new IamRole(this, "apply-role", {
      provider,
      name: GITOPS_ROLE_NAMES.apply,
      description: `finops-landing applies from the protected environment ${input.environment}: assumes the deploy roles`,
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument(applyRoleTrust(input)),
    });
    new IamRolePolicy(this, "apply-policy", {
      provider,
      name: "apply",
      role: this.applyRole.id,
      policy: policyDocument(applyRoleStatements(input)),
    });
  }
}
