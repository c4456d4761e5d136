import { mkdtempSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { checkSynthesized } from "../../../checks/exceptions";
import { BootstrapNames } from "../../../config/bootstrap-names";
import { loadAccountConfig } from "../../../config/load";
import { Names } from "../../../config/naming";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { GITOPS_ROLE_NAMES } from "../../../contracts/gitops";
import { BootstrapStack } from "../../../stacks/bootstrap-stack";
import { describeBootstrap, describeLanding } from "../../../stacks/landing";
import { isAllowed, statementsOf } from "../../support/iam-eval";
import { awsProviders, resourcesOf, type StackJson, synthConfig } from "../../support/synth";

/**
 * The bootstrap stack (stacks/bootstrap-stack.ts, docs/bootstrap.md), synthesized on its own from
 * the two account files. Trust conditions follow GitHub's OIDC subject claims
 * (https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims): pull requests
 * `repo:<owner>/<repo>:pull_request`, a branch `repo:<owner>/<repo>:ref:refs/heads/<branch>`, a job
 * with an environment `repo:<owner>/<repo>:environment:<name>`.
 */
function synthBootstrap(config: AccountConfig, localStateFile?: string): { outdir: string; json: StackJson } {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-bootstrap-"));
  const app = new App({ outdir });
  const target = targetFor(config, { FINOPS_LOCAL_DIR: path.join(outdir, ".local") });
  new BootstrapStack(app, "bootstrap", { config, target, outdir, localStateFile });
  app.synth();
  return {
    outdir,
    json: JSON.parse(readFileSync(path.join(outdir, "stacks", "bootstrap", "cdk.tf.json"), "utf8")),
  };
}

const only = (json: StackJson, type: string): StackJson[] =>
  resourcesOf(json)
    .filter(([t]) => t === type)
    .map(([, , body]) => body);

function role(json: StackJson, name: string, provider?: string): StackJson {
  const found = only(json, "aws_iam_role").filter(
    (r) => r.name === name && (provider === undefined || r.provider === provider),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The inline policy of a role, by the role's construct name. */
function inlinePolicy(json: StackJson, policyName: string): string {
  const found = only(json, "aws_iam_role_policy").filter((p) => p.name === policyName);
  expect(found).toHaveLength(1);
  return found[0]!.policy;
}

/** The provider block a resource's `provider` ("aws", "aws.<alias>" or absent) names. */
function providerOf(json: StackJson, ref: string | undefined): StackJson {
  const alias = ref?.startsWith("aws.") ? ref.slice(4) : undefined;
  const p = awsProviders(json).find((x) => x.alias === alias);
  expect(p).toBeDefined();
  return p!;
}

const example = loadAccountConfig("accounts/example.yaml");
const local = loadAccountConfig("accounts/local.yaml");

function accountsOf(config: AccountConfig) {
  return [config.payer, config.admin, ...config.members];
}

describe.each([
  ["accounts/example.yaml", example],
  ["accounts/local.yaml", local],
])("the bootstrap stack of %s", (_file, config) => {
  let json: StackJson;
  let outdir: string;
  const bn = new BootstrapNames(config);
  const names = new Names(config);
  const gitops = config.gitops!;
  beforeAll(() => {
    ({ json, outdir } = synthBootstrap(config));
  });

  it("passes the security rules (checks/)", () => {
    const report = checkSynthesized(outdir, {
      logRetentionDays: config.monitoring.logRetentionDays,
      allowDataStoreDestroy: config.organization.allowDataStoreDestroy,
    });
    expect(report.violations).toEqual([]);
  });

  it("keeps state in a versioned, KMS-encrypted, TLS-only, private bucket that expires old versions, protected from destroy unless the organization is throw-away", () => {
    const protect = !config.organization.allowDataStoreDestroy;
    const [bucket] = only(json, "aws_s3_bucket");
    expect(bucket).toMatchObject({ bucket: bn.stateBucket, lifecycle: { prevent_destroy: protect } });
    expect(only(json, "aws_s3_bucket_versioning")[0]!.versioning_configuration.status).toBe("Enabled");
    const sse = only(json, "aws_s3_bucket_server_side_encryption_configuration")[0]!.rule[0];
    expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\.state_key_.*\.arn\}$/,
    );
    expect(only(json, "aws_s3_bucket_public_access_block")[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = statementsOf(only(json, "aws_s3_bucket_policy")[0]!.policy);
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    const rule = only(json, "aws_s3_bucket_lifecycle_configuration")[0]!.rule[0];
    expect(rule.noncurrent_version_expiration[0].noncurrent_days).toBe(90);
    const [key] = only(json, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: protect } });
    expect(only(json, "aws_kms_alias")[0]!.name).toBe(`alias/${bn.stateKeyAlias}`);
  });

  it("has the GitHub OIDC provider with the STS audience", () => {
    expect(only(json, "aws_iam_openid_connect_provider")).toEqual([
      expect.objectContaining({
        url: "https://token.actions.githubusercontent.com",
        client_id_list: ["sts.amazonaws.com"],
      }),
    ]);
  });

  it("lets the apply role be assumed only by jobs of the protected environment of this repository", () => {
    const trust = statementsOf(role(json, GITOPS_ROLE_NAMES.apply).assume_role_policy);
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: {
        Federated: expect.stringMatching(/aws_iam_openid_connect_provider\.github-oidc_provider_.*\.arn/),
      },
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:${gitops.repository}:environment:${gitops.environment}`,
        },
      },
    });
    // Exact match only: no StringLike, which would let wildcards widen the subject.
    expect(Object.keys(trust[0]!.Condition!)).toEqual(["StringEquals"]);
  });

  it("lets the plan role be assumed by this repository's pull requests and its default branch only", () => {
    const trust = statementsOf(role(json, GITOPS_ROLE_NAMES.plan).assume_role_policy);
    expect(trust).toHaveLength(1);
    expect(Object.keys(trust[0]!.Condition!)).toEqual(["StringEquals"]);
    expect(trust[0]!.Condition!.StringEquals!["token.actions.githubusercontent.com:sub"]).toEqual([
      `repo:${gitops.repository}:pull_request`,
      `repo:${gitops.repository}:ref:refs/heads/${gitops.defaultBranch}`,
    ]);
  });

  it("lets the plan role assume every account's read role and no deploy role, and write nothing but saved plans", () => {
    const plan = statementsOf(inlinePolicy(json, "plan"));
    for (const a of accountsOf(config)) {
      expect(isAllowed(plan, "sts:AssumeRole", BootstrapNames.readRoleArn(a.id))).toBe(true);
      expect(isAllowed(plan, "sts:AssumeRole", names.deployRoleArn(a))).toBe(false);
      expect(isAllowed(plan, "sts:AssumeRole", Names.roleArn(a.id, "OrganizationAccountAccessRole"))).toBe(
        false,
      );
    }
    // Every role it may assume is a read role.
    const assumable = plan.filter(
      (s) => s.Effect === "Allow" && [s.Action].flat().includes("sts:AssumeRole"),
    );
    for (const s of assumable)
      for (const r of [s.Resource].flat())
        expect(r).toMatch(/^arn:aws:iam::\d{12}:role\/finops-landing-read$/);
    const state = `${bn.stateBucketArn}/${bn.stateKeyPrefix}`;
    expect(isAllowed(plan, "s3:GetObject", `${state}/payer.tfstate`)).toBe(true);
    expect(isAllowed(plan, "s3:PutObject", `${state}/payer.tfstate`)).toBe(false);
    expect(isAllowed(plan, "s3:PutObject", `${state}/payer.tfstate.tflock`)).toBe(false);
    expect(isAllowed(plan, "s3:PutObject", `${state}/plans/pr-7/abc/payer.tfplan`)).toBe(true);
    expect(isAllowed(plan, "s3:DeleteObject", `${state}/plans/pr-7/abc/payer.tfplan`)).toBe(false);
    expect(isAllowed(plan, "iam:PassRole", "arn:aws:iam::000000000001:role/anything")).toBe(false);
  });

  it("lets the apply role assume the deploy roles, write state and locks, read saved plans, and never write the bootstrap state", () => {
    const apply = statementsOf(inlinePolicy(json, "apply"));
    for (const a of accountsOf(config))
      expect(isAllowed(apply, "sts:AssumeRole", names.deployRoleArn(a))).toBe(true);
    const state = `${bn.stateBucketArn}/${bn.stateKeyPrefix}`;
    expect(isAllowed(apply, "s3:PutObject", `${state}/payer.tfstate`)).toBe(true);
    expect(isAllowed(apply, "s3:PutObject", `${state}/payer.tfstate.tflock`)).toBe(true);
    expect(isAllowed(apply, "s3:DeleteObject", `${state}/payer.tfstate.tflock`)).toBe(true);
    expect(isAllowed(apply, "s3:DeleteObject", `${state}/payer.tfstate`)).toBe(false);
    expect(isAllowed(apply, "s3:GetObject", `${state}/plans/pr-7/abc/payer.tfplan`)).toBe(true);
    expect(isAllowed(apply, "s3:PutObject", `${state}/plans/pr-7/abc/payer.tfplan`)).toBe(false);
    expect(isAllowed(apply, "s3:PutObject", `${state}/bootstrap.tfstate`)).toBe(false);
    expect(isAllowed(apply, "s3:PutObject", `${state}/bootstrap.tfstate.tflock`)).toBe(false);
  });

  it("puts a read role in every account, trusting only the plan role, with ReadOnlyAccess; the admin's also reads the external id secret", () => {
    const readRoles = only(json, "aws_iam_role").filter((r) => r.name === GITOPS_ROLE_NAMES.read);
    expect(readRoles).toHaveLength(accountsOf(config).length);
    const accountOfProvider = (ref: string | undefined) => providerOf(json, ref).allowed_account_ids[0];
    expect(readRoles.map((r) => accountOfProvider(r.provider)).sort()).toEqual(
      accountsOf(config)
        .map((a) => a.id)
        .sort(),
    );
    for (const r of readRoles) {
      expect(statementsOf(r.assume_role_policy)).toEqual([
        {
          Sid: "PlanRoleOnly",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${config.payer.id}:root` },
          Action: "sts:AssumeRole",
          Condition: { ArnEquals: { "aws:PrincipalArn": bn.planRoleArn } },
        },
      ]);
    }
    const attachments = only(json, "aws_iam_role_policy_attachment");
    expect(attachments).toHaveLength(readRoles.length);
    for (const a of attachments) expect(a.policy_arn).toBe("arn:aws:iam::aws:policy/ReadOnlyAccess");
    const extra = statementsOf(inlinePolicy(json, "plan-reads"));
    expect(extra).toEqual([
      expect.objectContaining({
        Action: "secretsmanager:GetSecretValue",
        Resource: `arn:aws:secretsmanager:${config.admin.regions[0]}:${config.admin.id}:secret:${names.externalIdSecretName}-*`,
      }),
    ]);
  });

  it("registers the admin account as StackSets delegated administrator", () => {
    expect(only(json, "aws_organizations_delegated_administrator")).toEqual([
      expect.objectContaining({
        account_id: config.admin.id,
        service_principal: "member.org.stacksets.cloudformation.amazonaws.com",
      }),
    ]);
  });

  it("enrolls Cost Optimization Hub only when its export is on", () => {
    expect(only(json, "aws_costoptimizationhub_enrollment_status")).toHaveLength(
      config.cur.costOptimizationHub.enabled ? 1 : 0,
    );
  });
});

