/**
 * npm run -s synth:compare -- <ref> [--to <ref>] [--config <file>]... [--keep-asset-hashes] [--json]
 *
 * Synthesizes the landing at a git ref (in a temporary worktree, deploy/synth-at-ref.ts, as
 * `npm run plan -- --changed-only` does) and at the working tree (or a second ref with --to), for
 * each config file (default accounts/example.yaml and accounts/local.yaml, each read from its own
 * tree; a file outside the repository is the same for both), and compares the stacks as Terraform
 * sees them (deploy/synth-compare.ts). Use it to review a refactor: "identical" means the plan of
 * every stack is unchanged. Exit 0 identical, 1 different, 2 usage or synth error.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { failureMessage, loadAccountConfig } from "../config/load";
import { synthLanding } from "../deploy/synth";
import { synthAtRef } from "../deploy/synth-at-ref";
import {
  type CompareResult,
  compareSynthOutputs,
  isIdentical,
  renderComparison,
} from "../deploy/synth-compare";
import { reportBundlesTo } from "../modules/bundled-function";
import { parseCli, UsageError } from "./cli-args";

const USAGE =
  "usage: npm run -s synth:compare -- <ref> [--to <ref>] [--config <file>]... [--keep-asset-hashes] [--json]";

/** One side of the comparison into `outdir`: a git ref's own code, or (ref undefined) this checkout. */
function synth(ref: string | undefined, config: string, outdir: string): void {
  mkdirSync(path.dirname(outdir), { recursive: true });
  if (ref === undefined) {
    synthLanding(loadAccountConfig(config), outdir);
    return;
  }
  // Same local directory for both sides (this checkout's), so the local backend's relative state
  // path is the same when the output directories sit at the same depth.
  const r = synthAtRef(ref, config, outdir, process.env, true);
  if (!r.ok) throw new UsageError(r.reason);
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
  // The bundles' size lines are not this report's.
  reportBundlesTo(() => {});
  const scratch = mkdtempSync(path.join(tmpdir(), "synth-compare-"));
  try {
    const results: { config: string; result: CompareResult }[] = [];
    for (const config of configs) {
      const a = path.join(scratch, "before", String(results.length));
      const b = path.join(scratch, "after", String(results.length));
      // The newer side first: a config this checkout refuses gets its located errors, not a ref's trace.
      synth(values.to, config, b);
      synth(positionals[0], config, a);
      results.push({ config, result: compareSynthOutputs(a, b, values["keep-asset-hashes"] === true) });
    }
    const to = values.to ?? "working tree";
    if (values.json) console.log(JSON.stringify({ from: positionals[0], to, results }, null, 2));
    else
      for (const { config, result } of results)
        console.log(renderComparison(`${config} (${positionals[0]} → ${to})`, result));
    return results.every((r) => isIdentical(r.result)) ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  // A usage error, a ref that cannot be synthesized, or this checkout's config refused: one line.
  console.error(e instanceof UsageError ? e.message : failureMessage(e, "synth:compare"));
  process.exitCode = 2;
}
