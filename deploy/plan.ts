import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import type { LandingStackInfo } from "../stacks/landing";
import { pool } from "./apply";
import { checkPlanGuard, type PlanGuardResult } from "./plan-guard";
import {
  type PlanInput,
  type PlanSummary,
  renderMarkdown,
  summarizePlans,
  toSummaryJson,
} from "./plan-summary";
import {
  checkMemberRemovals,
  checkOrphanStates,
  configAtRef,
  gitTopLevel,
  listStates,
  membersFromYaml,
  RetirementError,
  type RetirementIssue,
} from "./retirement";
import { stackDir, synthLanding } from "./synth";
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
 */

export const PLAN_MANIFEST_KIND = "finops-landing/plan-manifest";
export const PLAN_MANIFEST_VERSION = 1;

export interface PlannedStack {
  readonly info: LandingStackInfo;
  /** sha256 of the stack's normalized synthesized JSON (see stackJsonHash). */
  readonly hash: string;
  readonly status: "changes" | "no-changes" | "errored";
  /** Relative to the output directory; absent when the plan errored. */
  readonly planFile?: string;
  readonly planJson?: string;
  readonly error?: string;
  readonly seconds: number;
}

export interface PlanManifest {
  readonly kind: typeof PLAN_MANIFEST_KIND;
  readonly schemaVersion: typeof PLAN_MANIFEST_VERSION;
  readonly configFile: string;
  /** What --changed-only compared against; absent when every stack was planned. */
  readonly base?: string;
  readonly stacks: readonly PlannedStack[];
  /** Stacks left out because their synthesized JSON equals the base's. */
  readonly unchanged: readonly string[];
}

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
}

// Stack JSON identity ---------------------------------------------------------------------------

