import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { deployLanding, memberProgress, progressBar, savedPlanRunner } from "../../../deploy/deploy";
import { driftExitCode, driftedResources, renderDriftTable } from "../../../deploy/drift";
import {
  PLAN_MANIFEST_KIND,
  PLAN_MANIFEST_VERSION,
  readPlanManifest,
  sha256,
} from "../../../deploy/plan-manifest";
import { stackJsonHash } from "../../../deploy/stack-identity";
import { synthLanding } from "../../../deploy/synth";
import type { RolloutEvent, RolloutUnit } from "../../../deploy/waves";
import { loadPlan } from "./fixtures";

const LOCAL = loadAccountConfig(path.join(__dirname, "../../../accounts/local.yaml"));

function tmp(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function synth(config: AccountConfig, dir: string, localDir: string): string {
  mkdirSync(path.dirname(dir), { recursive: true });
  synthLanding(config, dir, targetFor(config, { FINOPS_LOCAL_DIR: localDir }));
  return dir;
}

describe("deploy --plans: applies only what was reviewed", () => {
  function plansDir(stacks: { stack: string; hash: string; status?: string }[]): string {
    const dir = tmp("finops-plans-");
    mkdirSync(path.join(dir, "plans"));
    const infos = new Map(
      synthLanding(LOCAL, path.join(tmp("finops-info-"), "x"), targetFor(LOCAL)).map((s) => [s.stack, s]),
    );
    const manifest = {
      kind: PLAN_MANIFEST_KIND,
      schemaVersion: PLAN_MANIFEST_VERSION,
      configFile: "accounts/local.yaml",
      unchanged: [],
      stacks: stacks.map((s) => {
        writeFileSync(path.join(dir, "plans", `${s.stack}.tfplan`), "not a real plan");
        return {
          info: infos.get(s.stack),
          hash: s.hash,
          status: s.status ?? "changes",
          planFile: `plans/${s.stack}.tfplan`,
          planSha256: sha256("not a real plan"),
          seconds: 1,
        };
      }),
    };
    writeFileSync(path.join(dir, "stacks.json"), JSON.stringify(manifest));
    return dir;
  }

  it("refuses before applying anything when a planned stack no longer synthesizes to the planned JSON", async () => {
    const dir = plansDir([{ stack: "member-app-dev", hash: "0".repeat(64) }]);
    const runner = jest.fn();
    await expect(
      deployLanding({
        config: LOCAL,
        target: targetFor(LOCAL, { FINOPS_LOCAL_DIR: path.join(dir, "local") }),
        env: {},
        outdir: path.join(dir, "unused"),
        plansDir: dir,
        localStateDir: path.join(dir, "state"),
        wrapRunner: () => runner,
      }),
    ).rejects.toThrow(
      /^refused: member-app-dev no longer synthesizes to the JSON that was planned in .* nothing was applied/,
    );
    expect(runner).not.toHaveBeenCalled();
  });

  it("refuses before applying anything when a saved plan file differs from the reviewed sha256, naming the stack", async () => {
    const localDir = tmp("finops-local-");
    const probe = synth(LOCAL, path.join(tmp("finops-probe-"), "synth"), localDir);
    const dir = plansDir([
      { stack: "payer", hash: stackJsonHash(probe, "payer") },
      { stack: "member-app-prod", hash: stackJsonHash(probe, "member-app-prod") },
    ]);
    // One byte more than what was planned: a swapped plan file.
    writeFileSync(path.join(dir, "plans", "member-app-prod.tfplan"), "not a real plan!");
    const runner = jest.fn();
    await expect(
      deployLanding({
        config: LOCAL,
        target: targetFor(LOCAL, { FINOPS_LOCAL_DIR: localDir }),
        env: {},
        outdir: path.join(dir, "unused"),
        plansDir: dir,
        localStateDir: path.join(localDir, "state"),
        wrapRunner: () => runner,
      }),
    ).rejects.toThrow(
      `refused: member-app-prod (its plan plans/member-app-prod.tfplan has sha256 ${sha256("not a real plan!")}, not the reviewed ${sha256("not a real plan")}); nothing was applied`,
    );
    expect(runner).not.toHaveBeenCalled();
  });

  it("rolls out only the stacks whose saved plan has changes, in waves", async () => {
    const localDir = tmp("finops-local-");
    const probe = synth(LOCAL, path.join(tmp("finops-probe-"), "synth"), localDir);
    const dir = plansDir([
      { stack: "payer", hash: stackJsonHash(probe, "payer") },
      { stack: "member-app-prod", hash: stackJsonHash(probe, "member-app-prod") },
      { stack: "member-app-dev", hash: stackJsonHash(probe, "member-app-dev"), status: "no-changes" },
    ]);
    const seen: RolloutUnit[] = [];
    const run = await deployLanding({
      config: LOCAL,
      target: targetFor(LOCAL, { FINOPS_LOCAL_DIR: localDir }),
      env: {},
      outdir: path.join(dir, "unused"),
      plansDir: dir,
      localStateDir: path.join(localDir, "state"),
      wrapRunner: () => async (unit) => {
        seen.push(unit);
        return { ok: true };
      },
    });

    expect(seen.map((u) => [u.stack, u.wave])).toEqual([
      ["payer", 1],
      ["member-app-prod", 2],
    ]);
    // The payer's dependency on admin is dropped: admin was not planned, so it did not change.
    expect(seen[0]!.dependsOn).toEqual([]);
    expect(run.noChanges).toEqual(["member-app-dev"]);
    expect(run.result.exitCode).toBe(0);
  });

  it("the saved-plan runner refuses a stack changed after the up-front check", async () => {
    const localDir = tmp("finops-local-");
    const synthDir = synth(LOCAL, path.join(tmp("finops-run-"), "synth"), localDir);
    const runner = savedPlanRunner(
      synthDir,
      synthDir,
      {},
      new Map([["member-app-dev", { hash: "f".repeat(64), planFile: "x.tfplan" }]]),
    );
    const unit = {
      stack: "member-app-dev",
      kind: "member",
      accountId: "1",
      accountName: "a",
      regions: [],
      dependsOn: [],
      wave: 3,
    } as const;

    await expect(runner(unit)).resolves.toEqual({
      ok: false,
      detail: expect.stringMatching(/^refused: member-app-dev no longer synthesizes/),
    });
    await expect(runner({ ...unit, stack: "member-other" })).resolves.toEqual({
      ok: false,
      detail: "no saved plan for this stack",
    });
  });

  it("the saved-plan runner refuses a plan file swapped after the up-front check", async () => {
    const localDir = tmp("finops-local-");
    const synthDir = synth(LOCAL, path.join(tmp("finops-run-"), "synth"), localDir);
    writeFileSync(path.join(synthDir, "x.tfplan"), "swapped");
    const runner = savedPlanRunner(
      synthDir,
      synthDir,
      {},
      new Map([
        [
          "member-app-dev",
          {
            hash: stackJsonHash(synthDir, "member-app-dev"),
            planFile: "x.tfplan",
            planSha256: sha256("reviewed"),
          },
        ],
      ]),
    );
    await expect(
      runner({
        stack: "member-app-dev",
        kind: "member",
        accountId: "1",
        accountName: "a",
        regions: [],
        dependsOn: [],
        wave: 3,
      }),
    ).resolves.toEqual({
      ok: false,
      detail: `refused: the saved plan of member-app-dev has sha256 ${sha256("swapped")}, not the reviewed ${sha256("reviewed")}; run npm run plan again and review it`,
    });
  });

  it("names the fix when the plan directory has no manifest or another format", () => {
    const dir = tmp("finops-nomanifest-");
    expect(() => readPlanManifest(dir)).toThrow(
      /stacks.json does not exist; --plans needs the output directory of npm run plan/,
    );
    writeFileSync(path.join(dir, "stacks.json"), JSON.stringify({ kind: "other", schemaVersion: 9 }));
    expect(() => readPlanManifest(dir)).toThrow(
      /is not a plan manifest of this version .* re-run npm run plan/,
    );
  });
});

describe("progress bar for members", () => {
  it("fills in proportion and counts failures", () => {
    expect(progressBar(0, 4, 0, 8)).toBe("[--------] 0/4 members");
    expect(progressBar(3, 4, 1, 8)).toBe("[######--] 3/4 members (1 failed)");
    expect(progressBar(0, 0, 0, 4)).toBe("[####] 0/0 members");
  });

  it("advances on finished and skipped members only", () => {
    const unit = (kind: "admin" | "member", stack: string) =>
      ({
        stack,
        kind,
        accountId: "1",
        accountName: stack,
        regions: [],
        dependsOn: [],
        wave: 1,
      }) as RolloutUnit;
    const next = memberProgress(2);
    const events: RolloutEvent[] = [
      { type: "started", unit: unit("member", "m1"), at: 0, running: 1 },
      {
        type: "finished",
        unit: unit("admin", "admin"),
        status: "succeeded",
        at: 1,
        durationMs: 1,
        done: 1,
        total: 3,
      },
      {
        type: "finished",
        unit: unit("member", "m1"),
        status: "failed",
        at: 2,
        durationMs: 1,
        done: 2,
        total: 3,
      },
      { type: "skipped", unit: unit("member", "m2"), reason: "x" },
    ];
    expect(events.map((e) => next(e))).toEqual([
      undefined,
      undefined,
      "[##########----------] 1/2 members (1 failed)",
      "[####################] 2/2 members (1 failed)",
    ]);
  });
});

describe("drift", () => {
  it("reports nothing for a plan without changes", () => {
    expect(driftedResources(loadPlan("recorded/noop"))).toEqual([]);
  });

  it("lists pending changes of a plan with changes", () => {
    const drifted = driftedResources(loadPlan("recorded/mixed-actions"));
    expect(drifted.length).toBeGreaterThan(0);
    expect(drifted.every((d) => d.source === "pending" && d.action !== "no-op")).toBe(true);
  });

  it("names resources changed outside Terraform", () => {
    const plan = {
      format_version: "1.2",
      resource_drift: [
        { address: "aws_ssm_parameter.p", type: "aws_ssm_parameter", change: { actions: ["update"] } },
      ],
      resource_changes: [
        { address: "aws_ssm_parameter.p", type: "aws_ssm_parameter", change: { actions: ["update"] } },
      ],
    };
    expect(driftedResources(plan)).toEqual([
      { address: "aws_ssm_parameter.p", action: "update", source: "outside-terraform" },
      { address: "aws_ssm_parameter.p", action: "update", source: "pending" },
    ]);
  });

  it("ignores refresh-only differences the plan does not act on, but not a resource deleted outside Terraform", () => {
    // Terraform's JSON plan: resource_drift holds every difference the refresh found; only those the
    // plan acts on (resource_changes) would be put back by an apply.
    const plan = {
      format_version: "1.2",
      resource_drift: [
        { address: "aws_iam_role.r", type: "aws_iam_role", change: { actions: ["update"] } },
        { address: "aws_sqs_queue.q", type: "aws_sqs_queue", change: { actions: ["delete"] } },
      ],
      resource_changes: [
        { address: "aws_iam_role.r", type: "aws_iam_role", change: { actions: ["no-op"] } },
        { address: "aws_sqs_queue.q", type: "aws_sqs_queue", change: { actions: ["create"] } },
      ],
    };
    expect(driftedResources(plan)).toEqual([
      { address: "aws_sqs_queue.q", action: "delete", source: "outside-terraform" },
      { address: "aws_sqs_queue.q", action: "create", source: "pending" },
    ]);
  });

  it("exits 2 on drift, 1 when a plan failed (drift unknown), else 0", () => {
    expect(driftExitCode([{ status: "in-sync" }])).toBe(0);
    expect(driftExitCode([{ status: "in-sync" }, { status: "drifted" }])).toBe(2);
    expect(driftExitCode([{ status: "drifted" }, { status: "errored" }])).toBe(1);
  });

  it("renders drifted accounts first with their resources", () => {
    const table = renderDriftTable({
      kind: "finops-landing/drift",
      schemaVersion: 1,
      drifted: 1,
      errored: 0,
      exitCode: 2,
      stacks: [
        {
          stack: "admin",
          accountId: "222222222222",
          accountName: "cloudops",
          regions: ["us-east-1"],
          status: "in-sync",
          resources: [],
          seconds: 1,
        },
        {
          stack: "member-app-dev",
          accountId: "333333333333",
          accountName: "app-dev",
          regions: ["us-east-1"],
          status: "drifted",
          resources: [{ address: "aws_ssm_parameter.p", action: "update", source: "outside-terraform" }],
          seconds: 1,
        },
      ],
    });
    const lines = table.split("\n");
    expect(lines[2]).toMatch(
      /^member-app-dev\s+app-dev \(333333333333\)\s+us-east-1\s+drifted\s+aws_ssm_parameter.p update \(outside terraform\)$/,
    );
    expect(lines[3]).toMatch(/^admin\s+cloudops/);
    expect(table).toContain("1 of 2 stacks drifted.");
  });
});
