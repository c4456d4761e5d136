import { checkPlanGuard, type PlanGuardOptions, type PlanGuardResult } from "./plan-guard";
import { PLAN_MANIFEST_KIND, PLAN_MANIFEST_VERSION, type PlanManifest } from "./plan-manifest";
import { renderPlanRun } from "./plan-markdown";
import {
  assembleSummary,
  PLAN_SUMMARY_SCHEMA_VERSION,
  type PlanRunJson,
  type PlanSummary,
  type PlanSummaryJson,
  toSummaryJson,
} from "./plan-summary";

/**
 * `npm run plan:merge`: the shards of one plan (npm run plan -- --shard <i>/<n>, one CI job each)
 * made into the summary one unsharded run would have written, from their JSON summaries (the
 * workflow artifacts hold no plans: plans hold state values). Before merging it proves the shards
 * are one complete set: the same n, base, config and candidates; every index 1..n once; every
 * candidate planned by exactly one shard. Any doubt is a PlanMergeError naming what is missing,
 * duplicated or different, and the fix. Pure: the CLI (scripts/plan-merge.ts) reads the files.
 *
 * mergeShardManifests does the same for the shards' manifests (stacks.json), which plan:store get
 * fetches, hash-checked, from the state bucket, so `npm run deploy -- --plans` applies every
 * shard's reviewed plans in one rollout.
 */

export class PlanMergeError extends Error {}

export interface ShardSummary {
  /** Where it came from (the shard's directory), named in errors. */
  readonly source: string;
  readonly summary: PlanSummaryJson;
}

export interface MergedPlan {
  readonly summary: PlanSummary;
  readonly run: PlanRunJson;
  readonly shards: number;
}

