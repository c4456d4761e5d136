import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { planLanding } from "../../../deploy/plan";
import { synthLanding } from "../../../deploy/synth";
import { PLANS } from "./fixtures";

/**
 * planLanding's selection and its summary notes, with a stand-in for the terraform binary
 * (FINOPS_TERRAFORM): real Terraform against the emulator is the integration tests' job
 * (test/integration/rollout.test.ts); here only which stacks are planned and what the summary says
 * about the others matter. The stand-in answers init (0), plan (writes the plan file, exit 2 =
 * changes) and show -json (a recorded plan fixture) and logs every call.
 */

const LOCAL = loadAccountConfig(path.join(__dirname, "../../../accounts/local.yaml"));
// Unbudgeted, though any added member now changes the admin stack: its member config object
// (config/members.json, every member's id and environment; docs/gitops.md) lists the member.
const { budget: _budget, ...unbudgeted } = LOCAL.members[0]!;
const member = (id: string, name: string): AccountConfig["members"][number] => ({
  ...unbudgeted,
  id,
  name,
  email: `${name}@example.com`,
});

describe("planLanding with --changed-only and --stack", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "plan-landing-"));
  const calls = path.join(work, "calls.log");
  const saved = process.env.FINOPS_TERRAFORM;
  const localDir = path.join(work, ".local");
  const baseDir = path.join(work, "base");

  beforeAll(() => {
    const fake = path.join(work, "terraform");
    writeFileSync(
      fake,
      [
        "#!/bin/sh",
        `echo "$(basename "$PWD") $1" >> ${JSON.stringify(calls)}`,
        'case "$1" in',
        "  init) exit 0 ;;",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
        '  plan) for a in "$@"; do case "$a" in -out=*) echo fake > "${a#-out=}" ;; esac; done; exit 2 ;;',
        `  show) cat ${JSON.stringify(path.join(PLANS, "derived/member-dev.json"))} ;;`,
        "  *) exit 1 ;;",
        "esac",
        "",
      ].join("\n"),
    );
    chmodSync(fake, 0o755);
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
});
