/**
 * npm run -s synth:compare -- <ref> [--to <ref>] [--config <file>]... [--keep-asset-hashes] [--json]
 *
 * Synthesizes the landing at a git ref (in a temporary worktree) and at the working tree (or a
 * second ref with --to), for each config file (default accounts/example.yaml and
 * accounts/local.yaml, each read from its own tree), and compares the stacks as Terraform sees
 * them (deploy/synth-compare.ts). Use it to review a refactor: "identical" means the plan of
 * every stack is unchanged. Exit 0 identical, 1 different, 2 usage or synth error.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  type CompareResult,
  compareSynthOutputs,
  isIdentical,
  renderComparison,
} from "../deploy/synth-compare";
import { parseCli, UsageError } from "./cli-args";

const USAGE =
  "usage: npm run -s synth:compare -- <ref> [--to <ref>] [--config <file>]... [--keep-asset-hashes] [--json]";

function git(args: string[], cwd = process.cwd()): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new UsageError(`git ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/** A detached worktree of `ref` sharing this checkout's node_modules; removed by the caller. */
function worktree(ref: string, scratch: string): string {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const dir = path.join(scratch, `tree-${commit.slice(0, 12)}`);
  git(["worktree", "add", "--detach", "--quiet", dir, commit]);
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

const localDir = path.resolve(process.env.FINOPS_LOCAL_DIR || ".local");

function synth(tree: string, config: string, outdir: string): void {
  // A relative config is read from each tree's own copy; an absolute one is the same file for both.
  if (!existsSync(path.resolve(tree, config))) throw new UsageError(`${config} does not exist in ${tree}`);
  mkdirSync(path.dirname(outdir), { recursive: true });
  const r = spawnSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "main.ts"], {
    cwd: tree,
    // One local directory for both sides (this checkout's), so the local backend's relative state
    // path is the same when the output directories sit at the same depth.
    env: { ...process.env, FINOPS_LOCAL_DIR: localDir, FINOPS_CONFIG: config, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  if (r.status !== 0)
    throw new UsageError(
      `synth of ${config} in ${tree} failed:\n${(r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n")}`,
    );
}

function main(): number {
  const { values, positionals } = parseCli(
    process.argv.slice(2),
    {
      to: { type: "string" },
      config: { type: "string", multiple: true },
      "keep-asset-hashes": { type: "boolean" },
      json: { type: "boolean" },
    },
    USAGE,
    true,
  );
  if (positionals.length !== 1) throw new UsageError(`give exactly one ref to compare against; ${USAGE}`);
  const configs = values.config?.length ? values.config : ["accounts/example.yaml", "accounts/local.yaml"];
  const scratch = mkdtempSync(path.join(tmpdir(), "synth-compare-"));
  const trees: string[] = [];
  try {
    const before = worktree(positionals[0], scratch);
    trees.push(before);
    const after = values.to ? worktree(values.to, scratch) : process.cwd();
    if (values.to) trees.push(after);
    const results: { config: string; result: CompareResult }[] = [];
    for (const config of configs) {
      const a = path.join(scratch, "before", String(results.length));
      const b = path.join(scratch, "after", String(results.length));
      synth(before, config, a);
      synth(after, config, b);
      results.push({ config, result: compareSynthOutputs(a, b, values["keep-asset-hashes"] === true) });
    }
    const to = values.to ?? "working tree";
    if (values.json) console.log(JSON.stringify({ from: positionals[0], to, results }, null, 2));
    else
      for (const { config, result } of results)
        console.log(renderComparison(`${config} (${positionals[0]} → ${to})`, result));
    return results.every((r) => isIdentical(r.result)) ? 0 : 1;
  } finally {
    for (const t of trees) spawnSync("git", ["worktree", "remove", "--force", t], { encoding: "utf8" });
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof UsageError) {
    console.error(e.message);
    process.exitCode = 2;
  } else throw e;
}