/** Parses and checks a shard's summary.json text; `source` names it in errors. */
export function parseShardSummary(text: string, source: string): ShardSummary {
  let json: PlanSummaryJson;
  try {
    json = JSON.parse(text) as PlanSummaryJson;
  } catch (e) {
    throw new PlanMergeError(
      `${source}: not valid JSON (${(e as Error).message}); download the shard's artifact again`,
    );
  }
  if (json?.kind !== "finops-landing/plan-summary" || json.schemaVersion !== PLAN_SUMMARY_SCHEMA_VERSION) {
    throw new PlanMergeError(
      `${source}: not a plan summary of this version (kind ${JSON.stringify(json?.kind)}, schemaVersion ${JSON.stringify(json?.schemaVersion)}); re-run npm run plan -- --shard`,
    );
  }
  if (!json.run?.shard || !Array.isArray(json.stacks)) {
    throw new PlanMergeError(
      `${source}: not the summary of a shard (no run.shard); plan:merge merges the outputs of npm run plan -- --shard <i>/<n>`,
    );
  }
  return { source, summary: json };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The run fields every shard of one plan must agree on, and what to call them. */
const SHARED: readonly [keyof PlanRunJson, string][] = [
  ["configFile", "config file"],
  ["base", "base"],
  ["candidates", "candidate stacks"],
  ["unchanged", "unchanged stacks"],
  ["removed", "removed stacks"],
  ["leftOut", "stacks left out by --stack"],
  ["bootstrapChanged", "bootstrap stack's change"],
  ["notes", "retirement notes"],
];

function describeValue(v: unknown): string {
  if (Array.isArray(v))
    return v.length > 5 ? `${v.length} entries [${v.slice(0, 5).join(", ")}, …]` : `[${v.join(", ")}]`;
  return JSON.stringify(v);
}

/** Checks that the shards are one complete set; returns them ordered by index. */
function checkSet<T>(
  shards: readonly T[],
  shardOf: (s: T) => { index: number; count: number },
  sourceOf: (s: T) => string,
  expectShards: number | undefined,
): T[] {
  if (shards.length === 0)
    throw new PlanMergeError("no shards given; pass the output directory of every shard");
  const count = shardOf(shards[0]!).count;
  for (const s of shards) {
    if (shardOf(s).count !== count) {
      throw new PlanMergeError(
        `the shards are not one set: ${sourceOf(shards[0]!)} is one of ${count} shards, ${sourceOf(s)} one of ${shardOf(s).count}; merge the shards of one plan run`,
      );
    }
  }
  if (expectShards !== undefined && expectShards !== count) {
    throw new PlanMergeError(
      `expected ${expectShards} shards, but the shards given are ${count} in all; merge the shards of one plan run`,
    );
  }
  const byIndex = new Map<number, T>();
  for (const s of shards) {
    const { index } = shardOf(s);
    const previous = byIndex.get(index);
    if (previous !== undefined) {
      throw new PlanMergeError(
        `shard ${index} of ${count} is given twice (${sourceOf(previous)} and ${sourceOf(s)}); give each shard once`,
      );
    }
    byIndex.set(index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new PlanMergeError(
      `shard${missing.length === 1 ? "" : "s"} ${missing.join(", ")} of ${count} missing: the plan is incomplete (a shard's job failed or its output was not downloaded); re-run the plan`,
    );
  }
  return Array.from({ length: count }, (_, i) => byIndex.get(i + 1)!);
}

/** Every candidate in exactly one shard, and nothing else. */
function checkCover(
  candidates: readonly string[],
  planned: readonly { label: string; stacks: readonly string[] }[],
) {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  const isCandidate = new Set(candidates);
  for (const p of planned) {
    for (const stack of p.stacks) {
      const previous = owner.get(stack);
      if (previous !== undefined) problems.push(`${stack} is planned by both ${previous} and ${p.label}`);
      else owner.set(stack, p.label);
      if (!isCandidate.has(stack)) problems.push(`${stack} is planned by ${p.label} but is not a candidate`);
    }
  }
  const unplanned = candidates.filter((c) => !owner.has(c));
  if (unplanned.length) problems.push(`planned by no shard: ${unplanned.join(", ")}`);
  if (problems.length) {
    throw new PlanMergeError(
      `the shards do not plan every candidate stack exactly once: ${problems.join("; ")}; re-run every shard of the plan against one base`,
    );
  }
}

/**
 * Merges the shards' JSON summaries into the summary and run of one unsharded plan (see the file
 * comment); `expectShards`, when given, is how many shards the workflow started.
 */
export function mergeShardSummaries(
  shards: readonly ShardSummary[],
  options: { readonly expectShards?: number } = {},
): MergedPlan {
  const ordered = checkSet(
    shards,
    (s) => s.summary.run!.shard!,
    (s) => s.source,
    options.expectShards,
  );
  const first = ordered[0]!.summary.run!;
  for (const s of ordered.slice(1)) {
    const run = s.summary.run!;
    for (const [field, what] of SHARED) {
      if (!same(run[field], first[field])) {
        throw new PlanMergeError(
          `the shards disagree on the ${what}: shard 1 (${ordered[0]!.source}) has ${describeValue(first[field])}, shard ${run.shard!.index} (${s.source}) ${describeValue(run[field])}; plan every shard from one commit against one base (--base <sha>)`,
        );
      }
    }
  }
  for (const s of ordered) {
    const run = s.summary.run!;
    const inSummary = s.summary.stacks.map((x) => x.stack).sort();
    if (!same(inSummary, [...run.planned].sort())) {
      throw new PlanMergeError(
        `${s.source}: its summary's stacks are not the stacks it says it planned; re-run shard ${run.shard!.index}`,
      );
    }
  }
  checkCover(
    first.candidates,
    ordered.map((s) => ({
      label: `shard ${s.summary.run!.shard!.index} (${s.source})`,
      stacks: s.summary.run!.planned,
    })),
  );
  const position = new Map(first.candidates.map((c, i) => [c, i]));
  const byPosition =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
      position.get(key(a))! - position.get(key(b))!;
  const summary = assembleSummary(
    ordered.flatMap((s) => s.summary.stacks.map((x) => ({ ...x, order: position.get(x.stack)! }))),
  );
  const runs = ordered.map((s) => s.summary.run!);
  const run: PlanRunJson = {
    configFile: first.configFile,
    base: first.base,
    candidates: first.candidates,
    shard: null,
    planned: runs.flatMap((r) => r.planned).sort(byPosition((x: string) => x)),
    retiring: runs.flatMap((r) => r.retiring).sort(byPosition((x) => x.stack)),
    errors: runs.flatMap((r) => r.errors).sort(byPosition((x) => x.stack)),
    unchanged: first.unchanged,
    removed: first.removed,
    leftOut: first.leftOut,
    bootstrapChanged: first.bootstrapChanged,
    notes: first.notes,
  };
  return { summary, run, shards: ordered.length };
}

export interface MergedOutputs {
  /** summary.md (with its final newline), as npm run plan writes it. */
  readonly markdown: string;
  /** summary.json text, as npm run plan writes it. */
  readonly summaryJson: string;
  readonly guard: PlanGuardResult;
}

/** The files of the merged plan and the guard's one verdict over every shard. */
export function renderMergedPlan(merged: MergedPlan, guard: PlanGuardOptions = {}): MergedOutputs {
  const verdict = checkPlanGuard(merged.summary, guard);
  return {
    markdown: `${renderPlanRun(merged.summary, merged.run, verdict.allowedBy !== null)}\n`,
    summaryJson: `${JSON.stringify(toSummaryJson(merged.summary, merged.run), null, 2)}\n`,
    guard: verdict,
  };
}

/** A shard's manifest and the folder (relative to the merged plan directory) its files are in. */
export interface ShardManifest {
  readonly dir: string;
  readonly manifest: PlanManifest;
}

/**
 * One manifest over every shard's (each already checked against its receipt), whose plan paths
 * point into the shards' folders, so `npm run deploy -- --plans <dir>` applies them all in one
 * rollout in waves. Refuses, like mergeShardSummaries, anything but one complete set.
 */
export function mergeShardManifests(shards: readonly ShardManifest[]): PlanManifest {
  for (const s of shards) {
    if (!s.manifest.shard) {
      throw new PlanMergeError(
        `${s.dir}/stacks.json is not a shard's manifest (no shard); plan with --shard`,
      );
    }
  }
  const ordered = checkSet(
    shards,
    (s) => s.manifest.shard!,
    (s) => `${s.dir}/stacks.json`,
    undefined,
  );
  const first = ordered[0]!.manifest;
  for (const s of ordered.slice(1)) {
    for (const field of ["configFile", "base", "unchanged"] as const) {
      if (!same(s.manifest[field], first[field])) {
        throw new PlanMergeError(
          `the shards disagree on ${field}: ${ordered[0]!.dir} has ${describeValue(first[field])}, ${s.dir} ${describeValue(s.manifest[field])}; re-run the plan`,
        );
      }
    }
    if (s.manifest.shard!.candidates !== first.shard!.candidates) {
      throw new PlanMergeError(
        `the shards disagree on how many candidate stacks there are (${first.shard!.candidates} and ${s.manifest.shard!.candidates}); re-run the plan`,
      );
    }
  }
  const owner = new Map<string, string>();
  for (const s of ordered) {
    for (const p of s.manifest.stacks) {
      const previous = owner.get(p.info.stack);
      if (previous !== undefined) {
        throw new PlanMergeError(
          `${p.info.stack} is planned by both ${previous} and ${s.dir}; re-run the plan`,
        );
      }
      owner.set(p.info.stack, s.dir);
    }
  }
  if (owner.size !== first.shard!.candidates) {
    throw new PlanMergeError(
      `the shards plan ${owner.size} stacks, not the ${first.shard!.candidates} candidates: a shard is incomplete; re-run the plan`,
    );
  }
  const inDir = (dir: string, f: string | undefined) =>
    f === undefined ? undefined : `${dir}/${f.split("\\").join("/")}`;
  return {
    kind: PLAN_MANIFEST_KIND,
    schemaVersion: PLAN_MANIFEST_VERSION,
    configFile: first.configFile,
    ...(first.base !== undefined ? { base: first.base } : {}),
    stacks: ordered.flatMap((s) =>
      s.manifest.stacks.map((p) => ({
        ...p,
        ...(p.planFile !== undefined ? { planFile: inDir(s.dir, p.planFile) } : {}),
        ...(p.planJson !== undefined ? { planJson: inDir(s.dir, p.planJson) } : {}),
      })),
    ),
    unchanged: first.unchanged,
  };
}
