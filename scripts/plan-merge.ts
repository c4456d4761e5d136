/**
 * npm run plan:merge -- --out <dir> [--expect-shards <n>] [--allow-data-store-destroy] <shard dir>...
 *
 * Merges the outputs of `npm run plan -- --shard <i>/<n>` (each shard's directory holding its
 * summary.json; the CI artifacts hold no plans) into the one summary an unsharded plan would have
 * written (deploy/plan-merge.ts): <out>/summary.md, <out>/summary.json. It first proves the shards
 * are one complete set (same n, base, config and candidates; every index 1..n once; every candidate
 * stack planned by exactly one shard) and refuses otherwise, naming what is missing or duplicated;
 * then <out>/summary.md says the plan is incomplete, so a pull request comment never shows a part
 * as the whole.
 *
 *   --expect-shards <n>         how many shards were started (a shard whose job died leaves no output)
 *   --allow-data-store-destroy  opt in to data-store loss (same as FINOPS_ALLOW_DATA_STORE_DESTROY=true)
 *
 * Prints the Markdown on stdout and the guard's verdict on stderr. Exit codes, as `npm run plan --
 * --guard`: 0 merged and the guard passes; 1 the shards are not one complete set, a plan errored,
 * or the guard fails (deploy/plan-guard.ts); 2 usage error.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  mergeShardSummaries,
  PlanMergeError,
  parseShardSummary,
  renderMergedPlan,
} from "../deploy/plan-merge";
import { parseCli, positiveInteger, UsageError } from "./cli-args";

const USAGE =
  "usage: npm run plan:merge -- --out <dir> [--expect-shards <n>] [--allow-data-store-destroy] <shard dir>...";

interface Args {
  out: string;
  dirs: string[];
  expectShards?: number;
  allow: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = parseCli(
    argv,
    {
      out: { type: "string" },
      "expect-shards": { type: "string" },
      "allow-data-store-destroy": { type: "boolean", default: false },
    },
    "see the comment at the top of scripts/plan-merge.ts",
    true,
  );
  if (values.out === undefined)
    throw new UsageError("--out <dir> is required: where the merged summary goes");
  if (positionals.length === 0) {
    throw new UsageError("no shard directories given: pass the output directory of every shard");
  }
  return {
    out: values.out,
    dirs: positionals,
    ...(values["expect-shards"] !== undefined
      ? { expectShards: positiveInteger("--expect-shards", values["expect-shards"], 1) }
      : {}),
    allow: values["allow-data-store-destroy"],
  };
}

/** Runs the merge; returns the exit code. */
export function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`plan:merge: ${e.message}\n${USAGE}`);
    return 2;
  }
  mkdirSync(args.out, { recursive: true });
  try {
    const shards = args.dirs.map((dir) => {
      const file = path.join(dir, "summary.json");
      if (!existsSync(file)) {
        throw new PlanMergeError(
          `${file} does not exist: that shard wrote no summary (its job failed before planning); re-run the plan`,
        );
      }
      return parseShardSummary(readFileSync(file, "utf8"), file);
    });
    const merged = mergeShardSummaries(shards, { expectShards: args.expectShards });
    const outputs = renderMergedPlan(merged, { allowDataStoreDestroy: args.allow, env });
    writeFileSync(path.join(args.out, "summary.md"), outputs.markdown);
    writeFileSync(path.join(args.out, "summary.json"), outputs.summaryJson);
    out(outputs.markdown);
    err(`\nmerged ${merged.shards} shard(s), ${merged.run.planned.length} stack(s), into ${args.out}`);
    let code = 0;
    if (merged.run.errors.length) {
      err(
        `\n${merged.run.errors.length} plan(s) errored: ${merged.run.errors.map((e) => e.stack).join(", ")}`,
      );
      code = 1;
    }
    err(`\n${outputs.guard.message}`);
    if (!outputs.guard.ok) code = 1;
    return code;
  } catch (e) {
    if (!(e instanceof PlanMergeError)) throw e;
    rmSync(path.join(args.out, "summary.json"), { force: true });
    writeFileSync(
      path.join(args.out, "summary.md"),
      `### Terraform plan: incomplete\n\n❌ The shards of this plan could not be merged: ${e.message}.\n`,
    );
    err(`plan:merge: ${e.message}`);
    return 1;
  }
}

if (require.main === module) {
  try {
    process.exitCode = run(process.argv.slice(2), process.env);
  } catch (e) {
    console.error(`plan:merge: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
