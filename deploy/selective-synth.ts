import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAccountConfig } from "../config/load";
import type { AccountConfig } from "../config/schema";
import { type Target, targetFor } from "../config/target";
import { describeBootstrap, describeLanding, type LandingStackInfo } from "../stacks/landing";
import { type AffectedStacks, affectedStacks } from "./affected-stacks";
import { configAtRef, gitTopLevel } from "./retirement";
import { diffSynthDirs, type StackDiff } from "./stack-identity";
import { synthLanding } from "./synth";
import { lastLines } from "./terraform";

/**
 * The selective synth (docs/scale.md, "Selective synth"): when the code is the same on both sides
 * and only the config differs, `--changed-only` needs neither the base ref's worktree nor a full
 * synth of either side. Both configs are synthesized here, in this process, with this code, and
 * only the stacks the config change can affect (deploy/affected-stacks.ts); every other stack is
 * unchanged by construction. A change outside `members` falls back to a full synth of both configs,
 * still in-process.
 */

export interface SelectiveSynthResult {
  /** Every landing stack of the current config (describeLanding), synthesized or not. */
  readonly all: LandingStackInfo[];
  /** What the config change can affect, with the reasons (for the plan log). */
  readonly affected: AffectedStacks;
  /** The stacks written into outDir (the bootstrap stack included when affected), sorted. */
  readonly synthesized: readonly string[];
  /**
   * As diffSynthDirs of two full synths would say, sorted: changed (new, or differing JSON: always
   * synthesized), unchanged (the bootstrap stack included when unchanged), removed (previous only).
   */
  readonly diff: StackDiff;
}

export interface SelectiveSynthOptions {
  /** The previous config's target. @default `target` when both configs have the same target kind, else targetFor(previous, env) */
  readonly previousTarget?: Target;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Synthesizes into `outDir` the stacks of `config` that can differ from `previous`'s (all of them
 * when affectedStacks falls back), synthesizes the same stacks of `previous` into a temporary
 * directory, and compares them. Both configs must be of this code: the caller checks that the code
 * did not change (configOnlyChange).
 */
export function selectiveSynth(
  previous: AccountConfig,
  config: AccountConfig,
  outDir: string,
  target: Target = targetFor(config),
  options: SelectiveSynthOptions = {},
): SelectiveSynthResult {
  const log = options.log ?? (() => {});
  const previousTarget =
    options.previousTarget ??
    (previous.target === config.target ? target : targetFor(previous, options.env ?? process.env));
  const affected = affectedStacks(previous, config);
  const all = describeLanding(config);
  const baseDir = mkdtempSync(path.join(os.tmpdir(), "finops-selective-base-"));
  try {
    if (affected.all) {
      log(`selective  every stack: ${affected.reason}`);
      synthLanding(config, outDir, target);
      synthLanding(previous, baseDir, previousTarget);
      const diff = diffSynthDirs(outDir, baseDir);
      const synthesized = [...diff.changed, ...diff.unchanged].sort(byName);
      return { all, affected, synthesized, diff: sortedDiff(diff) };
    }
    const wanted = affected.stacks.map((s) => s.stack);
    for (const s of affected.stacks) log(`selective  ${s.stack}: ${s.reasons.join("; ")}`);
    for (const s of affected.removed) log(`selective  ${s}: removed from the config`);
    const stacksOf = (c: AccountConfig) => {
      const b = describeBootstrap(c);
      return new Set([...describeLanding(c).map((s) => s.stack), ...(b ? [b.stack] : [])]);
    };
    const before = stacksOf(previous);
    synthLanding(config, outDir, target, { stacks: wanted });
    synthLanding(previous, baseDir, previousTarget, { stacks: wanted.filter((s) => before.has(s)) });
    const diff = diffSynthDirs(outDir, baseDir);
    const changed = new Set(diff.changed);
    const unchanged = [...stacksOf(config)].filter((s) => !changed.has(s));
    log(
      `selective  synthesized ${wanted.length} of ${unchanged.length + changed.size} stacks; ${changed.size} differ`,
    );
    return {
      all,
      affected,
      synthesized: [...wanted].sort(byName),
      diff: sortedDiff({ changed: diff.changed, unchanged, removed: [...affected.removed] }),
    };
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }
}

