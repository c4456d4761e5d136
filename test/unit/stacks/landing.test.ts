import { loadAccountConfig } from "../../../config/load";
import { awsProfiles } from "../../../deploy/aws-profiles";
import { EMULATOR_GAPS } from "../../../modules/emulator-gaps";
import {
  awsProviders,
  localConfigWith,
  resourcesOf,
  type Synthesized,
  synthConfig,
  synthFile,
} from "../../support/synth";

describe("the landing's stacks (accounts/example.yaml, target aws)", () => {
  let out: Synthesized;
  const config = loadAccountConfig("accounts/example.yaml");
  beforeAll(() => {
    out = synthFile("accounts/example.yaml");
  });

  it("has one stack for the payer, one for the admin and one per member, and the bootstrap stack (gitops section)", () => {
    expect(Object.keys(out.stacks).sort()).toEqual(
      ["admin", "payer", ...config.members.map((m) => `member-${m.name}`), "bootstrap"].sort(),
    );
  });

  const accounts = () => [
    { stack: "payer", id: config.payer.id, role: config.organization.deployRoleName, regions: ["us-east-1"] },
    {
      stack: "admin",
      id: config.admin.id,
      role: config.organization.deployRoleName,
      regions: config.admin.regions,
    },
    ...config.members.map((m) => ({
      stack: `member-${m.name}`,
      id: m.id,
      role: m.deployRole ?? config.organization.deployRoleName,
      regions: m.regions,
    })),
  ];

  it("gives every stack one provider per region, each naming the account's profile (credentials profiles, the target aws default) and allowed only that account", () => {
    expect(config.organization.credentials).toBe("profiles");
    for (const a of accounts()) {
      // The payer's one cross-account provider (alias "admin", writes the external id secret; docs/payer.md)
      // belongs to the admin account and is checked below.
      const providers = awsProviders(out.stacks[a.stack]!).filter(
        (p) => !(a.stack === "payer" && p.alias === "admin"),
      );
      expect(providers.map((p) => p.region)).toEqual(a.regions);
      for (const p of providers) {
        // No role in the provider: the plan job maps the profile to the read role, the apply job to
        // the deploy role (deploy/aws-profiles.ts), so a pull request's plan never holds a deploy role.
        expect(p.profile).toBe(`finops-${a.id}`);
        expect(p.assume_role).toBeUndefined();
        expect(p.allowed_account_ids).toEqual([a.id]);
      }
      // the primary region is the default provider, the others are aliased by region
      expect(providers[0]!.alias).toBeUndefined();
      for (const p of providers.slice(1)) expect(p.alias).toBe(p.region.replace(/-/g, "_"));
    }
  });

  it("gives the payer exactly one cross-account provider, for the admin account only", () => {
    const admin = awsProviders(out.stacks.payer!).filter((p) => p.alias === "admin");
    expect(admin).toHaveLength(1);
    expect(admin[0]!.allowed_account_ids).toEqual([config.admin.id]);
    expect(admin[0]!.profile).toBe(`finops-${config.admin.id}`);
    expect(admin[0]!.assume_role).toBeUndefined();
  });

  it("honours a member's own deploy role in the apply profiles, and plans through the read role", () => {
    const apply = awsProfiles(config, { role: "apply" });
    const plan = awsProfiles(config, { role: "plan" });
    const profile = awsProviders(out.stacks["member-shop-dev"]!)[0]!.profile;
    expect(apply.find((p) => p.name === profile)!.roleArn).toBe(
      "arn:aws:iam::000000000004:role/PlatformDeployRole",
    );
    expect(plan.find((p) => p.name === profile)!.roleArn).toBe(
      "arn:aws:iam::000000000004:role/finops-landing-read",
    );
    for (const a of accounts()) {
      expect(apply.find((p) => p.name === `finops-${a.id}`)!.roleArn).toBe(
        `arn:aws:iam::${a.id}:role/${a.role}`,
      );
    }
  });

  it("tags everything with account, environment, owner and managed-by", () => {
    const p = awsProviders(out.stacks["member-shop-prod"]!)[0]!;
    expect(p.default_tags).toEqual([
      {
        tags: {
          "finops:account": "shop-prod",
          "finops:environment": "prod",
          "finops:owner": "team-shop@example.com",
          "managed-by": "finops-landing",
        },
      },
    ]);
  });

  it("uses no emulator endpoints or test credentials", () => {
    for (const stack of Object.values(out.stacks)) {
      for (const p of awsProviders(stack)) {
        expect(p.endpoints).toBeUndefined();
        expect(p.access_key).toBeUndefined();
        expect(p.skip_credentials_validation).toBeUndefined();
      }
    }
  });

  it("keeps each stack's state in its own encrypted, lock-file-protected S3 object, under the bootstrap's state key", () => {
    for (const [name, stack] of Object.entries(out.stacks)) {
      expect(stack.terraform.backend).toEqual({
        s3: {
          bucket: "example-org-terraform-state",
          key: `finops-landing/${name}.tfstate`,
          region: "us-east-1",
          encrypt: true,
          // gitops: the bucket is the bootstrap stack's, with its own key (alias, resolved in the payer account).
          kms_key_id: "arn:aws:kms:us-east-1:000000000001:alias/finops-tfstate",
          use_lockfile: true,
        },
      });
    }
  });

  it("carries none of the emulator gap list's ignore_changes", () => {
    const gapTypes = new Set(EMULATOR_GAPS.map((g) => g.resourceType));
    for (const stack of Object.values(out.stacks)) {
      for (const [type, name, body] of resourcesOf(stack)) {
        const ignored: string[] = body.lifecycle?.ignore_changes ?? [];
        const gap = EMULATOR_GAPS.find((g) => g.resourceType === type);
        if (gapTypes.has(type)) {
          expect({
            resource: `${type}.${name}`,
            ignored: ignored.filter((a) => gap!.attributes.includes(a)),
          }).toEqual({
            resource: `${type}.${name}`,
            ignored: [],
          });
        }
      }
    }
  });
});

