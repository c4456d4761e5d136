import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Plan sharding (`npm run plan -- --shard <i>/<n>`): the stacks a plan would cover (after
 * --changed-only and --stack) split into n deterministic, resource-balanced shards, so n CI jobs
 * can plan them side by side and `npm run plan:merge` can prove the shards were one complete set.
 *
 * Each stack weighs its synthesized resource count (its cdk.tf.json's resources and data sources,
 * at least 1): Terraform's plan time grows with the resources it refreshes and diffs. The split is
 * greedy longest-processing-time (LPT): stacks sorted by weight, heaviest first, ties by name
 * (code-point order), each to the shard with the least weight so far, ties to the lowest index.
 * LPT's largest shard is within 4/3 - 1/(3n) of the best possible split (Graham, 1969). Nothing
 * depends on the input order, directory order, Map order or the clock: every runner computes the
 * same shards from the same stacks and weights.
 */

/**
 * The most shards: GitHub Actions runs at most 256 jobs per matrix
 * (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstrategymatrix).
 */
export const MAX_SHARDS = 256;

export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface WeightedStack {
  readonly stack: string;
  readonly weight: number;
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  /** Stack names in the order they were assigned (heaviest first). */
  readonly stacks: readonly string[];
  readonly weight: number;
}

/** A --shard value that is not <i>/<n> with 1 ≤ i ≤ n ≤ MAX_SHARDS. */
export class ShardSpecError extends Error {}

/** Parses `<i>/<n>` (1-based), e.g. "2/5"; anything else is a ShardSpecError naming the fix. */
export function parseShardSpec(text: string, max = MAX_SHARDS): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const fix = `pass --shard <i>/<n>: shard i (1 to n) of n shards, n at most ${max}, e.g. --shard 1/3`;
  if (!m) throw new ShardSpecError(`--shard "${text}" is not <i>/<n>; ${fix}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > max) {
    throw new ShardSpecError(`--shard "${text}": n must be 1 to ${max}, not ${count}; ${fix}`);
  }
  if (index < 1 || index > count) {
    throw new ShardSpecError(`--shard "${text}": i must be 1 to ${count}, not ${index}; ${fix}`);
  }
  return { index, count };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits weighted stacks into `count` shards (LPT, see the file comment); shard i is at i - 1. */
export function assignShards(stacks: readonly WeightedStack[], count: number): Shard[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`the shard count must be a whole number of at least 1, not ${count}`);
  }
  const seen = new Set<string>();
  for (const s of stacks) {
    if (seen.has(s.stack)) throw new Error(`stack ${s.stack} is given twice to shard`);
    seen.add(s.stack);
    if (!Number.isFinite(s.weight) || s.weight < 0) {
      throw new Error(`stack ${s.stack} has weight ${s.weight}; weights are finite and not negative`);
    }
  }
  const sorted = [...stacks].sort((a, b) => b.weight - a.weight || compareNames(a.stack, b.stack));
  const shards = Array.from({ length: count }, () => ({ stacks: [] as string[], weight: 0 }));
  for (const s of sorted) {
    let lightest = 0;
    for (let i = 1; i < count; i++) if (shards[i]!.weight < shards[lightest]!.weight) lightest = i;
    shards[lightest]!.stacks.push(s.stack);
    shards[lightest]!.weight += s.weight;
  }
  return shards.map((s, i) => ({ index: i + 1, stacks: s.stacks, weight: s.weight }));
}

/**
 * The candidates of shard `spec.index` of `spec.count`, in their input (deployment) order.
 * `weightOf` gives each stack's weight (stackWeight over the synth directory in npm run plan).
 */
export function selectShard<T extends { readonly stack: string }>(
  candidates: readonly T[],
  weightOf: (stack: string) => number,
  spec: ShardSpec,
): T[] {
  const shards = assignShards(
    candidates.map((c) => ({ stack: c.stack, weight: weightOf(c.stack) })),
    spec.count,
  );
  const mine = new Set(shards[spec.index - 1]!.stacks);
  return candidates.filter((c) => mine.has(c.stack));
}

/**
 * How many shards a plan of `candidates` stacks needs: one per `threshold` stacks (rounded up), at
 * least 1 (an empty change still gets its one, empty, summary) and at most `max`.
 */
export function shardCount(candidates: number, threshold: number, max: number): number {
  for (const [name, v] of [
    ["threshold", threshold],
    ["max", max],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`the shard ${name} must be a whole number ≥ 1, not ${v}`);
  }
  return Math.max(1, Math.min(max, MAX_SHARDS, Math.ceil(candidates / threshold)));
}

/** A stack's weight from its synthesized Terraform JSON: resources plus data sources, at least 1. */
export function stackWeightFromJson(json: {
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
}): number {
  let n = 0;
  for (const block of [json.resource, json.data]) {
    for (const byName of Object.values(block ?? {})) n += Object.keys(byName ?? {}).length;
  }
  return Math.max(1, n);
}

/** The weight of a synthesized stack (<synthDir>/stacks/<stack>/cdk.tf.json); 1 when it has none. */
export function stackWeight(synthDir: string, stack: string): number {
  const file = path.join(synthDir, "stacks", stack, "cdk.tf.json");
  if (!existsSync(file)) return 1;
  return stackWeightFromJson(JSON.parse(readFileSync(file, "utf8")));
}