describe("bootstrap stack: config-dependent parts", () => {
  it("activates the finops:* tag keys as cost allocation tags (example.yaml), in us-east-1", () => {
    const { json } = synthBootstrap(example);
    const tags = only(json, "aws_ce_cost_allocation_tag");
    expect(tags.map((t) => [t.tag_key, t.status]).sort()).toEqual([
      ["finops:account", "Active"],
      ["finops:environment", "Active"],
      ["finops:owner", "Active"],
    ]);
    for (const t of tags) expect(providerOf(json, t.provider).region).toBe("us-east-1");
  });

  it("activates none when gitops.costAllocationTags is false (local.yaml: moto has no such API)", () => {
    expect(only(synthBootstrap(local).json, "aws_ce_cost_allocation_tag")).toEqual([]);
  });

  it("enrolls Cost Optimization Hub with member accounts when cur.costOptimizationHub is on", () => {
    const config = { ...example, cur: { ...example.cur, costOptimizationHub: { enabled: true } } };
    expect(only(synthBootstrap(config).json, "aws_costoptimizationhub_enrollment_status")).toEqual([
      expect.objectContaining({ include_member_accounts: true }),
    ]);
  });

  it("target aws: keeps its own state at <keyPrefix>/bootstrap.tfstate in the bucket, under the state key, locked with the S3 lock file", () => {
    const { json } = synthBootstrap(example);
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: "example-org-terraform-state",
      key: "finops-landing/bootstrap.tfstate",
      region: "us-east-1",
      encrypt: true,
      kms_key_id: "arn:aws:kms:us-east-1:000000000001:alias/finops-tfstate",
      use_lockfile: true,
    });
  });

  it("first apply: a local state file instead, named relative to the stack directory", () => {
    const { json, outdir } = synthBootstrap(example, "/somewhere/.local/bootstrap/bootstrap.tfstate");
    expect(json.terraform.backend.s3).toBeUndefined();
    expect(path.resolve(outdir, "stacks", "bootstrap", json.terraform.backend.local.path)).toBe(
      "/somewhere/.local/bootstrap/bootstrap.tfstate",
    );
  });

  it("is not one of the landing's stacks: plan and deploy (describeLanding) never roll it out", () => {
    expect(describeLanding(example).map((s) => s.stack)).not.toContain("bootstrap");
    expect(describeBootstrap(example)).toEqual({
      stack: "bootstrap",
      kind: "bootstrap",
      accountId: example.payer.id,
      accountName: example.payer.name,
    });
    const { gitops: _, ...withoutGitops } = example;
    expect(describeBootstrap(withoutGitops as AccountConfig)).toBeUndefined();
  });
});

