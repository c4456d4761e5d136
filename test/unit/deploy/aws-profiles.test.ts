import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { awsProfiles, renderAwsConfig } from "../../../deploy/aws-profiles";

const ROOT = path.join(__dirname, "../../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const SCRIPT = path.join(ROOT, "scripts/aws-profiles.ts");
const EXAMPLE = readFileSync(path.join(ROOT, "accounts/example.yaml"), "utf8");
const STATE_ROLE = "arn:aws:iam::000000000009:role/terraform-state";

/**
 * accounts/example.yaml with profiles, a state role and research-sandbox retired (without its
 * gitops section: a state role means state outside the bootstrap stack's bucket).
 */
const PROFILES_YAML = EXAMPLE.replace(/\ngitops:[\s\S]*$/, "\n")
  .replace("  name: example-org\n", "  name: example-org\n  credentials: profiles\n")
  .replace(/ {4}# roleArn: \S+/, `    roleArn: ${STATE_ROLE}`)
  .replace("    # retired: true", "    retired: true");

const config: AccountConfig = parseAccountConfig(PROFILES_YAML, "example-profiles.yaml");

/** A minimal INI reader: section name → key → value (comments and blank lines skipped). */
function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = {};
      out[head[1]!] = section;
      continue;
    }
    const kv = /^([\w]+)\s*=\s*(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`not INI: ${raw}`);
    section[kv[1]!] = kv[2]!;
  }
  return out;
}

