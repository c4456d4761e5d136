import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import { BOOTSTRAP_STACK } from "../contracts/gitops";
import type { LandingStackInfo } from "../stacks/landing";
import { pool } from "./apply";
import { checkPlanGuard, type PlanGuardResult } from "./plan-guard";
import {
  fileSha256,
  PLAN_MANIFEST_KIND,
  PLAN_MANIFEST_VERSION,
  type PlanManifest,
  type PlannedStack,
} from "./plan-manifest";
import { renderPlanRun } from "./plan-markdown";
import { type ShardSpec, selectShard, stackWeight, type WeightedStack } from "./plan-shard";
import {
  type PlanInput,
  type PlanRunJson,
  type PlanSummary,
  summarizePlans,
  toSummaryJson,
} from "./plan-summary";
import {
  checkMemberRemovals,
  checkOrphanStates,
  configAtRef,
  listStates,
  membersFromYaml,
  RetirementError,
  type RetirementIssue,
} from "./retirement";
import { type SelectiveSynthResult, selectiveSynthAgainstRef } from "./selective-synth";
import { diffSynthDirs, stackJsonHash } from "./stack-identity";
import { stackDir, synthLanding } from "./synth";
import { synthAtRef } from "./synth-at-ref";
import { lastLines, terraformInit, terraformPlan, terraformShowJson } from "./terraform";

/**
 * `npm run plan`: synthesize, `terraform init` + `plan -out` every (changed) stack with bounded
 * parallelism, and write into the output directory:
 *   summary.md    the PR comment (renderMarkdown)
 *   summary.json  the machine summary (toSummaryJson)
 *   stacks.json   the plan manifest: every planned stack, its synthesized-JSON hash, its plan file
 *   plans/<stack>.tfplan  saved plans: `npm run deploy -- --plans <dir>` applies exactly these
 *   plans/<stack>.json    `terraform show -json` of each plan
 *   synth/        the synthesized stacks the plans were made from
 * With `shard` only that shard of the candidate stacks is planned (deploy/plan-shard.ts), and the
 * manifest and summary.json say which shard of how many candidates (npm run plan:merge).
 */

export interface ChangedOnly {
  /** A git ref: its code and config are synthesized in a temporary worktree. */
  readonly baseRef?: string;
  /** Or a previous synth directory (holding stacks/<stack>/cdk.tf.json). */
  readonly baseSynthDir?: string;
}

export interface PlanOptions {
  readonly config: AccountConfig;
  readonly configFile: string;
  readonly target: Target;
  /** Output directory (summary.md, summary.json, stacks.json, plans/, synth/). */
  readonly outDir: string;
  /** Terraform environment (terraformEnv). */
  readonly env: NodeJS.ProcessEnv;
  /** Plans running at once. @default 4 */
  readonly concurrency?: number;
  readonly changedOnly?: ChangedOnly;
  /** The ref whose config is the "previous" one for the removal check (defaults to changedOnly.baseRef). */
  readonly previousRef?: string;
  /** Local state directory, for the orphan-state check of the local target. */
  readonly localStateDir: string;
  /** Plan only these stacks (by name). */
  readonly only?: readonly string[];
  /** Extra `terraform plan` arguments, e.g. ["-lock=false"] for a role that may not write locks. */
  readonly planArgs?: readonly string[];
  /** Plan only this shard of the candidate stacks (npm run plan -- --shard <i>/<n>). */
  readonly shard?: ShardSpec;
  readonly log?: (line: string) => void;
}

export interface PlanRun {
  readonly manifest: PlanManifest;
  readonly summary: PlanSummary;
  readonly markdown: string;
  readonly guard: PlanGuardResult;
  readonly retirement: readonly RetirementIssue[];
  readonly errored: readonly PlannedStack[];
  /** Stacks the base had and the current synth does not (removed members). */
  readonly removed: readonly string[];
  /** What summary.json records of the run (candidates, shard, notes). */
  readonly run: PlanRunJson;
}