describe("the local target (accounts/local.yaml)", () => {
  let out: Synthesized;
  beforeAll(() => {
    out = synthFile("accounts/local.yaml");
  });

  it("points every provider at the emulator with test credentials and a bounded retry count", () => {
    for (const stack of Object.values(out.stacks)) {
      for (const p of awsProviders(stack)) {
        expect(p.access_key).toBe("test");
        expect(p.s3_use_path_style).toBe(true);
        expect(p.max_retries).toBeLessThanOrEqual(3);
        const endpoints = Object.values(p.endpoints[0]) as string[];
        expect(endpoints.length).toBeGreaterThan(10);
        for (const e of endpoints) expect(e).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      }
    }
  });

  it("keeps state in a local file per stack, by a path relative to the stack directory", () => {
    for (const [name, stack] of Object.entries(out.stacks)) {
      const p: string = stack.terraform.backend.local.path;
      expect(p.startsWith("/")).toBe(false);
      expect(p.endsWith(`state/${name}.tfstate`)).toBe(true);
    }
  });

  it("names no absolute path of this machine in any stack", () => {
    for (const text of Object.values(out.text)) expect(text).not.toContain(process.cwd());
  });
});

describe("adding a member account", () => {
  const newMember = `
  - id: "666666666666"
    name: new-team
    email: new-team@example.com
    ou: Workloads
    environment: dev
    owner: team-new
    regions: [us-east-1]
`;

  it("adds exactly one stack and leaves every other landing stack's JSON byte-identical but the admin's member config object; the bootstrap stack gains the account's read role", () => {
    const before = synthConfig(loadAccountConfig("accounts/local.yaml"));
    const after = synthConfig(localConfigWith((y) => y.replace(/\ncur:/, `${newMember}\ncur:`)));
    expect(Object.keys(after.text).sort()).toEqual([...Object.keys(before.text), "member-new-team"].sort());
    for (const [name, text] of Object.entries(before.text)) {
      if (name === "bootstrap" || name === "admin") continue;
      expect({ name, identical: after.text[name] === text }).toEqual({ name, identical: true });
    }
    // The admin stack changes in one place: the member config object the API reads gains the account.
    const memberConfig = (json: Record<string, unknown>) =>
      resourcesOf(json).find(([t, , b]) => t === "aws_s3_object" && b.key === "config/members.json")![2];
    expect(memberConfig(before.stacks.admin!).content).not.toContain('"666666666666"');
    expect(memberConfig(after.stacks.admin!).content).toContain('"666666666666":{"environment":"dev"}');
    const withoutMemberConfig = (json: Record<string, unknown>) => {
      const copy = structuredClone(json);
      memberConfig(copy).content = "";
      return JSON.stringify(copy);
    };
    expect(withoutMemberConfig(after.stacks.admin!)).toBe(withoutMemberConfig(before.stacks.admin!));
    // The new account's read role (applied with npm run bootstrap before the member's first plan; docs/bootstrap.md).
    const readRoles = (json: Record<string, unknown>) =>
      resourcesOf(json).filter(([t, , b]) => t === "aws_iam_role" && b.name === "finops-landing-read").length;
    expect(readRoles(after.stacks.bootstrap!)).toBe(readRoles(before.stacks.bootstrap!) + 1);
  });
});