function sortedDiff(d: StackDiff): StackDiff {
  return {
    changed: [...d.changed].sort(byName),
    unchanged: [...d.unchanged].sort(byName),
    removed: [...d.removed].sort(byName),
  };
}

/**
 * Whether the working tree differs from `ref` in the config file only, so that `ref`'s synth is
 * this code's synth of `ref`'s config. Compares `ref` with the working tree, not with the merge
 * base: the base synth of --changed-only is `ref`'s own code (synthAtRef), so a base branch that
 * moved on since the pull request branched is a code change. Git lists every tracked file that
 * differs (`git diff --name-only <ref>`: committed, staged or not) and every untracked file not
 * ignored (`git ls-files --others --exclude-standard`); any file besides the config means a code
 * change (or one it cannot rule out), and the caller synthesizes both sides in full.
 */
export function configOnlyChange(
  ref: string,
  configFile: string,
  cwd = process.cwd(),
): { ok: true; previous: AccountConfig } | { ok: false; reason: string } {
  const top = gitTopLevel(cwd);
  const rel = path.relative(top, path.resolve(cwd, configFile)).split(path.sep).join("/");
  if (rel.startsWith("../") || path.isAbsolute(rel)) {
    return { ok: false, reason: `${configFile} is outside the repository, so ${ref} has no copy of it` };
  }
  const text = configAtRef(ref, configFile, cwd);
  if (text === undefined) return { ok: false, reason: `${rel} does not exist at ${ref}` };
  const git = (args: string[]) => spawnSync("git", args, { cwd: top, encoding: "utf8" });
  const diff = git(["diff", "--name-only", "--no-renames", ref, "--"]);
  const untracked = git(["ls-files", "--others", "--exclude-standard"]);
  for (const r of [diff, untracked]) {
    if (r.status !== 0) return { ok: false, reason: `git: ${lastLines(r.stderr || r.stdout, 2)}` };
  }
  const files = [...diff.stdout.split("\n"), ...untracked.stdout.split("\n")].filter((f) => f && f !== rel);
  if (files.length > 0) {
    const shown = files.slice(0, 3).join(", ");
    return {
      ok: false,
      reason: `${files.length} file${files.length === 1 ? "" : "s"} besides ${rel} differ${files.length === 1 ? "s" : ""} from ${ref} (${shown}${files.length > 3 ? ", ..." : ""})`,
    };
  }
  try {
    return { ok: true, previous: parseAccountConfig(text, `${rel} at ${ref}`) };
  } catch (e) {
    return {
      ok: false,
      reason: `${rel} at ${ref} is not a valid config: ${lastLines((e as Error).message, 3)}`,
    };
  }
}

export interface SelectiveSynthAgainstRef {
  readonly ref: string;
  readonly configFile: string;
  readonly config: AccountConfig;
  /** Where the current config's stacks go (the plan's synth/ directory). */
  readonly outDir: string;
  readonly target: Target;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly log?: (line: string) => void;
}

/**
 * --changed-only against a git ref without the ref's worktree: when the working tree differs from
 * `ref` in the config file only (configOnlyChange), selectiveSynth of the ref's config and the
 * current one. Otherwise `{ ok: false, reason }`, and nothing was synthesized: the caller
 * synthesizes both sides in full (synthLanding, synthAtRef).
 */
export function selectiveSynthAgainstRef(
  opts: SelectiveSynthAgainstRef,
): { ok: true; result: SelectiveSynthResult } | { ok: false; reason: string } {
  const check = configOnlyChange(opts.ref, opts.configFile, opts.cwd);
  if (!check.ok) return check;
  const result = selectiveSynth(check.previous, opts.config, opts.outDir, opts.target, {
    env: opts.env,
    log: opts.log,
  });
  return { ok: true, result };
}