/** A placeholder plan for a stack whose plan failed, so the summary shows it as errored. */
function erroredPlan(): unknown {
  return { format_version: "1.2", errored: true, resource_changes: [] };
}

export async function planLanding(opts: PlanOptions): Promise<PlanRun> {
  const log = opts.log ?? (() => {});
  const outDir = path.resolve(opts.outDir);
  const synthDir = path.join(outDir, "synth");
  const plansDir = path.join(outDir, "plans");
  for (const d of [synthDir, plansDir]) rmSync(d, { recursive: true, force: true });
  mkdirSync(plansDir, { recursive: true });

  const started = Date.now();
  const { all, selective } = synthForPlan(opts, synthDir, log);
  log(
    selective
      ? `synth      ${selective.synthesized.join(", ")} only (selective, of ${all.length} landing stacks) in ${Date.now() - started} ms`
      : `synth      ${all.length} stacks in ${Date.now() - started} ms`,
  );

  // Retirement: a member must be retired (and its destroy applied) before its entry goes.
  const retirement: RetirementIssue[] = [];
  const previousRef = opts.previousRef ?? opts.changedOnly?.baseRef;
  if (previousRef) {
    const text = configAtRef(previousRef, opts.configFile);
    if (text !== undefined) {
      retirement.push(
        ...checkMemberRemovals(membersFromYaml(text), opts.config, opts.configFile, previousRef),
      );
    }
  }
  retirement.push(...checkOrphanStates(await listStates(opts.config, opts.localStateDir), opts.config));
  for (const i of retirement.filter((r) => r.severity === "info")) log(`retire     ${i.message}`);
  if (retirement.some((i) => i.severity === "error")) throw new RetirementError(retirement);

  const sel = selectCandidates(opts, synthDir, all, log, selective);
  const candidates = sel.selected;
  let selected = candidates;
  if (opts.shard) {
    selected = selectShard(candidates, (stack) => stackWeight(synthDir, stack), opts.shard);
    log(
      `shard      ${opts.shard.index} of ${opts.shard.count}: ${selected.length} of ${candidates.length} candidate stacks`,
    );
  }
  const { unchanged, removed, baseLabel, bootstrapChanged, leftOut } = sel;

  const planned = await pool(selected, opts.concurrency ?? 4, async (info): Promise<PlannedStack> => {
    const t0 = Date.now();
    const dir = stackDir(synthDir, info.stack);
    const hash = stackJsonHash(synthDir, info.stack);
    const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
    const init = await terraformInit(dir, opts.env);
    if (init.code !== 0) {
      const error = `terraform init: ${lastLines(init.stderr || init.stdout)}`;
      log(`plan       ${info.stack.padEnd(24)} errored (${seconds()} s)`);
      return { info, hash, status: "errored", error, seconds: seconds() };
    }
    const planFile = path.join(plansDir, `${info.stack}.tfplan`);
    const plan = await terraformPlan(dir, opts.env, planFile, [...(opts.planArgs ?? [])]);
    if (plan.code === 1) {
      const error = `terraform plan: ${lastLines(plan.stderr || plan.stdout)}`;
      log(`plan       ${info.stack.padEnd(24)} errored (${seconds()} s)`);
      return { info, hash, status: "errored", error, seconds: seconds() };
    }
    const json = await terraformShowJson(dir, opts.env, planFile);
    const jsonFile = path.join(plansDir, `${info.stack}.json`);
    writeFileSync(jsonFile, JSON.stringify(json));
    const status = plan.code === 2 ? "changes" : "no-changes";
    log(`plan       ${info.stack.padEnd(24)} ${status} (${seconds()} s)`);
    return {
      info,
      hash,
      status,
      planFile: path.relative(outDir, planFile),
      planJson: path.relative(outDir, jsonFile),
      planSha256: fileSha256(planFile),
      seconds: seconds(),
    };
  });

  const inputs: PlanInput[] = planned.map((p) => ({
    plan: p.planJson ? JSON.parse(readFileSync(path.join(outDir, p.planJson), "utf8")) : erroredPlan(),
    stack: p.info,
    source:
      p.planJson ??
      `${p.error?.startsWith("terraform init") ? "terraform init" : "terraform plan"} failed, see Plan errors`,
  }));
  const summary = summarizePlans(inputs);
  const guard = checkPlanGuard(summary, { env: opts.env });
  const errored = planned.filter((p) => p.status === "errored");
  const run: PlanRunJson = {
    configFile: opts.configFile,
    base: baseLabel ?? null,
    candidates: candidates.map((s) => s.stack),
    shard: opts.shard ? { index: opts.shard.index, count: opts.shard.count } : null,
    planned: planned.map((p) => p.info.stack),
    retiring: planned
      .filter((p) => p.info.retired)
      .map((p) => ({ stack: p.info.stack, accountName: p.info.accountName, accountId: p.info.accountId })),
    errors: errored.map((e) => ({ stack: e.info.stack, error: e.error ?? "" })),
    unchanged,
    removed,
    leftOut,
    bootstrapChanged,
    notes: retirement.filter((r) => r.severity === "info").map((i) => i.message),
  };
  const markdown = renderPlanRun(summary, run, guard.allowedBy !== null);

  const manifest: PlanManifest = {
    kind: PLAN_MANIFEST_KIND,
    schemaVersion: PLAN_MANIFEST_VERSION,
    configFile: opts.configFile,
    ...(baseLabel ? { base: baseLabel } : {}),
    stacks: planned,
    unchanged,
    ...(opts.shard
      ? { shard: { index: opts.shard.index, count: opts.shard.count, candidates: candidates.length } }
      : {}),
  };
  writeFileSync(path.join(outDir, "summary.md"), `${markdown}\n`);
  writeFileSync(
    path.join(outDir, "summary.json"),
    `${JSON.stringify(toSummaryJson(summary, run), null, 2)}\n`,
  );
  writeFileSync(path.join(outDir, "stacks.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, summary, markdown, guard, retirement, errored, removed, run };
}

interface Selection {
  /** The candidates: every stack to plan (after --changed-only and --stack), deployment order. */
  readonly selected: LandingStackInfo[];
  readonly unchanged: string[];
  readonly removed: string[];
  readonly baseLabel: string | undefined;
  readonly bootstrapChanged: boolean;
  /** Stacks that would be planned but --stack (only) leaves out. */
  readonly leftOut: string[];
}

/**
 * The plan's synth. With --changed-only against a git ref where only the config file differs
 * (deploy/selective-synth.ts), only the stacks the config edit can affect are synthesized, the
 * base's in-process too: `selective` carries the comparison. Otherwise every stack (synthLanding),
 * and selectCandidates synthesizes the base in a worktree.
 */
function synthForPlan(
  opts: Pick<PlanOptions, "changedOnly" | "config" | "configFile" | "target" | "env">,
  synthDir: string,
  log: (line: string) => void,
): { all: LandingStackInfo[]; selective?: SelectiveSynthResult } {
  const baseRef = opts.changedOnly?.baseSynthDir ? undefined : opts.changedOnly?.baseRef;
  if (baseRef) {
    const r = selectiveSynthAgainstRef({
      ref: baseRef,
      configFile: opts.configFile,
      config: opts.config,
      outDir: synthDir,
      target: opts.target,
      env: opts.env,
      log,
    });
    if (r.ok) return { all: r.result.all, selective: r.result };
    log(`selective  full synth of both sides: ${r.reason}`);
  }
  return { all: synthLanding(opts.config, synthDir, opts.target) };
}

/** --changed-only (against a base synth or ref) and --stack over the synthesized stacks. */
function selectCandidates(
  opts: Pick<PlanOptions, "changedOnly" | "configFile" | "env" | "only">,
  synthDir: string,
  all: LandingStackInfo[],
  log: (line: string) => void,
  selective?: SelectiveSynthResult,
): Selection {
  let selected = all;
  let unchanged: string[] = [];
  let removed: string[] = [];
  let baseLabel: string | undefined;
  let bootstrapChanged = false;
  if (opts.changedOnly && selective) {
    const diff = selective.diff;
    baseLabel = opts.changedOnly.baseRef;
    selected = all.filter((s) => diff.changed.includes(s.stack));
    unchanged = diff.unchanged.filter((s) => s !== BOOTSTRAP_STACK);
    bootstrapChanged = diff.changed.includes(BOOTSTRAP_STACK);
    removed = [...diff.removed];
    log(
      `changed    ${selected.length} of ${all.length} stacks differ from ${baseLabel}${removed.length ? `; removed: ${removed.join(", ")}` : ""}`,
    );
  } else if (opts.changedOnly) {
    let baseDir = opts.changedOnly.baseSynthDir;
    let cleanup: string | undefined;
    if (!baseDir && opts.changedOnly.baseRef) {
      baseDir = cleanup = mkdtempSync(path.join(os.tmpdir(), "finops-base-synth-"));
      const r = synthAtRef(opts.changedOnly.baseRef, opts.configFile, baseDir, opts.env);
      if (!r.ok) {
        log(`changed    cannot synthesize ${opts.changedOnly.baseRef} (${r.reason}): planning every stack`);
        baseDir = undefined;
      }
    }
    if (baseDir) {
      const diff = diffSynthDirs(synthDir, baseDir);
      baseLabel = opts.changedOnly.baseRef ?? opts.changedOnly.baseSynthDir;
      selected = all.filter((s) => diff.changed.includes(s.stack));
      // Only the landing's stacks are candidates; the bootstrap stack is reported on its own.
      unchanged = diff.unchanged.filter((s) => s !== BOOTSTRAP_STACK);
      bootstrapChanged = diff.changed.includes(BOOTSTRAP_STACK);
      removed = diff.removed;
      log(
        `changed    ${selected.length} of ${all.length} stacks differ from ${baseLabel}${removed.length ? `; removed: ${removed.join(", ")}` : ""}`,
      );
    }
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  }
  /** Stacks that would be planned but --stack (only) leaves out. */
  let leftOut: string[] = [];
  if (opts.only) {
    const unknown = opts.only.filter((s) => !all.some((x) => x.stack === s));
    if (unknown.length) {
      throw new Error(
        `no stack named ${unknown.join(", ")}; stacks are: ${all.map((s) => s.stack).join(", ")}`,
      );
    }
    leftOut = selected.filter((s) => !opts.only!.includes(s.stack)).map((s) => s.stack);
    selected = selected.filter((s) => opts.only!.includes(s.stack));
  }

  return { selected, unchanged, removed, baseLabel, bootstrapChanged, leftOut };
}

export interface PlanCandidates {
  readonly base: string | null;
  /** Every stack `npm run plan` would plan with these options, with its shard weight. */
  readonly candidates: readonly WeightedStack[];
  /** Stacks that synthesize exactly as at the base. */
  readonly unchanged: readonly string[];
}

/**
 * `npm run plan -- --list-only`: synthesizes and selects like planLanding (--changed-only,
 * --stack) and weighs the candidates for sharding (deploy/plan-shard.ts), without Terraform, AWS
 * or the retirement check (each shard's plan runs that). Writes <outDir>/synth.
 */
export function listPlanCandidates(
  opts: Pick<
    PlanOptions,
    "config" | "configFile" | "target" | "outDir" | "env" | "changedOnly" | "only" | "log"
  >,
): PlanCandidates {
  const log = opts.log ?? (() => {});
  const synthDir = path.join(path.resolve(opts.outDir), "synth");
  rmSync(synthDir, { recursive: true, force: true });
  const { all, selective } = synthForPlan(opts, synthDir, log);
  const sel = selectCandidates(opts, synthDir, all, log, selective);
  return {
    base: sel.baseLabel ?? null,
    candidates: sel.selected.map((s) => ({ stack: s.stack, weight: stackWeight(synthDir, s.stack) })),
    unchanged: sel.unchanged,
  };
}
