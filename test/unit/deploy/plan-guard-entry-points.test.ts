import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import { targetFor } from "../../../config/target";
import { planLanding } from "../../../deploy/plan";
import { reportPlanRun } from "../../../scripts/plan";
import { PLANS } from "./fixtures";

/**
 * One guard verdict for both entry points: `npm run plan -- --guard` (planLanding, then
 * scripts/plan.ts's reportPlanRun) and `npm run -s plan:summarize -- --guard` (the CLI) pass a
 * plan set only when every plan is complete and error-free and no data store is lost without
 * opt-in; the opt-in never waives an errored or incomplete plan.
 *
 * planLanding runs against a stand-in terraform (FINOPS_TERRAFORM, as plan-landing.test.ts): for
 * a stack S, `plan` fails (exit 1) when <dir>/S.fail exists, else writes the plan file and exits
 * 2; `show -json` prints <dir>/S.json (a plan fixture).
 */

const ROOT = path.join(__dirname, "../../..");
const LOCAL = loadAccountConfig(path.join(ROOT, "accounts/local.yaml"));
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);

function summarizeCli(args: string[], env: Record<string, string> = {}) {
  const { FINOPS_ALLOW_DATA_STORE_DESTROY: _ignored, ...base } = process.env;
  const result = spawnSync(
    path.join(ROOT, "node_modules/.bin/tsx"),
    [path.join(ROOT, "scripts/plan-summarize.ts"), "--guard", ...args],
    { cwd: PLANS, env: { ...base, ...env }, encoding: "utf8" },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("one plan guard for npm run plan --guard and plan:summarize --guard", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "plan-guard-entry-"));
  const localDir = path.join(work, ".local");
  const saved = process.env.FINOPS_TERRAFORM;

  beforeAll(() => {
    const fake = path.join(work, "terraform");
    writeFileSync(
      fake,
      [
        "#!/bin/sh",
        'stack="$(basename "$PWD")"',
        'case "$1" in',
        "  init) exit 0 ;;",
        '  plan) if [ -e "$FAKE_PLANS/$stack.fail" ]; then echo "Error: creating KMS Key: AccessDenied" >&2; exit 1; fi',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
        '        for a in "$@"; do case "$a" in -out=*) echo fake > "${a#-out=}" ;; esac; done; exit 2 ;;',
        '  show) cat "$FAKE_PLANS/$stack.json" ;;',
        "  *) exit 1 ;;",
        "esac",
        "",
      ].join("\n"),
    );
    chmodSync(fake, 0o755);
    process.env.FINOPS_TERRAFORM = fake;
    mkdirSync(path.join(localDir, "state"), { recursive: true });
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.FINOPS_TERRAFORM;
    else process.env.FINOPS_TERRAFORM = saved;
    rmSync(work, { recursive: true, force: true });
  });

  /** Plans admin and payer with the given fixtures ("fail": terraform plan fails) and reports as npm run plan --guard. */
  async function plan(name: string, stacks: Record<"admin" | "payer", string>, allow = false) {
    const fakePlans = path.join(work, name, "fixtures");
    mkdirSync(fakePlans, { recursive: true });
    for (const [stack, fixture] of Object.entries(stacks)) {
      if (fixture === "fail") writeFileSync(path.join(fakePlans, `${stack}.fail`), "");
      else copyFileSync(path.join(PLANS, `${fixture}.json`), path.join(fakePlans, `${stack}.json`));
    }
    const { FINOPS_ALLOW_DATA_STORE_DESTROY: _ignored, ...env } = process.env;
    const run = await planLanding({
      config: LOCAL,
      configFile: "accounts/local.yaml",
      target: targetFor(LOCAL, { FINOPS_LOCAL_DIR: localDir }),
      outDir: path.join(work, name, "out"),
      env: { ...env, FAKE_PLANS: fakePlans, ...(allow ? { FINOPS_ALLOW_DATA_STORE_DESTROY: "true" } : {}) },
      localStateDir: path.join(localDir, "state"),
      only: ["admin", "payer"],
    });
    const printed: string[] = [];
    const code = reportPlanRun(run, true, (text) => printed.push(text));
    return { run, code, stderr: printed.join("\n") };
  }

  describe("npm run plan --guard", () => {
    it("passes a clean plan set", async () => {
      const { code, run, stderr } = await plan("clean", {
        admin: "derived/admin",
        payer: "recorded/noop",
      });

      expect(run.guard).toMatchObject({ ok: true, problems: [], offenders: [] });
      expect(code).toBe(0);
      expect(stderr).toContain("Plan guard: every plan is complete, and no data store is destroyed");
    });

    it("fails an incomplete plan (terraform succeeded, complete: false), also with the opt-in", async () => {
      const { code, run, stderr } = await plan(
        "incomplete",
        { admin: "derived/admin", payer: "formats/incomplete" },
        true,
      );

      expect(run.errored).toEqual([]);
      expect(run.guard.ok).toBe(false);
      expect(code).toBe(1);
      expect(stderr).toContain("Plan guard failed: a plan does not show every change");
      expect(stderr).toContain(
        "payer (plans/payer.json): the plan is incomplete (complete: false or deferred_changes), it does not show every change: deferred aws_dynamodb_table.spend (provider_config_unknown); resolve what Terraform deferred",
      );
      expect(stderr).toContain("No opt-in covers this");
      expect(reportPlanRun(run, false, () => {})).toBe(0);
      noStackTrace(stderr);
    });

    it("fails an errored plan when the opt-in allows the data-store loss, naming the stack and the fix", async () => {
      const { code, run, stderr } = await plan(
        "errored",
        { admin: "derived/member-dev", payer: "fail" },
        true,
      );

      expect(run.guard).toMatchObject({ ok: false, allowedBy: "env" });
      expect(code).toBe(1);
      expect(stderr).toContain("1 plan(s) errored: payer");
      expect(stderr).toContain("Error: creating KMS Key: AccessDenied");
      expect(stderr).toContain(
        "payer (terraform plan failed, see Plan errors): the plan errored (errored: true); fix the error and plan again",
      );
      expect(stderr).toContain("No opt-in covers this");
      expect(stderr).toContain("2 data stores will be destroyed or replaced, allowed by");
      noStackTrace(stderr);
    });
  });

  describe("plan:summarize --guard", () => {
    it("passes a clean plan set", () => {
      const { code, stderr } = summarizeCli(["derived/admin.json", "recorded/noop.json"]);

      expect(code).toBe(0);
      expect(stderr).toContain("Plan guard: every plan is complete, and no data store is destroyed");
    });

    it("fails an incomplete plan, also with the opt-in", () => {
      const { code, stderr } = summarizeCli(["derived/admin.json", "formats/incomplete.json"], {
        FINOPS_ALLOW_DATA_STORE_DESTROY: "true",
      });

      expect(code).toBe(1);
      expect(stderr).toContain(
        "incomplete (formats/incomplete.json): the plan is incomplete (complete: false or deferred_changes)",
      );
      expect(stderr).toContain("No opt-in covers this");
      noStackTrace(stderr);
    });

    it.each([
      ["--allow-data-store-destroy", ["--allow-data-store-destroy"], {}],
      ["FINOPS_ALLOW_DATA_STORE_DESTROY=true", [], { FINOPS_ALLOW_DATA_STORE_DESTROY: "true" }],
    ])(
      "fails an errored plan when %s allows the data-store loss, naming the stack and the fix",
      (_how, flags, env) => {
        const { code, stdout, stderr } = summarizeCli(
          [...flags, "derived/member-dev.json", "derived/payer.json"],
          env,
        );

        expect(code).toBe(1);
        expect(stdout).toContain("Allowed explicitly");
        expect(stderr).toContain(
          "payer (derived/payer.json): the plan errored (errored: true); fix the error and plan again",
        );
        expect(stderr).toContain("No opt-in covers this");
        expect(stderr).toContain("3 data stores will be destroyed or replaced, allowed by");
        noStackTrace(stdout + stderr);
      },
    );
  });
});
