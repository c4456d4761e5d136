import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  assignShards,
  MAX_SHARDS,
  parseShardSpec,
  ShardSpecError,
  selectShard,
  shardCount,
  stackWeight,
  stackWeightFromJson,
  type WeightedStack,
} from "../../../deploy/plan-shard";
import { UsageError } from "../../../scripts/cli-args";
import { parseArgs } from "../../../scripts/plan";

/**
 * npm run plan -- --shard <i>/<n> (deploy/plan-shard.ts): the split must be the same on every
 * runner, cover every candidate exactly once, and be balanced within what greedy LPT guarantees.
 */

/** A small deterministic PRNG (mulberry32), so "random" inputs are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Stacks like a landing's: admin and payer heavy, members of a few sizes, many equal weights. */
function landing(members: number, random: () => number): WeightedStack[] {
  return [
    { stack: "admin", weight: 180 },
    { stack: "payer", weight: 60 },
    ...Array.from({ length: members }, (_, i) => ({
      stack: `member-${String(i).padStart(4, "0")}`,
      weight: [41, 41, 41, 55, 3][Math.floor(random() * 5)]!,
    })),
  ];
}

describe("parseShardSpec (--shard <i>/<n>)", () => {
  it.each([
    ["1/1", 1, 1],
    ["2/3", 2, 3],
    ["3/3", 3, 3],
    [`${MAX_SHARDS}/${MAX_SHARDS}`, MAX_SHARDS, MAX_SHARDS],
  ])("reads %s", (text, index, count) => {
    expect(parseShardSpec(text)).toEqual({ index, count });
  });

  it.each([
    ["0/3", "i must be 1 to 3, not 0"],
    ["4/3", "i must be 1 to 3, not 4"],
    ["1/0", "n must be 1 to 256, not 0"],
    [`1/${MAX_SHARDS + 1}`, `n must be 1 to 256, not ${MAX_SHARDS + 1}`],
    ["a/b", "is not <i>/<n>"],
    ["1", "is not <i>/<n>"],
    ["1/2/3", "is not <i>/<n>"],
    ["-1/3", "is not <i>/<n>"],
    ["1.5/3", "is not <i>/<n>"],
    ["", "is not <i>/<n>"],
  ])("refuses %j, naming the flag and the fix", (text, why) => {
    expect(() => parseShardSpec(text)).toThrow(ShardSpecError);
    expect(() => parseShardSpec(text)).toThrow(why);
    expect(() => parseShardSpec(text)).toThrow(`--shard "${text}"`);
    expect(() => parseShardSpec(text)).toThrow("pass --shard <i>/<n>: shard i (1 to n) of n shards");
  });
});