describe("what adding a gitops section changes in the landing (synth:compare in a test)", () => {
  const without = (config: AccountConfig): AccountConfig => ({ ...config, gitops: undefined });

  it("local target: only the bootstrap stack appears; every landing stack is byte-identical", () => {
    const a = synthConfig(without(local));
    const b = synthConfig(local);
    expect(Object.keys(b.text).sort()).toEqual([...Object.keys(a.text), "bootstrap"].sort());
    for (const [name, text] of Object.entries(a.text))
      expect({ name, identical: b.text[name] === text }).toEqual({ name, identical: true });
  });

  it("target aws: besides the bootstrap stack, only each landing stack's backend gains kms_key_id (the bootstrap's state key)", () => {
    const a = synthConfig(without(example));
    const b = synthConfig(example);
    expect(Object.keys(b.stacks).sort()).toEqual([...Object.keys(a.stacks), "bootstrap"].sort());
    for (const [name, stack] of Object.entries(a.stacks)) {
      const changed = structuredClone(stack);
      changed.terraform.backend.s3.kms_key_id = "arn:aws:kms:us-east-1:000000000001:alias/finops-tfstate";
      const { "//": _a, ...after } = b.stacks[name]!;
      const { "//": _b, ...expected } = changed;
      expect({ name, stack: after }).toEqual({ name, stack: expected });
    }
  });
});
