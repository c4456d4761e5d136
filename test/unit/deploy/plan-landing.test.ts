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
import { parseAccountConfig } from "../../../config/load";
import { targetFor } from "../../../config/target";
import { planLanding } from "../../../deploy/plan";
import { synthLanding } from "../../../deploy/synth";
import { LOCAL, newLocalMember, writeStandInTerraform } from "./fixtures";

/**
 * planLanding's selection and its summary notes, with a stand-in for the terraform binary
 * (FINOPS_TERRAFORM): real Terraform against the emulator is the integration tests' job
 * (test/integration/rollout.test.ts); here only which stacks are planned and what the summary says
 * about the others matter. The stand-in answers init (0), plan (writes the plan file, exit 2 =
 * changes) and show -json (a recorded plan fixture) and logs every call.
 */

const member = newLocalMember;

describe("planLanding with --changed-only and --stack", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "plan-landing-"));
  const calls = path.join(work, "calls.log");
  const saved = process.env.FINOPS_TERRAFORM;
  const localDir = path.join(work, ".local");
  const baseDir = path.join(work, "base");

  beforeAll(() => {
    const fake = writeStandInTerraform(path.join(work, "terraform"), {
      show: {},
      otherwise: "derived/member-dev",
      callLog: calls,
    });
    process.env.FINOPS_TERRAFORM = fake;
    synthLanding(LOCAL, baseDir, targetFor(LOCAL, { FINOPS_LOCAL_DIR: localDir }));
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.FINOPS_TERRAFORM;
    else process.env.FINOPS_TERRAFORM = saved;
    rmSync(work, { recursive: true, force: true });
  });

  it("plans only the changed stacks --stack names, and says which changed stacks it left out", async () => {
    const config = {
      ...LOCAL,
      members: [...LOCAL.members, member("666666666601", "new-a"), member("666666666602", "new-b")],
    };
    const outDir = path.join(work, "out");
    mkdirSync(path.join(localDir, "state"), { recursive: true });
    const run = await planLanding({
      config,
      configFile: "accounts/local.yaml",
      target: targetFor(config, { FINOPS_LOCAL_DIR: localDir }),
      outDir,
      env: { ...process.env },
      changedOnly: { baseSynthDir: baseDir },
      localStateDir: path.join(localDir, "state"),
      only: ["member-new-a"],
    });
    expect(run.manifest.stacks.map((s) => [s.info.stack, s.status])).toEqual([["member-new-a", "changes"]]);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "member-new-a init",
      "member-new-a plan",
      "member-new-a show",
    ]);
    expect(run.markdown).toContain(
      "_Changed-only: 1 stack planned; 4 synthesize exactly as at `" +
        baseDir +
        "` and were not planned; 2 changed but left out by --stack: admin, member-new-b._",
    );
    expect(readFileSync(path.join(outDir, "summary.md"), "utf8")).toContain(
      "left out by --stack: admin, member-new-b",
    );
    // The new accounts' read roles are in the bootstrap stack: the summary tells the reviewer.
    expect(run.markdown).toContain("**The bootstrap stack changes too**");
    expect(run.markdown).toContain("npm run bootstrap -- --plan");
  });
  it("never plans the bootstrap stack, even when it is the only stack whose synth changed (an admin applies it: docs/bootstrap.md)", async () => {
    const config = { ...LOCAL, gitops: { ...LOCAL.gitops!, environment: "release" } };
    const outDir = path.join(work, "out-bootstrap");
    writeFileSync(calls, "");
    const run = await planLanding({
      config,
      configFile: "accounts/local.yaml",
      target: targetFor(config, { FINOPS_LOCAL_DIR: localDir }),
      outDir,
      env: { ...process.env },
      changedOnly: { baseSynthDir: baseDir },
      localStateDir: path.join(localDir, "state"),
    });
    // The bootstrap stack's JSON did change (the apply role's trust names the new environment)...
    expect(readFileSync(path.join(outDir, "synth", "stacks", "bootstrap", "cdk.tf.json"), "utf8")).toContain(
      "environment:release",
    );
    // ...but nothing was planned: no stack in the manifest, no terraform call at all.
    expect(run.manifest.stacks).toEqual([]);
    expect(readFileSync(calls, "utf8")).toBe("");
    // ...and the summary says an admin applies it, and that the landing's stacks are unchanged.
    expect(run.markdown).toContain("**The bootstrap stack changes too**");
    expect(run.manifest.unchanged).not.toContain("bootstrap");
  });

  it("says nothing about the bootstrap stack when its synth did not change", async () => {
    const config = {
      ...LOCAL,
      // A budget change: the member's AWS Budget and the API's config budgets, no role.
      members: LOCAL.members.map((m) =>
        m.name === "app-dev" ? { ...m, budget: { monthlyUsd: 12345, notify: [] } } : m,
      ),
    };
    const run = await planLanding({
      config,
      configFile: "accounts/local.yaml",
      target: targetFor(config, { FINOPS_LOCAL_DIR: localDir }),
      outDir: path.join(work, "out-owner"),
      env: { ...process.env },
      changedOnly: { baseSynthDir: baseDir },
      localStateDir: path.join(localDir, "state"),
    });
    expect(run.manifest.stacks.map((s) => s.info.stack)).toContain("member-app-dev");
    expect(run.markdown).not.toContain("bootstrap stack");
  });
  it("with --changed-only against a git ref where only the config changed, synthesizes only what the edit can affect and plans the changed ones (deploy/selective-synth.ts)", async () => {
    // A throw-away repository: the config committed on main, a member added in the working tree.
    const repo = path.join(work, "repo");
    mkdirSync(path.join(repo, "accounts"), { recursive: true });
    const text = readFileSync(path.join(__dirname, "../../../accounts/local.yaml"), "utf8");
    writeFileSync(path.join(repo, "accounts/local.yaml"), text);
    writeFileSync(path.join(repo, "code.ts"), "export const code = 1;\n");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base");
    const added = text.replace(
      "\ncur:\n",
      [
        "",
        '  - id: "666666666603"',
        "    name: new-team",
        "    email: new-team@example.com",
        "    ou: Workloads",
        "    environment: dev",
        "    owner: team-new",
        "    regions: [us-east-1]",
        "",
        "cur:",
        "",
      ].join("\n"),
    );
    expect(added).not.toBe(text);
    writeFileSync(path.join(repo, "accounts/local.yaml"), added);
    const config = parseAccountConfig(added, "accounts/local.yaml");
    const outDir = path.join(work, "out-selective");
    writeFileSync(calls, "");
    const log: string[] = [];
    const cwd = process.cwd();
    process.chdir(repo); // the plan compares the ref with the working tree of the current directory
    try {
      const run = await planLanding({
        config,
        configFile: "accounts/local.yaml",
        target: targetFor(config, { FINOPS_LOCAL_DIR: localDir }),
        outDir,
        env: { ...process.env },
        changedOnly: { baseRef: "main" },
        localStateDir: path.join(localDir, "state"),
        concurrency: 1,
        log: (l) => log.push(l),
      });
      // Only the affected stacks were built: the new member's, the admin's (its member config object)
      // and the bootstrap's (the account's read role); the other members and the payer were not.
      const synthesized = readdirSync(path.join(outDir, "synth", "stacks")).filter((s) =>
        existsSync(path.join(outDir, "synth", "stacks", s, "cdk.tf.json")),
      );
      expect(synthesized.sort()).toEqual(["admin", "bootstrap", "member-new-team"]);
      expect(log).toContainEqual(
        expect.stringMatching(
          /^synth {6}admin, bootstrap, member-new-team only \(selective, of 6 landing stacks\) in \d+ ms$/,
        ),
      );
      // The plan is what a full synth of both sides selects: the two landing stacks that changed.
      expect(run.manifest.stacks.map((s) => s.info.stack).sort()).toEqual(["admin", "member-new-team"]);
      expect(run.manifest.unchanged).toEqual([
        "member-app-dev",
        "member-app-prod",
        "member-sandbox-data",
        "payer",
      ]);
      expect(run.manifest.base).toBe("main");
      expect(readFileSync(calls, "utf8").trim().split("\n").sort()).toEqual([
        "admin init",
        "admin plan",
        "admin show",
        "member-new-team init",
        "member-new-team plan",
        "member-new-team show",
      ]);
      expect(run.markdown).toContain("**The bootstrap stack changes too**");
    } finally {
      process.chdir(cwd);
    }
  });
});
