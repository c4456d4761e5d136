/**
 * Plans that do not show every change, and Terraform 1.7+ forget actions, per the plan JSON format
 * (https://developer.hashicorp.com/terraform/internals/json-format): `errored` (added in Terraform
 * 1.5, https://github.com/hashicorp/terraform/issues/33372), `complete` and `deferred_changes`
 * (Terraform 1.8+: changes deferred to a later plan, each `{ reason, resource_change }`), and the
 * actions `["forget"]` (a `removed` block with `lifecycle { destroy = false }`) and
 * `["create","forget"]` (create the new object, forget the old one). Fixtures:
 * test/fixtures/plans/formats/, built by hand per that format.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { checkPlanGuard, planProblems } from "../../../deploy/plan-guard";
import { classifyActions } from "../../../deploy/plan-json";
import { renderMarkdown } from "../../../deploy/plan-markdown";
import { summarizePlans } from "../../../deploy/plan-summary";
import { loadPlan, PLANS } from "./fixtures";

const ROOT = path.join(__dirname, "../../..");

function cli(args: string[]) {
  const { FINOPS_ALLOW_DATA_STORE_DESTROY: _ignored, ...env } = process.env;
  const result = spawnSync(
    path.join(ROOT, "node_modules/.bin/tsx"),
    [path.join(ROOT, "scripts/plan-summarize.ts"), ...args],
    {
      cwd: PLANS,
      env,
      encoding: "utf8",
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const summarize = (name: string) =>
  summarizePlans([{ plan: loadPlan(`formats/${name}`), source: `formats/${name}.json` }]);

describe("errored and incomplete plans", () => {
  it("marks errored: true as errored and names it as a problem", () => {
    const summary = summarize("errored");

    expect(summary.stacks[0]).toMatchObject({ status: "errored", errored: true, incomplete: false });
    expect(planProblems(summary)).toEqual([
      "errored (formats/errored.json): the plan errored (errored: true); fix the error and plan again",
    ]);
    expect(renderMarkdown(summary)).toContain("❌ plan errored");
  });

  it("marks complete: false with deferred_changes as incomplete, listing the deferred addresses and reasons", () => {
    const summary = summarize("incomplete");

    expect(summary.stacks[0]).toMatchObject({
      status: "incomplete",
      incomplete: true,
      deferredChanges: ["aws_dynamodb_table.spend (provider_config_unknown)"],
    });
    expect(planProblems(summary)[0]).toContain("the plan is incomplete");
    expect(renderMarkdown(summary)).toContain("⏸ plan incomplete");
  });

  it.each([
    [{ complete: false }],
    [
      {
        complete: true,
        deferred_changes: [{ reason: "deferred_prereq", resource_change: { address: "aws_s3_bucket.x" } }],
      },
    ],
  ])("treats %j as incomplete", (fields) => {
    const summary = summarizePlans([
      { plan: { format_version: "1.2", resource_changes: [], ...fields }, source: "p.json" },
    ]);

    expect(summary.stacks[0].status).toBe("incomplete");
    expect(planProblems(summary)).toHaveLength(1);
  });

  it("has no problem with a complete, successful plan (fields absent, as before Terraform 1.5)", () => {
    expect(
      planProblems(summarizePlans([{ plan: loadPlan("recorded/mixed-actions"), source: "m.json" }])),
    ).toEqual([]);
    expect(planProblems(summarize("forget"))).toEqual([]);
  });

  it.each([
    [{ errored: "yes" }, "errored is not true or false"],
    [{ complete: 0 }, "complete is not true or false"],
    [{ deferred_changes: {} }, "deferred_changes is not a list"],
  ])("refuses %j as not a plan", (fields, message) => {
    expect(() => summarizePlans([{ plan: { format_version: "1.2", ...fields }, source: "p.json" }])).toThrow(
      message,
    );
  });
});

describe("forget actions (Terraform 1.7+)", () => {
  it("classifies [forget] and [create, forget] instead of refusing them as unknown", () => {
    expect(classifyActions(["forget"])).toBe("forget");
    expect(classifyActions(["create", "forget"])).toBe("create-forget");
    expect(() => classifyActions(["forget", "create"])).toThrow("unknown change.actions");
  });

  it("shows forgets, never as a destroy, even of data stores", () => {
    const summary = summarize("forget");
    const stack = summary.stacks[0];

    expect(summary.dataStoreLosses).toEqual([]);
    expect(stack.counts).toMatchObject({ forget: 1, "create-forget": 1, delete: 0, replace: 0 });
    expect(stack.status).toBe("changes");
    expect(checkPlanGuard(summary, { env: {} }).ok).toBe(true);
    const md = renderMarkdown(summary);
    expect(md).toContain("**forget (removed from state, kept in AWS)** `aws_s3_bucket.legacy_archive`");
    expect(md).toContain("**create new, forget old (old one kept in AWS)** `aws_kms_key.old`");
    expect(md).toContain("1 to forget, 1 to create and forget the old");
  });
});

describe("the guard on the new data stores", () => {
  it("fails when the CUR export, a secret version, a state machine and a stack set instance would go", () => {
    const summary = summarize("cur-export-destroy");
    const guard = checkPlanGuard(summary, { env: {} });

    expect(guard.ok).toBe(false);
    expect(guard.offenders.map((o) => `${o.address}:${o.action}`).sort()).toEqual([
      "aws_bcmdataexports_export.cur2:replace",
      "aws_cloudformation_stack_set_instance.member_roles:replace",
      "aws_secretsmanager_secret_version.api:delete",
      "aws_sfn_state_machine.ingest:delete",
    ]);
  });
});

describe("plan-summarize --guard on these plans", () => {
  const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);

  it.each([
    ["formats/errored.json", "the plan errored (errored: true)"],
    ["formats/incomplete.json", "deferred aws_dynamodb_table.spend (provider_config_unknown)"],
  ])("exits 1 for %s with a clear message and no stack trace", (file, message) => {
    const { code, stdout, stderr } = cli(["--guard", file]);

    expect(code).toBe(1);
    expect(stdout).toContain("### Terraform plan");
    expect(stderr).toContain("Plan guard failed: a plan does not show every change");
    expect(stderr).toContain(message);
    noStackTrace(stdout + stderr);
  });

  it("still fails an incomplete plan when data-store destroys are allowed (no opt-in covers it)", () => {
    const { code, stderr } = cli(["--guard", "--allow-data-store-destroy", "formats/incomplete.json"]);

    expect(code).toBe(1);
    expect(stderr).toContain("No opt-in covers this");
  });

  it("exits 0 for the same plans without --guard", () => {
    expect(cli(["formats/errored.json", "formats/incomplete.json"]).code).toBe(0);
  });

  it("exits 0 with --guard for a plan that only forgets", () => {
    const { code, stdout, stderr } = cli(["--guard", "formats/forget.json"]);

    expect(code).toBe(0);
    expect(stdout).toContain("forget");
    expect(stderr).toContain("no data store is destroyed or replaced");
    noStackTrace(stdout + stderr);
  });

  it("exits 1 for the CUR export replacement, naming it", () => {
    const { code, stderr } = cli(["--guard", "formats/cur-export-destroy.json"]);

    expect(code).toBe(1);
    expect(stderr).toContain("aws_bcmdataexports_export.cur2 would be replaced");
    noStackTrace(stderr);
  });
});