describe("awsProfiles / renderAwsConfig", () => {
  it("maps every account's profile to its read-only role for plans, retired members included", () => {
    const ini = parseIni(renderAwsConfig(config, { role: "plan" }));
    expect(Object.keys(ini)).toEqual([
      "profile finops-000000000001",
      "profile finops-000000000002",
      "profile finops-000000000003",
      "profile finops-000000000004",
      "profile finops-000000000005",
      "profile finops-state",
    ]);
    expect(ini["profile finops-000000000003"]).toEqual({
      role_arn: "arn:aws:iam::000000000003:role/finops-landing-read",
      credential_source: "Environment",
      role_session_name: "finops-plan-shop-prod",
    });
    // shop-dev's own deploy role does not matter for plans: every account has the same read role
    expect(ini["profile finops-000000000004"]!.role_arn).toBe(
      "arn:aws:iam::000000000004:role/finops-landing-read",
    );
    // the retired member still needs its profile: its stack is planned (and applied) to destroy
    expect(ini["profile finops-000000000005"]!.role_arn).toBe(
      "arn:aws:iam::000000000005:role/finops-landing-read",
    );
    expect(ini["profile finops-state"]).toEqual({
      role_arn: STATE_ROLE,
      credential_source: "Environment",
      role_session_name: "finops-plan-state",
    });
  });

  it("maps every account's profile to its deploy role for applies, honouring a member's own deployRole", () => {
    const ini = parseIni(renderAwsConfig(config, { role: "apply" }));
    expect(ini["profile finops-000000000001"]!.role_arn).toBe(
      "arn:aws:iam::000000000001:role/OrganizationAccountAccessRole",
    );
    expect(ini["profile finops-000000000004"]!.role_arn).toBe(
      "arn:aws:iam::000000000004:role/PlatformDeployRole",
    );
    expect(ini["profile finops-000000000002"]!.role_session_name).toBe("finops-landing-cloudops");
    for (const section of Object.values(ini)) expect(section.credential_source).toBe("Environment");
    expect(ini["profile finops-state"]!.role_arn).toBe(STATE_ROLE);
  });

  it("takes another read role name and a separate read-only state role", () => {
    const profiles = awsProfiles(config, {
      role: "plan",
      readRoleName: "AuditRead",
      stateRoleArn: "arn:aws:iam::000000000009:role/terraform-state-read",
    });
    expect(profiles[0]!.roleArn).toBe("arn:aws:iam::000000000001:role/AuditRead");
    expect(profiles.at(-1)).toEqual({
      name: "finops-state",
      comment: "state bucket example-org-terraform-state",
      roleArn: "arn:aws:iam::000000000009:role/terraform-state-read",
      sessionName: "finops-plan-state",
    });
  });

  it("writes no finops-state profile when the backend uses the job's own credentials", () => {
    const noRole = parseAccountConfig(
      EXAMPLE.replace("  name: example-org\n", "  name: example-org\n  credentials: profiles\n"),
      "x.yaml",
    );
    expect(awsProfiles(noRole, { role: "apply" }).map((p) => p.name)).not.toContain("finops-state");
    expect(() =>
      awsProfiles(noRole, { role: "plan", stateRoleArn: "arn:aws:iam::000000000009:role/r" }),
    ).toThrow(/--state-role is set but organization.stateBackend.roleArn is not/);
  });

  it("refuses bad role names and ARNs with the fix", () => {
    expect(() => awsProfiles(config, { role: "plan", readRoleName: "arn:aws:iam::1:role/x" })).toThrow(
      /--read-role "arn:aws:iam::1:role\/x" is not an IAM role name; give the name only/,
    );
    expect(() => awsProfiles(config, { role: "plan", stateRoleArn: "terraform-state" })).toThrow(
      /--state-role "terraform-state" is not an IAM role ARN/,
    );
  });

  it("refuses the local target, which names no profiles", () => {
    const local = parseAccountConfig(readFileSync(path.join(ROOT, "accounts/local.yaml"), "utf8"), "l.yaml");
    expect(() => awsProfiles(local, { role: "plan" })).toThrow(/the config is target local/);
  });

  it("refuses plan profiles for an explicit assume-role config, whose plans would hold every deploy role", () => {
    const assumeRole = parseAccountConfig(
      EXAMPLE.replace("  name: example-org\n", "  name: example-org\n  credentials: assume-role\n"),
      "example.yaml",
    );
    expect(() => renderAwsConfig(assumeRole, { role: "plan" })).toThrow(
      /^organization\.credentials is assume-role: every provider assumes the deploy role itself, so a pull-request plan would hold deploy rights in every account; set organization\.credentials: profiles \(or remove the line: profiles is the default for target aws\)/,
    );
    // The apply job may still write its (unused) profiles, and says so in the file.
    expect(renderAwsConfig(assumeRole, { role: "apply" })).toContain(
      "# organization.credentials is assume-role: the stacks name no profiles yet;",
    );
    expect(renderAwsConfig(config, { role: "plan" })).not.toContain("organization.credentials is");
  });

  it("uses profiles for the unedited example (the target aws default) and refuses a deploy role as --read-role", () => {
    const example = parseAccountConfig(EXAMPLE, "example.yaml");
    expect(example.organization.credentials).toBe("profiles");
    expect(awsProfiles(example, { role: "plan" })[0]!.roleArn).toBe(
      "arn:aws:iam::000000000001:role/finops-landing-read",
    );
    // shop-dev's own deploy role (accounts/example.yaml) and the organization's.
    for (const name of ["PlatformDeployRole", "OrganizationAccountAccessRole"]) {
      expect(() => awsProfiles(example, { role: "plan", readRoleName: name })).toThrow(
        `--read-role "${name}" is a deploy role of this config: plans would hold deploy rights; give the read-only role's name (default finops-landing-read)`,
      );
    }
  });
});

describe("scripts/aws-profiles.ts", () => {
  let tmp: string;
  let file: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), "aws-profiles-"));
    file = path.join(tmp, "org.yaml");
    writeFileSync(file, PROFILES_YAML);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function cli(args: string[], env: Record<string, string> = {}) {
    const { FINOPS_CONFIG: _ignored, ...base } = process.env;
    const r = spawnSync(TSX, [SCRIPT, ...args], { cwd: ROOT, env: { ...base, ...env }, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("prints the apply profiles of the FINOPS_CONFIG file and exits 0", () => {
    const r = cli(["--role", "apply"], { FINOPS_CONFIG: file });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(renderAwsConfig(config, { role: "apply", configFile: file }));
  });

  it("exits 2 with the usage for a missing or unknown role", () => {
    const missing = cli(["--config", file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--role is required: plan (read-only roles) or apply (deploy roles)");
    const bad = cli(["--role", "deploy", "--config", file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--role "deploy" is not a role; use plan');
    expect(bad.stdout).toBe("");
  });

  it("exits 1 for the local target (the default config) and prints nothing", () => {
    const r = cli(["--role", "plan"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("accounts/local.yaml: the config is target local");
  });
});
