/**
 * npm run plan [-- options]
 *
 *   --changed-only        plan only stacks whose synthesized JSON differs from the base
 *   --base <ref>          git ref for --changed-only and the removal check
 *                         (default: origin/$GITHUB_BASE_REF in a pull request, else origin/main, else main)
 *   --base-synth <dir>    compare with a previous synth directory instead of a git ref
 *   --out <dir>           output directory (default .local/plan)
 *   --concurrency <n>     plans at once (default 4)
 *   --stack <name>        plan only this stack (repeatable)
 *   --shard <i>/<n>       plan only shard i (1-based) of n of the stacks the options above select:
 *                         a deterministic, resource-balanced split (deploy/plan-shard.ts); the
 *                         manifest and summary.json record it, npm run plan:merge merges the shards
 *   --list-only           synthesize and select only (no terraform, no AWS, no retirement check):
 *                         print JSON {base, count, candidates: [{stack, weight}], shards, matrix}
 *   --shard-threshold <n> with --list-only: stacks per shard (default 25)
 *   --max-shards <n>      with --list-only: at most this many shards (default 20)
 *   --no-lock             plan with -lock=false (plans never write state; lets a read-only role plan)
 *   --guard               exit 1 when the plan guard fails (deploy/plan-guard.ts, the same verdict as
 *                         plan:summarize --guard): a plan errored or is incomplete (no opt-in waives
 *                         this), or a data store is destroyed or replaced without opt-in
 *   --allow-data-store-destroy  opt in to data-store loss (same as FINOPS_ALLOW_DATA_STORE_DESTROY=true)
 *
 * Config: FINOPS_CONFIG (default accounts/local.yaml). Exit codes: 0 planned; 1 a plan errored,
 * the guard failed (--guard), or a member was removed without retiring it first; 2 usage error.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { localDir, targetFor } from "../config/target";
import { prepareTarget } from "../deploy/deploy";
import { listPlanCandidates, type PlanRun, planLanding } from "../deploy/plan";
import { ALLOW_DATA_STORE_DESTROY_ENV } from "../deploy/plan-guard";
import { MAX_SHARDS, parseShardSpec, type ShardSpec, ShardSpecError, shardCount } from "../deploy/plan-shard";
import { RetirementError } from "../deploy/retirement";
import { parseCli, positiveInteger, UsageError } from "./cli-args";

interface Args {
  changedOnly: boolean;
  base?: string;
  baseSynth?: string;
  out?: string;
  concurrency: number;
  stacks: string[];
  guard: boolean;
  allow: boolean;
  noLock: boolean;
  shard?: ShardSpec;
  listOnly: boolean;
  shardThreshold: number;
  maxShards: number;
}

export function parseArgs(argv: readonly string[]): Args {
  const { values } = parseCli(
    argv,
    {
      "changed-only": { type: "boolean", default: false },
      base: { type: "string" },
      "base-synth": { type: "string" },
      out: { type: "string" },
      stack: { type: "string", multiple: true, default: [] },
      guard: { type: "boolean", default: false },
      "no-lock": { type: "boolean", default: false },
      "allow-data-store-destroy": { type: "boolean", default: false },
      concurrency: { type: "string" },
      shard: { type: "string" },
      "list-only": { type: "boolean", default: false },
      "shard-threshold": { type: "string" },
      "max-shards": { type: "string" },
    },
    "see the comment at the top of scripts/plan.ts",
  );
  if (values["base-synth"] && !values["changed-only"]) {
    throw new UsageError("--base-synth only makes sense with --changed-only");
  }
  let shard: ShardSpec | undefined;
  if (values.shard !== undefined) {
    try {
      shard = parseShardSpec(values.shard);
    } catch (e) {
      if (e instanceof ShardSpecError) throw new UsageError(e.message);
      throw e;
    }
  }
  const listOnly = values["list-only"];
  if (listOnly && (shard || values.guard)) {
    throw new UsageError(
      `--list-only plans nothing, so it takes no ${shard ? "--shard" : "--guard"}; drop it`,
    );
  }
  for (const o of ["shard-threshold", "max-shards"] as const) {
    if (values[o] !== undefined && !listOnly)
      throw new UsageError(`--${o} only makes sense with --list-only`);
  }
  const maxShards = positiveInteger("--max-shards", values["max-shards"], 20);
  if (maxShards > MAX_SHARDS) {
    throw new UsageError(
      `--max-shards must be at most ${MAX_SHARDS} (GitHub's matrix limit), not ${maxShards}`,
    );
  }
  return {
    shard,
    listOnly,
    shardThreshold: positiveInteger("--shard-threshold", values["shard-threshold"], 25),
    maxShards,
    changedOnly: values["changed-only"],
    base: values.base,
    baseSynth: values["base-synth"],
    out: values.out,
    stacks: values.stack,
    guard: values.guard,
    noLock: values["no-lock"],
    allow: values["allow-data-store-destroy"],
    concurrency: positiveInteger("--concurrency", values.concurrency, 4),
  };
}

function refExists(ref: string): boolean {
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** The base ref: --base, else the pull request's base branch, else origin/main, else main. */
export function defaultBase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.GITHUB_BASE_REF ? `origin/${env.GITHUB_BASE_REF}` : undefined,
    "origin/main",
    "main",
  ];
  return candidates.find((c): c is string => c !== undefined && refExists(c));
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const configFile = configFileFromEnv();
  const config = loadAccountConfig(configFile);
  const env = args.allow ? { ...process.env, [ALLOW_DATA_STORE_DESTROY_ENV]: "true" } : process.env;
  const log = (l: string) => console.error(l);
  const base = args.base ?? (args.changedOnly && !args.baseSynth ? defaultBase(env) : undefined);
  if (args.changedOnly && !args.baseSynth && !base) {
    throw new UsageError("--changed-only needs a base: pass --base <ref> (no origin/main or main here)");
  }
  const outDir = path.resolve(args.out ?? path.join(localDir(env), "plan"));
  const changedOnly = args.changedOnly
    ? args.baseSynth
      ? { baseSynthDir: args.baseSynth }
      : { baseRef: base }
    : undefined;
  if (args.listOnly) {
    const list = listPlanCandidates({
      config,
      configFile,
      target: targetFor(config, env),
      outDir,
      env,
      ...(changedOnly ? { changedOnly } : {}),
      ...(args.stacks.length ? { only: args.stacks } : {}),
      log,
    });
    const shards = shardCount(list.candidates.length, args.shardThreshold, args.maxShards);
    const listing = {
      base: list.base,
      count: list.candidates.length,
      candidates: list.candidates,
      shards,
      matrix: Array.from({ length: shards }, (_, i) => i + 1),
    };
    console.log(JSON.stringify(listing));
    return 0;
  }
  const prepared = await prepareTarget(config, env, log);
  const run = await planLanding({
    config,
    configFile,
    target: prepared.target,
    outDir,
    env: prepared.env,
    concurrency: args.concurrency,
    ...(changedOnly ? { changedOnly } : {}),
    ...(args.shard ? { shard: args.shard } : {}),
    ...(base ? { previousRef: base } : {}),
    localStateDir: prepared.localStateDir,
    ...(args.noLock ? { planArgs: ["-lock=false"] } : {}),
    ...(args.stacks.length ? { only: args.stacks } : {}),
    log,
  });
  console.log(run.markdown);
  const rel = path.relative(process.cwd(), outDir) || outDir;
  console.error(
    `\nwrote ${rel}/summary.md, summary.json, stacks.json and ${run.manifest.stacks.length} saved plan(s) in ${rel}/plans`,
  );
  return reportPlanRun(run, args.guard, (text) => console.error(text));
}

/**
 * Prints the plan errors and the guard's verdict (deploy/plan-guard.ts, the same as
 * plan:summarize --guard) and returns the exit code: 1 when a plan errored, or with `guard` when
 * the guard failed (an errored or incomplete plan, or a data store lost without opt-in); else 0.
 * The guard's message is printed with `guard`, and without it when the guard fails.
 */
export function reportPlanRun(
  run: Pick<PlanRun, "errored" | "guard">,
  guard: boolean,
  print: (text: string) => void,
): number {
  let code = 0;
  if (run.errored.length) {
    print(`\n${run.errored.length} plan(s) errored: ${run.errored.map((e) => e.info.stack).join(", ")}`);
    for (const e of run.errored) print(`\n${e.info.stack}:\n${e.error}`);
    code = 1;
  }
  if (guard || !run.guard.ok) print(`\n${run.guard.message}`);
  if (guard && !run.guard.ok) code = 1;
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      if (e instanceof UsageError) {
        console.error(`plan: ${e.message}`);
        process.exit(2);
      }
      console.error(failureMessage(e, "error", RetirementError));
      process.exit(1);
    },
  );
}
