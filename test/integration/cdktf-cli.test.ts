import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import { targetFor } from "../../config/target";
import { deployLocal, destroyLocal } from "../support/local-org";

/**
 * The cdktf CLI as platform teams run it, exactly as README "Using the cdktf CLI" says, on the
 * emulated organization: after the landing (the tools' apply), `cdktf diff` of each landed stack
 * shows no changes; `cdktf deploy` of one member applies that member and touches no other state;
 * `cdktf deploy payer` without admin stops with the dependency and the commands to run; `cdktf
 * output` prints the outputs. Informational lines (bundle sizes, providers, order, target) come on
 * stdout, none as an [ERROR]. Offline, TF_PROVIDER_MIRROR is the only setting: no CLI flag.
 *
 * Every stack is diffed: admin, payer and two members right after the landing (the integration
 * run orders this file just after landing.test.ts, so landing them again finds nothing to do),
 * member-sandbox-data after `cdktf deploy` applied it (it starts absent: the deploy must create it).
 */

const ROOT = path.resolve(__dirname, "../..");
const CONFIG_FILE = "accounts/local.yaml";
const config = loadAccountConfig(path.join(ROOT, CONFIG_FILE));
const names = new Names(config);
const LANDED = ["admin", "payer", "member-app-dev", "member-app-prod"];
const CLI_MEMBER = "member-sandbox-data";
const OUTDIR = mkdtempSync(path.join(os.tmpdir(), "finops-cdktf-out-"));

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, without colours. */
  readonly text: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences of the CLI's output
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** `npx cdktf <args>` in the repository, as the README writes it (plus --output, so cdktf.out stays the user's). */
function cdktf(...args: string[]): CliRun {
  const r = spawnSync("npx", ["cdktf", ...args, "--output", OUTDIR], {
    cwd: ROOT,
    env: { ...process.env, FINOPS_CONFIG: CONFIG_FILE, FORCE_COLOR: "0" },
    encoding: "utf8",
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = (r.stdout ?? "").replace(ANSI, "");
  const stderr = (r.stderr ?? "").replace(ANSI, "");
  return { code: r.status ?? 1, stdout, stderr, text: `${stdout}\n${stderr}` };
}

function stateText(stack: string): string {
  const target = targetFor(config);
  if (target.kind !== "local") throw new Error("the local config has target local");
  const file = path.join(target.stateDir, `${stack}.tfstate`);
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

function stateResources(stack: string): number {
  const text = stateText(stack);
  return text ? (JSON.parse(text).resources ?? []).length : 0;
}

describe("the cdktf CLI on the local organization (README, Using the cdktf CLI)", () => {
  let payerWithoutAdmin: CliRun;
  let payerStateBefore: string;

  beforeAll(async () => {
    // The landing, as npm run local applies it; the CLI's member starts absent.
    const { outcomes } = await deployLocal(config, LANDED);
    expect(outcomes.map((o) => [o.info.stack, o.status, o.clean, o.error])).toEqual(
      LANDED.map((s) => [s, expect.stringMatching(/^(applied|unchanged)$/), true, undefined]),
    );
    await destroyLocal(config, [CLI_MEMBER]);
    payerStateBefore = stateText("payer");
    // The first command a team runs synthesizes into --output; the later ones reuse it (--skip-synth).
    payerWithoutAdmin = cdktf("deploy", "payer", "--auto-approve");
  }, 1_800_000);

  // The synthesized stacks only (links into the mirror are removed, not followed); state stays.
  afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

  it("stops cdktf deploy payer without admin with the dependency and the commands to run, applying nothing", () => {
    expect(payerWithoutAdmin.code).not.toBe(0);
    expect(payerWithoutAdmin.text).toContain(
      "The following dependencies are not included in the stacks to run: admin",
    );
    expect(payerWithoutAdmin.stdout).toContain(
      "order      payer needs admin first (the payer replicates CUR into the admin's bucket): cdktf deploy admin payer; with admin already applied: cdktf deploy payer --ignore-missing-stack-dependencies",
    );
    expect(stateText("payer")).toBe(payerStateBefore);
  });

  it("prints the synth's informational lines on stdout, none of them as an [ERROR]", () => {
    const { stdout, stderr } = payerWithoutAdmin;
    expect(stdout).toMatch(/^bundle {5}api: .* zipped$/m);
    expect(stdout).toMatch(/^target {5}local: the emulated organization at http:\/\/127\.0\.0\.1:\d+/m);
    const info = /^(bundle|providers|order|target) {2,}/;
    const errorLines = `${stdout}\n${stderr}`.split("\n").filter((l) => /\[ERROR\]/.test(l));
    expect(errorLines.filter((l) => info.test(l.replace(/^.*\[ERROR\] default - /, "")))).toEqual([]);
    expect(stderr).not.toMatch(/^bundle /m);
  });

  it("leaves each stack directory ready offline: a lock file the mirror satisfies and the mirror linked", () => {
    if (!process.env.TF_PROVIDER_MIRROR) return; // online, cdktf locks from the registry itself
    for (const stack of [...LANDED, CLI_MEMBER]) {
      const dir = path.join(OUTDIR, "stacks", stack);
      expect(readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8")).toMatch(
        /provider "registry.terraform.io\/hashicorp\/aws" \{\s*version\s*=\s*"5\.100\.0"/,
      );
      expect(existsSync(path.join(dir, "terraform.d", "plugins", "registry.terraform.io"))).toBe(true);
    }
  });

  it.each(LANDED)(
    "cdktf diff %s after the landing shows no changes",
    (stack) => {
      const r = cdktf("diff", stack, "--skip-synth");
      expect([r.code, r.text]).toEqual([0, expect.stringContaining("No changes.")]);
      expect(r.text).not.toMatch(/Plan: \d+ to add/);
    },
    600_000,
  );

  it(`cdktf deploy ${CLI_MEMBER} applies that member and no other stack`, () => {
    const others = [...LANDED, ...config.members.map((m) => Names.memberStack(m))].filter(
      (s) => s !== CLI_MEMBER,
    );
    const before = new Map(others.map((s) => [s, stateText(s)]));
    const r = cdktf("deploy", CLI_MEMBER, "--auto-approve", "--skip-synth");
    expect([r.code, r.text]).toEqual([0, expect.stringMatching(/Apply complete! Resources: [1-9]\d* added/)]);
    expect(stateResources(CLI_MEMBER)).toBeGreaterThan(0);
    for (const s of others) expect([s, stateText(s)]).toEqual([s, before.get(s)]);
    const again = cdktf("diff", CLI_MEMBER, "--skip-synth");
    expect([again.code, again.text]).toEqual([0, expect.stringContaining("No changes.")]);
  }, 900_000);

  it("cdktf output prints what a platform team needs from admin and payer", () => {
    const file = path.join(OUTDIR, "outputs.json");
    const r = cdktf("output", "admin", "payer", "--skip-synth", "--outputs-file", file);
    expect([r.code, r.text]).toEqual([0, expect.stringContaining("The outputs have been written to")]);
    const out = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(out.admin).sort()).toEqual(
      [
        "api_url",
        "central_bus_arn",
        "console_url",
        "hosted_ui_url",
        "user_pool_client_id",
        "user_pool_id",
      ].sort(),
    );
    expect(out.admin.central_bus_arn).toBe(names.centralBusArn);
    expect(out.admin.api_url).toMatch(/^https:\/\//);
    expect(out.admin.user_pool_id).toMatch(/^us-east-1_/);
    expect(out.payer.read_role_arn).toBe(`arn:aws:iam::${config.payer.id}:role/${names.payerReadRoleName}`);
    expect(out.payer.cur_export_arn).toMatch(
      new RegExp(`^arn:aws:bcm-data-exports:us-east-1:${config.payer.id}:export/`),
    );
  }, 600_000);
});
