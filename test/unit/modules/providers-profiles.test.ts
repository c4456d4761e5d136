import { readFileSync } from "node:fs";
import { ConfigError, parseAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { awsProfiles } from "../../../deploy/aws-profiles";
import { awsProviders, type StackJson, type Synthesized, synthConfig } from "../../support/synth";

/**
 * organization.credentials "profiles": every provider names the account's shared-config profile
 * instead of assuming the deploy role, so one saved plan can be made with read-only roles and
 * applied with the deploy roles (docs/gitops.md).
 */

const EXAMPLE = readFileSync("accounts/example.yaml", "utf8");
const STATE_ROLE = "arn:aws:iam::000000000009:role/terraform-state";

/** accounts/example.yaml with organization keys added right after `name: example-org`. */
function exampleWith(orgLines: string[], opts: { stateRole?: boolean } = {}): string {
  let text = EXAMPLE.replace(
    "  name: example-org\n",
    `  name: example-org\n${orgLines.map((l) => `  ${l}\n`).join("")}`,
  );
  if (opts.stateRole) {
    text = withoutGitops(text).replace(/ {4}# roleArn: \S+/, `    roleArn: ${STATE_ROLE}`);
  }
  return text;
}

/**
 * Without the gitops section: a state role (stateBackend.roleArn) means state kept outside the
 * bootstrap stack's bucket, which validation refuses together with gitops.
 */
function withoutGitops(text: string): string {
  return text.replace(/\ngitops:[\s\S]*$/, "\n");
}

function parse(text: string): AccountConfig {
  return parseAccountConfig(text, "accounts/example.yaml (edited)");
}

function accountsOf(config: AccountConfig) {
  return [
    { stack: "payer", id: config.payer.id, regions: ["us-east-1"] },
    { stack: "admin", id: config.admin.id, regions: config.admin.regions },
    ...config.members.map((m) => ({ stack: `member-${m.name}`, id: m.id, regions: m.regions })),
  ];
}

/** The payer's aliased provider for the admin account is checked on its own. */
const ownProviders = (stackName: string, stack: StackJson) =>
  awsProviders(stack).filter((p) => !(stackName === "payer" && p.alias === "admin"));

describe("organization.credentials: profiles (target aws, state through a role)", () => {
  const config = parse(exampleWith(["credentials: profiles"], { stateRole: true }));
  let out: Synthesized;
  beforeAll(() => {
    out = synthConfig(config);
  });

  it("gives every region's provider of every account the profile finops-<id>, no assume_role, and keeps allowed_account_ids", () => {
    for (const a of accountsOf(config)) {
      const providers = ownProviders(a.stack, out.stacks[a.stack]!);
      expect(providers.map((p) => p.region)).toEqual(a.regions);
      for (const p of providers) {
        expect(p.profile).toBe(`finops-${a.id}`);
        expect(p.assume_role).toBeUndefined();
        expect(p.allowed_account_ids).toEqual([a.id]);
      }
    }
  });

  it("names the admin account's profile in the payer's cross-account provider", () => {
    const admin = awsProviders(out.stacks.payer!).filter((p) => p.alias === "admin");
    expect(admin).toHaveLength(1);
    expect(admin[0]!.profile).toBe(`finops-${config.admin.id}`);
    expect(admin[0]!.assume_role).toBeUndefined();
    expect(admin[0]!.allowed_account_ids).toEqual([config.admin.id]);
  });

  it("reaches the state bucket through the finops-state profile instead of assuming stateBackend.roleArn", () => {
    for (const [name, stack] of Object.entries(out.stacks)) {
      expect(stack.terraform.backend).toEqual({
        s3: {
          bucket: "example-org-terraform-state",
          key: `finops-landing/${name}.tfstate`,
          region: "us-east-1",
          encrypt: true,
          profile: "finops-state",
          use_lockfile: true,
        },
      });
    }
  });

  it("names only profiles that the plan and the apply profile files both define", () => {
    const named = new Set<string>();
    for (const stack of Object.values(out.stacks)) {
      for (const p of awsProviders(stack)) named.add(p.profile);
      if (stack.terraform.backend.s3.profile) named.add(stack.terraform.backend.s3.profile);
    }
    for (const role of ["plan", "apply"] as const) {
      const defined = new Set(awsProfiles(config, { role }).map((p) => p.name));
      expect([...named].filter((n) => !defined.has(n))).toEqual([]);
    }
    expect(named.has("finops-state")).toBe(true);
  });
});

describe("organization.credentials: profiles without a state role", () => {
  it("leaves the backend on the job's own credentials (no profile, no assume_role)", () => {
    const out = synthConfig(parse(exampleWith(["credentials: profiles"])));
    const backend = out.stacks["member-shop-dev"]!.terraform.backend.s3;
    expect(backend.profile).toBeUndefined();
    expect(backend.assume_role).toBeUndefined();
    expect(awsProviders(out.stacks["member-shop-dev"]!)[0]!.profile).toBe("finops-000000000004");
  });
});

describe("organization.credentials defaults: profiles for target aws, assume-role written out", () => {
  it("synthesizes byte-identical stacks whether a target aws config leaves the option out or sets profiles", () => {
    const absent = synthConfig(parse(exampleWith([], { stateRole: true })));
    const explicit = synthConfig(parse(exampleWith(["credentials: profiles"], { stateRole: true })));
    expect(Object.keys(explicit.text).sort()).toEqual(Object.keys(absent.text).sort());
    for (const name of Object.keys(absent.text)) expect(explicit.text[name]).toBe(absent.text[name]);
    const stack = absent.stacks["member-shop-dev"]!;
    expect(awsProviders(stack)[0]!.profile).toBe("finops-000000000004");
    expect(awsProviders(stack)[0]!.assume_role).toBeUndefined();
  });

  it("still assumes the deploy role, for the providers and the backend, when assume-role is written out", () => {
    const stack = synthConfig(parse(exampleWith(["credentials: assume-role"], { stateRole: true }))).stacks[
      "member-shop-dev"
    ]!;
    expect(awsProviders(stack)[0]!.assume_role[0].role_arn).toBe(
      "arn:aws:iam::000000000004:role/PlatformDeployRole",
    );
    expect(awsProviders(stack)[0]!.profile).toBeUndefined();
    expect(stack.terraform.backend.s3.assume_role.role_arn).toBe(STATE_ROLE);
    expect(stack.terraform.backend.s3.profile).toBeUndefined();
  });

  it("keeps assume-role for the local target when the option is left out", () => {
    const local = parseAccountConfig(readFileSync("accounts/local.yaml", "utf8"), "accounts/local.yaml");
    expect(local.organization.credentials).toBe("assume-role");
  });
});

describe("organization.credentials validation", () => {
  function errors(text: string): string[] {
    try {
      parse(text);
    } catch (e) {
      if (e instanceof ConfigError) return e.issues.map((i) => i.text);
      throw e;
    }
    throw new Error("expected the config to be refused");
  }

  it("refuses an unknown mode, naming the field, its line and both valid values", () => {
    expect(errors(exampleWith(["credentials: profile"]))).toEqual([
      'accounts/example.yaml (edited):13:3 organization.credentials: "profile" is not a credentials mode; use profiles (providers name the profile finops-<account-id>; the default for target aws) or assume-role (providers assume the deploy role; target local\'s default)',
    ]);
  });

  it("refuses a target aws config that makes the plans' read role a deploy role, naming the field and the fix", () => {
    expect(
      errors(
        exampleWith(["credentials: profiles"]).replace(
          /deployRoleName: \S+/,
          "deployRoleName: finops-landing-read",
        ),
      ),
    ).toEqual([
      'accounts/example.yaml (edited):15:3 organization.deployRoleName: is "finops-landing-read", the read-only role pull-request plans assume in every account: a deploy role by that name would let every plan write; name the deploy role differently (default OrganizationAccountAccessRole)',
    ]);
    const member = errors(
      exampleWith([]).replace("deployRole: PlatformDeployRole", "deployRole: finops-landing-read"),
    );
    expect(member).toHaveLength(1);
    expect(member[0]).toMatch(
      /members\[1\]\.deployRole: is "finops-landing-read", the read-only role pull-request plans assume: a deploy role by that name would let every plan write in shop-dev; name the account's deploy role differently$/,
    );
  });

  it("refuses a state role that is a deploy role, which the plans' finops-state profile would hold", () => {
    const text = withoutGitops(exampleWith([])).replace(
      / {4}# roleArn: \S+/,
      "    roleArn: arn:aws:iam::000000000001:role/OrganizationAccountAccessRole",
    );
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /organization\.stateBackend\.roleArn: is account 000000000001's deploy role \(OrganizationAccountAccessRole\): with credentials profiles, pull-request plans reach state through it \(profile finops-state\) and would hold a deploy role; give a role that can only use the state bucket, or remove roleArn/,
    );
    // assume-role written out has no finops-state profile: the backend assumes roleArn itself, as before.
    expect(() =>
      parse(text.replace("  name: example-org\n", "  name: example-org\n  credentials: assume-role\n")),
    ).not.toThrow();
  });

  it("refuses profiles for the local target, which keeps the emulator's test credentials", () => {
    const local = readFileSync("accounts/local.yaml", "utf8").replace(
      /^organization:\n/m,
      "organization:\n  credentials: profiles\n",
    );
    const found = errors(local);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /organization\.credentials: is "profiles", which only target aws supports: the local target reaches the emulator with its own test credentials; remove credentials \(or set assume-role\) for target local$/,
    );
  });
});
