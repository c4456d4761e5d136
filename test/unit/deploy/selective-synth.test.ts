import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { loadAccountConfig, parseAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { configOnlyChange, selectiveSynthAgainstRef } from "../../../deploy/selective-synth";
import { synthLanding } from "../../../deploy/synth";
import { buildLanding } from "../../../stacks/landing";

/**
 * The selective synth's entry points other than its proof (test/unit/deploy/affected-stacks.test.ts):
 * when a ref's synth may be made with this code (configOnlyChange, in a throw-away git repository),
 * the synth against a ref, and the subset build itself.
 */

const ROOT = path.join(__dirname, "../../..");
const EXAMPLE_TEXT = readFileSync(path.join(ROOT, "accounts/example.yaml"), "utf8");
const CONFIG = "accounts/org.yaml";

/** The example with one more member (no budget), as a pull request would add it. */
const WITH_NEW_MEMBER = EXAMPLE_TEXT.replace(
  "\ncur:\n",
  [
    "",
    '  - id: "000000000009"',
    "    name: new-team",
    "    email: aws-new-team@example.com",
    "    ou: Workloads",
    "    environment: dev",
    "    owner: team-new@example.com",
    "    regions: [us-east-1]",
    "",
    "cur:",
    "",
  ].join("\n"),
);

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "finops-selective-"));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let repos = 0;

/** A git repository with the config and a code file committed; returns its folder. */
function repo(): string {
  const dir = path.join(tmpRoot, `repo-${++repos}`);
  mkdirSync(path.join(dir, "accounts"), { recursive: true });
  mkdirSync(path.join(dir, "stacks"));
  writeFileSync(path.join(dir, CONFIG), EXAMPLE_TEXT);
  writeFileSync(path.join(dir, "stacks", "landing.ts"), "export const code = 1;\n");
  writeFileSync(path.join(dir, ".gitignore"), ".local/\n");
  git(dir, "init", "-q", "-b", "main");
  commit(dir, "base");
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: "pipe" });
}

function commit(dir: string, message: string): void {
  git(dir, "add", ".");
  git(dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message);
}

describe("configOnlyChange: may the base ref be synthesized with this code?", () => {
  it("yes when only the config differs (uncommitted or committed), with the ref's config parsed", () => {
    const dir = repo();
    writeFileSync(path.join(dir, CONFIG), WITH_NEW_MEMBER);
    const uncommitted = configOnlyChange("main", CONFIG, dir);
    expect(uncommitted.ok && uncommitted.previous.members.map((m) => m.name)).toEqual([
      "shop-prod",
      "shop-dev",
      "research-sandbox",
    ]);
    git(dir, "checkout", "-q", "-b", "pr");
    commit(dir, "add new-team");
    expect(configOnlyChange("main", CONFIG, dir).ok).toBe(true);
    // From a subfolder, the config named relative to it.
    expect(configOnlyChange("main", path.join("..", CONFIG), path.join(dir, "stacks")).ok).toBe(true);
  });

  it("yes when nothing differs, and when only ignored files are new", () => {
    const dir = repo();
    mkdirSync(path.join(dir, ".local"));
    writeFileSync(path.join(dir, ".local", "state.json"), "{}");
    expect(configOnlyChange("main", CONFIG, dir).ok).toBe(true);
  });

  it("no when a code file differs from the ref, committed or not", () => {
    const dir = repo();
    writeFileSync(path.join(dir, CONFIG), WITH_NEW_MEMBER);
    writeFileSync(path.join(dir, "stacks", "landing.ts"), "export const code = 2;\n");
    expect(configOnlyChange("main", CONFIG, dir)).toEqual({
      ok: false,
      reason: "1 file besides accounts/org.yaml differs from main (stacks/landing.ts)",
    });
    git(dir, "checkout", "-q", "-b", "pr");
    commit(dir, "code and config");
    expect(configOnlyChange("main", CONFIG, dir).ok).toBe(false);
  });

  it("no when the base branch moved on with code the pull request does not have (the ref, not the merge base, is compared)", () => {
    const dir = repo();
    git(dir, "checkout", "-q", "-b", "pr");
    writeFileSync(path.join(dir, CONFIG), WITH_NEW_MEMBER);
    commit(dir, "add new-team");
    git(dir, "checkout", "-q", "main");
    writeFileSync(path.join(dir, "stacks", "landing.ts"), "export const code = 3;\n");
    commit(dir, "code on main");
    git(dir, "checkout", "-q", "pr");
    const r = configOnlyChange("main", CONFIG, dir);
    expect(r.ok === false && r.reason).toBe(
      "1 file besides accounts/org.yaml differs from main (stacks/landing.ts)",
    );
  });

  it("no when an untracked file could be code, listing at most three", () => {
    const dir = repo();
    for (const f of ["a.ts", "b.ts", "c.ts", "d.ts"]) writeFileSync(path.join(dir, "stacks", f), "");
    expect(configOnlyChange("main", CONFIG, dir)).toEqual({
      ok: false,
      reason:
        "4 files besides accounts/org.yaml differ from main (stacks/a.ts, stacks/b.ts, stacks/c.ts, ...)",
    });
  });

  it("no when the ref has no such config, or an invalid one, or the config is outside the repository", () => {
    const dir = repo();
    expect(configOnlyChange("main", "accounts/other.yaml", dir)).toEqual({
      ok: false,
      reason: "accounts/other.yaml does not exist at main",
    });
    writeFileSync(path.join(dir, CONFIG), EXAMPLE_TEXT.replace('id: "000000000003"', 'id: "3"'));
    commit(dir, "broken");
    git(dir, "checkout", "-q", "-b", "pr");
    writeFileSync(path.join(dir, CONFIG), EXAMPLE_TEXT);
    const broken = configOnlyChange("main", CONFIG, dir);
    expect(broken.ok).toBe(false);
    expect(broken.ok === false && broken.reason).toMatch(
      /^accounts\/org\.yaml at main is not a valid config: [\s\S]*members\[0\]\.id/,
    );
    const outside = path.join(tmpRoot, "outside.yaml");
    writeFileSync(outside, EXAMPLE_TEXT);
    expect(configOnlyChange("main", outside, dir)).toEqual({
      ok: false,
      reason: `${outside} is outside the repository, so main has no copy of it`,
    });
  });

  it("refuses a ref git does not know, saying how to fetch it", () => {
    expect(() => configOnlyChange("no-such-ref", CONFIG, repo())).toThrow(
      /git ref "no-such-ref" is not known here/,
    );
  });
});

