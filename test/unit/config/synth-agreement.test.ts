/**
 * Issue 14: validation agrees with synth. Every config `npm run accounts:validate` accepts
 * synthesizes; every config a stack would refuse while it is built is refused by validation first,
 * with a located error, and synth is never reached.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, loadAccountConfig, parseAccountConfig } from "../../../config/load";
import { accountConfigSchema } from "../../../config/schema";
import { SYNTH_FAILED_FILE, synthLanding } from "../../../deploy/synth";
import { synthConfig } from "../../support/synth";

const fixtures = path.join(__dirname, "../../fixtures/config");

function errorsOf(rel: string): ConfigError["issues"] {
  try {
    parseAccountConfig(readFileSync(path.join(fixtures, rel), "utf8"), rel);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error(`${rel} was accepted`);
}

/** Each fixture differs from valid-minimal.yaml in one way that a stack refuses while it is built. */
const synthRefused: Array<[file: string, at: string, says: string, thrownBy: string | undefined]> = [
  [
    "stackset-unknown-ou",
    "monitoring.stackset.organizationalUnits[0]",
    'no OU named "Platform"; OUs are: Workloads',
    "config/targeting.ts",
  ],
  [
    "stackset-unknown-account",
    "monitoring.stackset.accounts[0]",
    '"444444444444" is not a member account of this config',
    "config/targeting.ts",
  ],
  [
    "stackset-no-region-left",
    "monitoring.stackset.excludedRegions",
    "excludes every region (us-east-1); leave at least one region",
    "config/targeting.ts",
  ],
  [
    "home-region-not-in-admin-regions",
    "organization.homeRegion",
    "does not include it; add eu-west-1 to admin.regions",
    "modules/monitoring/admin-monitoring.ts",
  ],
  [
    "home-region-not-admin-primary",
    "admin.regions",
    "lists us-east-1 first, but organization.homeRegion is eu-west-1",
    "modules/data-platform/account-sync.ts",
  ],
  [
    "payer-regions-without-cur-home",
    "payer.regions",
    "does not include cur.homeRegion us-east-1",
    "stacks/account-stack.ts (no provider for the region)",
  ],
  // Synth did not crash here, it wrote arn:aws: ARNs for GovCloud accounts, which apply refuses.
  ["govcloud-region", "admin.regions[1]", '"us-gov-west-1" is in the aws-us-gov partition', undefined],
];

describe("validation refuses what synth would refuse, before synth", () => {
  it("has a case for every synth-refused fixture", () => {
    const files = readdirSync(path.join(fixtures, "synth-refused")).map((f) => f.replace(/\.yaml$/, ""));
    expect(synthRefused.map(([f]) => f).sort()).toEqual(files.sort());
  });

  it.each(synthRefused)("%s: validate fails at file:line:column, path, with the fix", (file, at, says) => {
    const rel = `synth-refused/${file}.yaml`;
    const issues = errorsOf(rel);
    const issue = issues.find((i) => i.text.includes(` ${at}: `));
    expect(issue).toBeDefined();
    expect(issue!.text).toMatch(new RegExp(`^${rel.replace(/[.]/g, "\\.")}:\\d+:\\d+ `));
    expect(issue!.line).toBeGreaterThan(0);
    expect(issue!.text).toContain(says);
  });

  // The rule is real: built from the same document with only layer 1 (the schema), the stack throws.
  it.each(synthRefused.filter(([, , , by]) => by !== undefined))(
    "%s: without the rule, building the stacks throws",
    (file) => {
      const data = parse(readFileSync(path.join(fixtures, "synth-refused", `${file}.yaml`), "utf8"));
      const config = accountConfigSchema.parse(data);
      expect(() => synthConfig(config)).toThrow();
    },
  );

  it.each(synthRefused)(
    "%s: npx tsx main.ts (what cdktf synth runs) exits 1 with the located error, no stack trace, and leaves no stale output",
    (file, at) => {
      const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-stale-"));
      // Yesterday's output: a manifest and a stack that a plan would otherwise pick up.
      writeFileSync(path.join(outdir, "manifest.json"), "{}");
      mkdirSync(path.join(outdir, "stacks", "admin"), { recursive: true });
      writeFileSync(path.join(outdir, "stacks", "admin", "cdk.tf.json"), "{}");
      const rel = path.join("test/fixtures/config/synth-refused", `${file}.yaml`);
      const r = spawnSync("npx", ["tsx", "main.ts"], {
        encoding: "utf8",
        env: { ...process.env, FINOPS_CONFIG: rel, CDKTF_OUTDIR: outdir },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`${rel.replace(/[.]/g, "\\.")}:\\d+:\\d+ ${at.replace(/[.[\]]/g, "\\$&")}: `),
      );
      expect(r.stderr).toContain("Nothing was synthesized");
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(path.join(outdir, "manifest.json"))).toBe(false);
      expect(existsSync(path.join(outdir, "stacks", "admin", "cdk.tf.json"))).toBe(false);
      expect(readFileSync(path.join(outdir, SYNTH_FAILED_FILE), "utf8")).toContain(at);
    },
  );

  it("synthLanding that fails leaves the output directory marked, without the previous stacks", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-stale-"));
    writeFileSync(path.join(outdir, "manifest.json"), "{}");
    mkdirSync(path.join(outdir, "stacks", "payer"), { recursive: true });
    writeFileSync(path.join(outdir, "stacks", "payer", "cdk.tf.json"), "{}");
    const data = parse(
      readFileSync(path.join(fixtures, "synth-refused", "payer-regions-without-cur-home.yaml"), "utf8"),
    );
    expect(() => synthLanding(accountConfigSchema.parse(data), outdir)).toThrow(/no provider for region/);
    expect(existsSync(path.join(outdir, "manifest.json"))).toBe(false);
    expect(existsSync(path.join(outdir, "stacks", "payer", "cdk.tf.json"))).toBe(false);
    expect(readFileSync(path.join(outdir, SYNTH_FAILED_FILE), "utf8")).toContain("no provider for region");
  });
});

/** Every config validation accepts: the fixtures and the shipped configs. */
const validFixtures = [
  path.join(fixtures, "valid-minimal.yaml"),
  ...readdirSync(path.join(fixtures, "valid")).map((f) => path.join(fixtures, "valid", f)),
  ...readdirSync("accounts")
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => path.join("accounts", f)),
].map((f) => [path.relative(process.cwd(), f)]);

describe("validate ok ⇒ synth succeeds (every valid fixture)", () => {
  it.each(validFixtures)("%s validates and synthesizes one stack per account", (file) => {
    const config = loadAccountConfig(file);
    const out = synthConfig(config);
    expect(Object.keys(out.stacks).sort()).toEqual(
      [
        "admin",
        "payer",
        ...config.members.map((m) => `member-${m.name}`),
        ...(config.gitops ? ["bootstrap"] : []),
      ].sort(),
    );
  });
});