describe("SecureBucket", () => {
  let out: Synthesized;
  beforeAll(() => {
    out = synthFile("accounts/example.yaml");
  });

  const bucketParts = (stack: string, bucketName: string) => {
    const resources = resourcesOf(out.stacks[stack]!);
    const bucket = resources.find(([t, , b]) => t === "aws_s3_bucket" && b.bucket === bucketName);
    expect(bucket).toBeDefined();
    const ref = `\${aws_s3_bucket.${bucket![1]}.id}`;
    const of = (type: string) =>
      resources.filter(([t, , b]) => t === type && b.bucket === ref).map(([, , b]) => b);
    return { bucket: bucket![2], of };
  };

  it.each([
    ["payer", "finops-cur-000000000001"],
    ["admin", "finops-cur-replica-000000000002"],
  ])(
    "%s bucket %s has versioning, encryption, public-access blocks, ownership, TLS-only policy and lifecycle",
    (stack, name) => {
      const { bucket, of } = bucketParts(stack, name);
      expect(bucket.lifecycle.prevent_destroy).toBe(true);
      expect(bucket.force_destroy).toBe(false);
      expect(of("aws_s3_bucket_versioning")[0].versioning_configuration.status).toBe("Enabled");
      expect(
        of("aws_s3_bucket_server_side_encryption_configuration")[0].rule[0]
          .apply_server_side_encryption_by_default.sse_algorithm,
      ).toMatch(/^(AES256|aws:kms)$/);
      expect(of("aws_s3_bucket_public_access_block")[0]).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(of("aws_s3_bucket_ownership_controls")[0].rule.object_ownership).toBe("BucketOwnerEnforced");
      const policy = JSON.parse(of("aws_s3_bucket_policy")[0].policy);
      const denies = policy.Statement.filter((s: { Effect: string }) => s.Effect === "Deny");
      expect(denies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          expect.objectContaining({ Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } }),
        ]),
      );
      const rule = of("aws_s3_bucket_lifecycle_configuration")[0].rule[0];
      expect(rule.noncurrent_version_expiration[0].noncurrent_days).toBeGreaterThan(0);
      expect(rule.abort_incomplete_multipart_upload[0].days_after_initiation).toBeGreaterThan(0);
    },
  );

  it("lets plans destroy buckets only when the organization opts in", () => {
    const local = synthFile("accounts/local.yaml");
    const bucket = resourcesOf(local.stacks.admin!).find(([t]) => t === "aws_s3_bucket")!;
    expect(bucket[2].lifecycle.prevent_destroy).toBe(false);
  });
});