describe("assignShards (LPT)", () => {
  it("is deterministic: shuffled input gives the same shards", () => {
    const random = rng(7);
    const stacks = landing(300, random);
    const expected = assignShards(stacks, 7);
    for (let k = 0; k < 20; k++) {
      expect(assignShards(shuffle(stacks, random), 7)).toEqual(expected);
    }
  });

  it("assigns heaviest first, ties by name, each to the lightest shard (ties to the lowest index)", () => {
    const shards = assignShards(
      [
        { stack: "b", weight: 5 },
        { stack: "a", weight: 5 },
        { stack: "c", weight: 9 },
        { stack: "d", weight: 1 },
        { stack: "e", weight: 4 },
      ],
      2,
    );
    // c(9)→1; a(5)→2; b(5)→2 (5 < 9); e(4)→1 (9 < 10); d(1)→2 (10 < 13)
    expect(shards).toEqual([
      { index: 1, stacks: ["c", "e"], weight: 13 },
      { index: 2, stacks: ["a", "b", "d"], weight: 11 },
    ]);
  });

  it.each([1, 2, 3, 5, 8, 13, 40, 301, 302, 500])(
    "is complete with %i shards: every stack in exactly one shard, none empty while another has two",
    (n) => {
      const stacks = landing(300, rng(n));
      const shards = assignShards(stacks, n);
      expect(shards.map((s) => s.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const all = shards.flatMap((s) => s.stacks);
      expect(all.sort()).toEqual(stacks.map((s) => s.stack).sort());
      expect(new Set(all).size).toBe(all.length);
      const sizes = shards.map((s) => s.stacks.length);
      if (sizes.some((x) => x === 0)) expect(Math.max(...sizes)).toBeLessThanOrEqual(1);
      for (const s of shards) {
        const weight = s.stacks.reduce((sum, name) => sum + stacks.find((x) => x.stack === name)!.weight, 0);
        expect(s.weight).toBe(weight);
      }
    },
  );

  it.each([2, 3, 4, 7, 16, 20])(
    "is balanced with %i shards: the largest shard is within Graham's list-scheduling bound",
    (n) => {
      const stacks = landing(500, rng(100 + n));
      const shards = assignShards(stacks, n);
      const total = stacks.reduce((s, x) => s + x.weight, 0);
      const heaviest = Math.max(...stacks.map((s) => s.weight));
      const largest = Math.max(...shards.map((s) => s.weight));
      // Any greedy list schedule: makespan ≤ total/n + the heaviest job.
      expect(largest).toBeLessThanOrEqual(total / n + heaviest);
      // The lower bound of any split is max(total/n, heaviest).
      expect(largest).toBeGreaterThanOrEqual(Math.max(total / n, heaviest));
    },
  );

  it("stays within LPT's 4/3 - 1/(3n) of the best split, found by brute force on small inputs", () => {
    const random = rng(42);
    for (let trial = 0; trial < 40; trial++) {
      const count = 2 + (trial % 2);
      const stacks = Array.from({ length: 7 }, (_, i) => ({
        stack: `s${i}`,
        weight: 1 + Math.floor(random() * 20),
      }));
      let best = Number.POSITIVE_INFINITY;
      for (let code = 0; code < count ** stacks.length; code++) {
        const loads = new Array(count).fill(0);
        let c = code;
        for (const s of stacks) {
          loads[c % count] += s.weight;
          c = Math.floor(c / count);
        }
        best = Math.min(best, Math.max(...loads));
      }
      const largest = Math.max(...assignShards(stacks, count).map((s) => s.weight));
      expect(largest).toBeLessThanOrEqual((4 / 3 - 1 / (3 * count)) * best + 1e-9);
    }
  });

  it("refuses a duplicated stack, a negative weight and a shard count below 1", () => {
    expect(() =>
      assignShards(
        [
          { stack: "a", weight: 1 },
          { stack: "a", weight: 2 },
        ],
        2,
      ),
    ).toThrow("stack a is given twice");
    expect(() => assignShards([{ stack: "a", weight: -1 }], 2)).toThrow("stack a has weight -1");
    expect(() => assignShards([], 0)).toThrow("at least 1");
  });
});

describe("selectShard", () => {
  it("gives each shard its stacks in the candidates' (deployment) order, together every candidate once", () => {
    const stacks = landing(60, rng(3));
    const weights = new Map(stacks.map((s) => [s.stack, s.weight]));
    const picked = [1, 2, 3, 4].map((index) =>
      selectShard(stacks, (s) => weights.get(s)!, { index, count: 4 }).map((s) => s.stack),
    );
    for (const p of picked) {
      const positions = p.map((s) => stacks.findIndex((x) => x.stack === s));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(picked.flat().sort()).toEqual(stacks.map((s) => s.stack).sort());
  });
});

describe("shardCount", () => {
  it.each([
    [0, 25, 20, 1],
    [1, 25, 20, 1],
    [25, 25, 20, 1],
    [26, 25, 20, 2],
    [500, 25, 20, 20],
    [2000, 25, 20, 20],
    [2000, 1, 1000, 256],
    [120, 50, 3, 3],
  ])("%i candidates, threshold %i, max %i: %i shard(s)", (candidates, threshold, max, n) => {
    expect(shardCount(candidates, threshold, max)).toBe(n);
  });

  it("refuses a threshold or maximum below 1", () => {
    expect(() => shardCount(10, 0, 20)).toThrow("threshold");
    expect(() => shardCount(10, 25, 0)).toThrow("max");
  });
});

describe("stack weights from the synthesized JSON", () => {
  it("counts resources and data sources, at least 1", () => {
    expect(
      stackWeightFromJson({
        resource: { aws_s3_bucket: { a: {}, b: {} }, aws_iam_role: { r: {} } },
        data: { aws_caller_identity: { me: {} } },
      }),
    ).toBe(4);
    expect(stackWeightFromJson({})).toBe(1);
  });

  it("reads <synth>/stacks/<stack>/cdk.tf.json, 1 for a stack without one", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "plan-shard-"));
    try {
      mkdirSync(path.join(dir, "stacks", "member-a"), { recursive: true });
      writeFileSync(
        path.join(dir, "stacks", "member-a", "cdk.tf.json"),
        JSON.stringify({ resource: { aws_sns_topic: { t: {}, u: {}, v: {} } } }),
      );
      expect(stackWeight(dir, "member-a")).toBe(3);
      expect(stackWeight(dir, "member-b")).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run plan's sharding options (scripts/plan.ts)", () => {
  it("reads --shard, and --list-only with the threshold and maximum", () => {
    expect(parseArgs(["--shard", "2/4"]).shard).toEqual({ index: 2, count: 4 });
    expect(parseArgs([]).shard).toBeUndefined();
    expect(parseArgs(["--list-only", "--shard-threshold", "10", "--max-shards", "8"])).toMatchObject({
      listOnly: true,
      shardThreshold: 10,
      maxShards: 8,
    });
    expect(parseArgs(["--list-only"])).toMatchObject({ shardThreshold: 25, maxShards: 20 });
  });

  it.each([
    [["--shard", "0/3"], '--shard "0/3": i must be 1 to 3, not 0'],
    [["--shard", "4/3"], '--shard "4/3": i must be 1 to 3, not 4'],
    [["--shard", "a/b"], '--shard "a/b" is not <i>/<n>'],
    [["--shard", "1/300"], '--shard "1/300": n must be 1 to 256'],
    [["--list-only", "--shard", "1/2"], "--list-only plans nothing, so it takes no --shard"],
    [["--shard-threshold", "5"], "--shard-threshold only makes sense with --list-only"],
    [["--list-only", "--max-shards", "0"], "--max-shards must be a whole number of at least 1"],
    [["--list-only", "--max-shards", "257"], "--max-shards must be at most 256"],
  ])("refuses %j with a usage error (exit 2) naming the flag", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
