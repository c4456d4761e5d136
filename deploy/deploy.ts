import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import type { LandingStackInfo } from "../stacks/landing";
import { applyStack, pendingHint } from "./apply";
import { fileSha256, readPlanManifest, tamperedPlans } from "./plan-manifest";
import { checkOrphanStates, listStates, RetirementError, type RetirementIssue } from "./retirement";
import { stackJsonHash } from "./stack-identity";
import { stackDir, synthLanding } from "./synth";
import { lastLines, terraformApply, terraformEnv, terraformInit } from "./terraform";
import {
  type RolloutEvent,
  type RolloutPolicy,
  type RolloutResult,
  type RolloutUnit,
  runRollout,
  type StackRunner,
} from "./waves";

/**
 * `npm run deploy`: applies the landing in waves (admin, payer, members) with the StackSet semantics
 * of deploy/waves.ts and the config's `rollout` section. Without saved plans every stack is planned
 * and applied now (terraform apply -auto-approve, then a verifying second plan). With `plansDir`
 * (the output of `npm run plan`) only the planned stacks are applied, each from its saved plan file,
 * and only if the stack still synthesizes to the JSON that was planned.
 */

export interface DeployOptions {
  readonly config: AccountConfig;
  readonly target: Target;
  /** Terraform environment (terraformEnv). */
  readonly env: NodeJS.ProcessEnv;
  /** Where to synthesize. With plansDir: <plansDir>/synth, where the plans were made. */
  readonly outdir: string;
  /** Output directory of `npm run plan`: apply its saved plans. */
  readonly plansDir?: string;
  /** Local state directory (orphan-state check of the local target). */
  readonly localStateDir: string;
  /** Only these stacks. */
  readonly only?: readonly string[];
  /** Policy override (benchmarks, tests); @default from config.rollout */
  readonly policy?: RolloutPolicy;
  readonly onEvent?: (event: RolloutEvent) => void;
  /** Called with the stacks about to roll out, before the first starts. */
  readonly onStacks?: (stacks: readonly LandingStackInfo[]) => void;
  /** Wraps the runner (tests inject failures with it). */
  readonly wrapRunner?: (runner: StackRunner) => StackRunner;
  readonly log?: (line: string) => void;
}

export interface DeployRun {
  readonly result: RolloutResult;
  readonly stacks: readonly LandingStackInfo[];
  readonly retirement: readonly RetirementIssue[];
  /** Stacks of the plan manifest that were not applied because their plan had no changes. */
  readonly noChanges: readonly string[];
}

/** The StackSet-style policy from the config's rollout section. */
export function policyFromConfig(config: AccountConfig): RolloutPolicy {
  const r = config.rollout;
  return {
    maxConcurrentCount: r.maxConcurrentCount,
    maxConcurrentPercentage: r.maxConcurrentPercentage,
    failureToleranceCount: r.failureToleranceCount,
    failureTolerancePercentage: r.failureTolerancePercentage,
    concurrencyMode: r.concurrencyMode,
    regionOrder: r.regionOrder,
  };
}

/** Runner that applies a stack now (plan + apply + verifying plan) through applyStack. */
export function liveRunner(outdir: string, env: NodeJS.ProcessEnv): StackRunner {
  return async (unit) => {
    const o = await applyStack(unit as LandingStackInfo, { outdir, env });
    if (o.status === "failed") return { ok: false, detail: o.error };
    const hint = pendingHint(o.pending);
    const verdict =
      o.clean === false
        ? `; second plan NOT clean: ${(o.pending ?? []).join(", ")}${hint ? ` (${hint})` : ""}`
        : o.clean === true && o.status === "applied"
          ? "; clean"
          : "";
    return {
      ok: o.clean !== false,
      detail: o.status === "applied" ? `applied: ${o.applied ?? "changes"}${verdict}` : "no changes",
    };
  };
}