function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === "//") continue;
    out[key] = stripComments((value as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * The synthesized JSON of a stack in a form that only changes when Terraform would see a change:
 * cdktf's `//` metadata (construct paths, version) dropped, keys sorted, and the local backend's
 * path (relative to the synth directory) resolved, so two synth directories compare equal.
 */
export function normalizedStackJson(synthDir: string, stack: string): string {
  const dir = stackDir(synthDir, stack);
  const json = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as {
    terraform?: { backend?: { local?: { path?: string } } };
  };
  const local = json.terraform?.backend?.local;
  if (local?.path) local.path = path.resolve(dir, local.path);
  return JSON.stringify(stripComments(json));
}

export function stackJsonHash(synthDir: string, stack: string): string {
  return createHash("sha256").update(normalizedStackJson(synthDir, stack)).digest("hex");
}

/** The stack names a synth directory holds. */
export function synthStacks(synthDir: string): string[] {
  const dir = path.join(synthDir, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((s) => existsSync(path.join(dir, s, "cdk.tf.json")));
}

export interface StackDiff {
  /** New stacks or stacks whose normalized JSON differs. */
  readonly changed: string[];
  readonly unchanged: string[];
  /** In the base, not in the current synth. */
  readonly removed: string[];
}

export function diffSynthDirs(current: string, base: string): StackDiff {
  const now = synthStacks(current);
  const before = new Set(synthStacks(base));
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const s of now) {
    if (before.has(s) && normalizedStackJson(current, s) === normalizedStackJson(base, s)) unchanged.push(s);
    else changed.push(s);
  }
  return { changed, unchanged, removed: [...before].filter((s) => !now.includes(s)) };
}

/**
 * Synthesizes a git ref's own code and config in a temporary worktree (sharing this checkout's
 * node_modules), into `outdir`. Returns undefined, with the reason, when that is not possible
 * (the ref predates the deploy tooling, or its config does not exist): the caller then plans all.
 */
export function synthAtRef(
  ref: string,
  configFile: string,
  outdir: string,
  env: NodeJS.ProcessEnv,
): { ok: true } | { ok: false; reason: string } {
  const top = gitTopLevel();
  const rel = path.relative(top, path.resolve(configFile));
  if (configAtRef(ref, configFile) === undefined) {
    return { ok: false, reason: `${rel} does not exist at ${ref}` };
  }
  const tree = mkdtempSync(path.join(os.tmpdir(), "finops-base-"));
  const git = (args: string[]) => spawnSync("git", args, { cwd: top, encoding: "utf8" });
  const add = git(["worktree", "add", "--detach", "--force", tree, ref]);
  if (add.status !== 0) {
    rmSync(tree, { recursive: true, force: true });
    return { ok: false, reason: `git worktree add failed: ${lastLines(add.stderr, 3)}` };
  }
  try {
    symlinkSync(path.join(top, "node_modules"), path.join(tree, "node_modules"), "dir");
    const script = path.join(tree, ".finops-base-synth.ts");
    writeFileSync(
      script,
      [
        'import { loadAccountConfig } from "./config/load";',
        'import { synthLanding } from "./deploy/synth";',
        "synthLanding(loadAccountConfig(process.argv[2]!), process.argv[3]!);",
        "",
      ].join("\n"),
    );
    const tsx = path.join(top, "node_modules", ".bin", "tsx");
    const r = spawnSync(tsx, [script, rel, path.resolve(outdir)], {
      cwd: tree,
      encoding: "utf8",
      // Same local directory as the current synth, so local backend paths resolve alike.
      env: { ...env, FINOPS_LOCAL_DIR: path.resolve(env.FINOPS_LOCAL_DIR || ".local") },
    });
    if (r.status !== 0) {
      return { ok: false, reason: `synth at ${ref} failed: ${lastLines(r.stderr || r.stdout, 4)}` };
    }
    return { ok: true };
  } finally {
    git(["worktree", "remove", "--force", tree]);
    rmSync(tree, { recursive: true, force: true });
    git(["worktree", "prune"]);
  }
}

// Planning --------------------------------------------------------------------------------------

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
  const all = synthLanding(opts.config, synthDir, opts.target);
  log(`synth      ${all.length} stacks in ${Date.now() - started} ms`);

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

  // --changed-only
  let selected = all;
  let unchanged: string[] = [];
  let removed: string[] = [];
  let baseLabel: string | undefined;
  if (opts.changedOnly) {
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
      unchanged = diff.unchanged;
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
  const markdown = [
    renderMarkdown(summary, { dataStoreDestroyAllowed: guard.allowedBy !== null }).trimEnd(),
    ...renderExtras({ planned, errored, unchanged, removed, baseLabel, retirement, leftOut }),
  ].join("\n");

  const manifest: PlanManifest = {
    kind: PLAN_MANIFEST_KIND,
    schemaVersion: PLAN_MANIFEST_VERSION,
    configFile: opts.configFile,
    ...(baseLabel ? { base: baseLabel } : {}),
    stacks: planned,
    unchanged,
  };
  writeFileSync(path.join(outDir, "summary.md"), `${markdown}\n`);
  writeFileSync(path.join(outDir, "summary.json"), `${JSON.stringify(toSummaryJson(summary), null, 2)}\n`);
  writeFileSync(path.join(outDir, "stacks.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, summary, markdown, guard, retirement, errored, removed };
}

function renderExtras(x: {
  planned: readonly PlannedStack[];
  errored: readonly PlannedStack[];
  unchanged: readonly string[];
  removed: readonly string[];
  baseLabel?: string;
  retirement: readonly RetirementIssue[];
  leftOut: readonly string[];
}): string[] {
  const out: string[] = [""];
  const retiring = x.planned.filter((p) => p.info.retired);
  if (retiring.length) {
    out.push(
      `**Retiring:** ${retiring.map((p) => `${p.info.stack} (${p.info.accountName} ${p.info.accountId})`).join(", ")}: these stacks are planned empty, so their resources are destroyed. Remove the entries from the config after this is applied.`,
      "",
    );
  }
  if (x.errored.length) {
    out.push("#### Plan errors", "");
    for (const e of x.errored) {
      out.push(
        `<details><summary>${e.info.stack}</summary>`,
        "",
        "```",
        e.error ?? "",
        "```",
        "",
        "</details>",
      );
    }
    out.push("");
  }
  if (x.baseLabel) {
    out.push(
      `_Changed-only: ${x.planned.length} stack${x.planned.length === 1 ? "" : "s"} planned; ${x.unchanged.length} synthesize exactly as at \`${x.baseLabel}\` and were not planned${x.leftOut.length ? `; ${x.leftOut.length} changed but left out by --stack: ${x.leftOut.join(", ")}` : ""}._`,
    );
  } else if (x.leftOut.length) {
    out.push(`_Left out by --stack: ${x.leftOut.join(", ")}._`);
  }
  if (x.removed.length) out.push(`_Removed from the config (retired earlier): ${x.removed.join(", ")}._`);
  for (const i of x.retirement.filter((r) => r.severity === "info")) out.push(`_${i.message}_`);
  return out;
}

/** Reads and checks a plan manifest (stacks.json) written by planLanding. */
export function readPlanManifest(plansDir: string): PlanManifest {
  const file = path.join(plansDir, "stacks.json");
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist; --plans needs the output directory of npm run plan`);
  }
  const m = JSON.parse(readFileSync(file, "utf8")) as PlanManifest;
  if (m.kind !== PLAN_MANIFEST_KIND || m.schemaVersion !== PLAN_MANIFEST_VERSION) {
    throw new Error(
      `${file} is not a plan manifest of this version (kind ${JSON.stringify(m.kind)}, schemaVersion ${JSON.stringify(m.schemaVersion)}); re-run npm run plan`,
    );
  }
  return m;
}