describe("selectiveSynthAgainstRef", () => {
  it("synthesizes only what a config-only change can affect, with the ref's config as the previous one", () => {
    const dir = repo();
    writeFileSync(path.join(dir, CONFIG), WITH_NEW_MEMBER);
    const config = parseAccountConfig(WITH_NEW_MEMBER, CONFIG);
    const outDir = path.join(tmpRoot, "against-ref");
    const log: string[] = [];
    const r = selectiveSynthAgainstRef({
      ref: "main",
      configFile: CONFIG,
      config,
      outDir,
      target: targetFor(config),
      cwd: dir,
      log: (l) => log.push(l),
    });
    if (!r.ok) throw new Error(r.reason);
    // A member without a budget: its own stack, the admin's member environments, the bootstrap's read role.
    expect(r.result.synthesized).toEqual(["admin", "bootstrap", "member-new-team"]);
    expect(r.result.diff).toEqual({
      changed: ["admin", "bootstrap", "member-new-team"],
      unchanged: ["member-research-sandbox", "member-shop-dev", "member-shop-prod", "payer"],
      removed: [],
    });
    expect(r.result.all.map((s) => s.stack)).toEqual([
      "admin",
      "payer",
      "member-shop-prod",
      "member-shop-dev",
      "member-research-sandbox",
      "member-new-team",
    ]);
    expect(readdirSync(path.join(outDir, "stacks")).sort()).toEqual([
      "admin",
      "bootstrap",
      "member-new-team",
    ]);
    expect(log).toContain("selective  member-new-team: member new-team (000000000009) added");
    expect(log).toContain("selective  synthesized 3 of 7 stacks; 3 differ");
  });

  it("synthesizes no stack when the config's text changed but not its value (a comment), and calls every stack unchanged", () => {
    const dir = repo();
    const text = `${EXAMPLE_TEXT}# reviewed in the quarterly access review\n`;
    writeFileSync(path.join(dir, CONFIG), text);
    const config = parseAccountConfig(text, CONFIG);
    const outDir = path.join(tmpRoot, "comment-only");
    const r = selectiveSynthAgainstRef({
      ref: "main",
      configFile: CONFIG,
      config,
      outDir,
      target: targetFor(config),
      cwd: dir,
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.result.synthesized).toEqual([]);
    expect(r.result.diff).toEqual({
      changed: [],
      unchanged: [
        "admin",
        "bootstrap",
        "member-research-sandbox",
        "member-shop-dev",
        "member-shop-prod",
        "payer",
      ],
      removed: [],
    });
    expect(JSON.parse(readFileSync(path.join(outDir, "manifest.json"), "utf8")).stacks).toEqual({});
  });

  it("synthesizes nothing when the code changed, and says why", () => {
    const dir = repo();
    writeFileSync(path.join(dir, "stacks", "landing.ts"), "export const code = 2;\n");
    const config = parseAccountConfig(EXAMPLE_TEXT, CONFIG);
    const outDir = path.join(tmpRoot, "code-changed");
    const r = selectiveSynthAgainstRef({
      ref: "main",
      configFile: CONFIG,
      config,
      outDir,
      target: targetFor(config),
      cwd: dir,
    });
    expect(r).toEqual({
      ok: false,
      reason: "1 file besides accounts/org.yaml differs from main (stacks/landing.ts)",
    });
    expect(existsSync(outDir)).toBe(false);
  });
});

describe("a synth of some stacks", () => {
  const local: AccountConfig = loadAccountConfig(path.join(ROOT, "accounts/local.yaml"));
  const member = `member-${local.members[0]!.name}`;

  it("writes only them, leaves an earlier synth's other stacks without cdk.tf.json, and returns them", () => {
    const out = path.join(tmpRoot, "subset");
    const target = targetFor(local, { FINOPS_LOCAL_DIR: path.join(tmpRoot, "local") });
    synthLanding(local, out, target);
    expect(existsSync(path.join(out, "stacks", "payer", "cdk.tf.json"))).toBe(true);
    const infos = synthLanding(local, out, target, { stacks: [member, "payer"] });
    // describeLanding's order, not the option's.
    expect(infos.map((s) => s.stack)).toEqual(["payer", member]);
    const withJson = readdirSync(path.join(out, "stacks")).filter((s) =>
      existsSync(path.join(out, "stacks", s, "cdk.tf.json")),
    );
    expect(withJson.sort()).toEqual([member, "payer"].sort());
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([member, "payer"].sort());
    // The payer depends on the admin stack, which this synth left out: not recorded.
    expect(manifest.stacks.payer.dependencies).toEqual([]);
  });

  it("refuses a stack the config does not have, naming it", () => {
    const app = new App({ outdir: path.join(tmpRoot, "unknown") });
    expect(() => buildLanding(app, local, targetFor(local), { stacks: ["member-nobody", "payer"] })).toThrow(
      "no stack named member-nobody to build; this config's stacks are admin, payer, member-<name> of each member",
    );
  });
});