/** Runner that applies saved plan files, refusing any whose stack JSON changed since it was planned. */
export function savedPlanRunner(
  outdir: string,
  plansDir: string,
  env: NodeJS.ProcessEnv,
  planned: ReadonlyMap<string, { hash: string; planFile: string; planSha256?: string }>,
): StackRunner {
  return async (unit) => {
    const p = planned.get(unit.stack);
    if (!p) return { ok: false, detail: "no saved plan for this stack" };
    const hash = stackJsonHash(outdir, unit.stack);
    if (hash !== p.hash) {
      return {
        ok: false,
        detail: `refused: ${unit.stack} no longer synthesizes to the JSON that was planned (code or config changed since the plan); run npm run plan again and review it`,
      };
    }
    const planFile = path.resolve(plansDir, p.planFile);
    if (!existsSync(planFile)) return { ok: false, detail: `saved plan ${planFile} is missing` };
    // Checked again right before the apply: the file is what Terraform executes.
    const planSha256 = fileSha256(planFile);
    if (planSha256 !== p.planSha256) {
      return {
        ok: false,
        detail: `refused: the saved plan of ${unit.stack} has sha256 ${planSha256}, not the reviewed ${p.planSha256 ?? "(none recorded)"}; run npm run plan again and review it`,
      };
    }
    const dir = stackDir(outdir, unit.stack);
    const init = await terraformInit(dir, env);
    if (init.code !== 0)
      return { ok: false, detail: `terraform init: ${lastLines(init.stderr || init.stdout)}` };
    const apply = await terraformApply(dir, env, planFile);
    if (apply.code !== 0) {
      const text = apply.stderr || apply.stdout;
      const stale = /Saved plan is stale/i.test(text)
        ? "refused: the state changed since this plan was made; run npm run plan again and review it. "
        : "";
      return { ok: false, detail: `${stale}terraform apply: ${lastLines(text, 6)}` };
    }
    const m = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(apply.stdout);
    return {
      ok: true,
      detail: m ? `applied saved plan: ${m[1]} added, ${m[2]} changed, ${m[3]} destroyed` : "applied",
    };
  };
}

export async function deployLanding(opts: DeployOptions): Promise<DeployRun> {
  const log = opts.log ?? (() => {});
  const outdir = opts.plansDir ? path.join(path.resolve(opts.plansDir), "synth") : path.resolve(opts.outdir);
  rmSync(outdir, { recursive: true, force: true });
  const all = synthLanding(opts.config, outdir, opts.target);

  const retirement = checkOrphanStates(await listStates(opts.config, opts.localStateDir), opts.config);
  for (const i of retirement.filter((r) => r.severity === "info")) log(`retire     ${i.message}`);
  if (retirement.some((i) => i.severity === "error")) throw new RetirementError(retirement);

  let stacks = all;
  let runner: StackRunner;
  const noChanges: string[] = [];
  if (opts.plansDir) {
    const manifest = readPlanManifest(opts.plansDir);
    const planned = new Map<string, { hash: string; planFile: string; planSha256?: string }>();
    const errored: string[] = [];
    for (const p of manifest.stacks) {
      if (p.status === "errored" || !p.planFile) errored.push(p.info.stack);
      else if (p.status === "no-changes") noChanges.push(p.info.stack);
      else planned.set(p.info.stack, { hash: p.hash, planFile: p.planFile, planSha256: p.planSha256 });
    }
    // Refuse up front, before anything is applied, a saved plan that is not byte for byte the one
    // that was planned and reviewed (the manifest records each plan file's sha256).
    const tampered = tamperedPlans(manifest, opts.plansDir).filter((t) => planned.has(t.stack));
    if (tampered.length) {
      throw new Error(
        `refused: ${tampered.map((t) => `${t.stack} (${t.problem})`).join("; ")}; nothing was applied. Apply only the plans that were reviewed: run the pull request's plan again`,
      );
    }
    if (errored.length) {
      throw new Error(
        `the plan in ${opts.plansDir} has errored stacks (${errored.join(", ")}); fix them and plan again before deploying`,
      );
    }
    const missing = [...planned.keys()].filter((s) => !all.some((x) => x.stack === s));
    if (missing.length) {
      throw new Error(
        `the plan in ${opts.plansDir} has stacks the config no longer has (${missing.join(", ")}); plan again`,
      );
    }
    // Refuse up front, before anything is applied, when a stack no longer synthesizes to what was
    // planned and reviewed (the runner checks again right before each apply).
    const drifted = [...planned]
      .filter(([stack, p]) => stackJsonHash(outdir, stack) !== p.hash)
      .map(([s]) => s);
    if (drifted.length) {
      throw new Error(
        `refused: ${drifted.join(", ")} no longer synthesize${drifted.length === 1 ? "s" : ""} to the JSON that was planned in ${opts.plansDir} (the code or the config changed since the plan was reviewed); nothing was applied. Run npm run plan again and review it`,
      );
    }
    stacks = all.filter((s) => planned.has(s.stack));
    log(
      `plans      ${stacks.length} saved plan${stacks.length === 1 ? "" : "s"} with changes from ${opts.plansDir}${noChanges.length ? `; ${noChanges.length} without changes not applied` : ""}`,
    );
    // Ordering needs hold among the planned stacks only: an unplanned dependency did not change.
    stacks = stacks.map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => planned.has(d)) }));
    runner = savedPlanRunner(outdir, path.resolve(opts.plansDir), opts.env, planned);
  } else {
    runner = liveRunner(outdir, opts.env);
  }
  if (opts.only) {
    const unknown = opts.only.filter((s) => !all.some((x) => x.stack === s));
    if (unknown.length) {
      throw new Error(
        `no stack named ${unknown.join(", ")}; stacks are: ${all.map((s) => s.stack).join(", ")}`,
      );
    }
    stacks = stacks
      .filter((s) => opts.only!.includes(s.stack))
      .map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => opts.only!.includes(d)) }));
  }
  if (opts.wrapRunner) runner = opts.wrapRunner(runner);
  opts.onStacks?.(stacks);
  const result = await runRollout(stacks, {
    runner,
    policy: opts.policy ?? policyFromConfig(opts.config),
    onEvent: opts.onEvent,
  });
  return { result, stacks, retirement, noChanges };
}

// Live progress ---------------------------------------------------------------------------------

/** "[########------------] 8/20 members (1 failed)". */
export function progressBar(done: number, total: number, failed: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} members${failed ? ` (${failed} failed)` : ""}`;
}

/** Tracks member progress from rollout events for the progress bar. */
export function memberProgress(total: number): (e: RolloutEvent) => string | undefined {
  let done = 0;
  let failed = 0;
  return (e) => {
    if (e.unit.kind !== "member" || e.type === "started") return undefined;
    done += 1;
    if (e.type === "finished" && e.status === "failed") failed += 1;
    return progressBar(done, total, failed);
  };
}

export type { RolloutUnit };

// Command setup ---------------------------------------------------------------------------------

export interface Prepared {
  readonly target: Target;
  readonly env: NodeJS.ProcessEnv;
  readonly localStateDir: string;
}

/**
 * What plan, deploy and drift share: the Terraform environment (provider mirror, plugin cache), and
 * in the local target the emulator (started if not running, like `npm run local`) with the
 * organization bootstrapped, so the stacks' providers have accounts to assume into.
 */
export async function prepareTarget(
  config: AccountConfig,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<Prepared> {
  const { localDir, motoPort, gapFillerPort, targetFor } = await import("../config/target");
  const dir = localDir(env);
  const tfEnv = terraformEnv(dir, env);
  if (config.target === "local") {
    const { ensureMoto, ensureGapFiller } = await import("../emulator/moto-server");
    const { bootstrapOrganization } = await import("../local/bootstrap-org");
    const moto = await ensureMoto(motoPort(env), dir);
    const gaps = await ensureGapFiller(gapFillerPort(env), moto.endpoint, dir);
    log(
      `emulator   moto at ${moto.endpoint}${moto.startedHere ? " (started; npm run local:down stops it)" : ""}, gap-filler at ${gaps.endpoint}`,
    );
    await bootstrapOrganization(config, moto.endpoint);
    tfEnv.FINOPS_MOTO_PORT = String(moto.port);
  }
  return { target: targetFor(config, env), env: tfEnv, localStateDir: path.join(dir, "state") };
}
