import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import type { AccountConfig } from "../config/schema";
import { type Target, targetFor } from "../config/target";
import { type BuildOptions, buildLanding, describeLanding, type LandingStackInfo } from "../stacks/landing";
import { disableTokenStackTraces } from "./token-traces";

/** Written into an output directory whose last synth failed; says why and what to do. */
export const SYNTH_FAILED_FILE = "SYNTH-FAILED.txt";

/**
 * Makes an output directory unusable until the next synth succeeds: removes manifest.json and
 * every stack's cdk.tf.json (keeping each stack's .terraform provider cache), so that no tool
 * plans or applies a previous run's output as if it were current. With `reason`, leaves
 * SYNTH-FAILED.txt saying why.
 */
export function invalidateSynthOutput(outdir: string, reason?: string): void {
  if (!existsSync(outdir)) return;
  rmSync(path.join(outdir, "manifest.json"), { force: true });
  rmSync(path.join(outdir, SYNTH_FAILED_FILE), { force: true });
  const stacks = path.join(outdir, "stacks");
  if (existsSync(stacks)) {
    for (const stack of readdirSync(stacks)) {
      rmSync(path.join(stacks, stack, "cdk.tf.json"), { force: true });
    }
  }
  if (reason !== undefined) {
    writeFileSync(
      path.join(outdir, SYNTH_FAILED_FILE),
      `The last synth into this directory failed, so it holds no stacks to plan or apply:\n${reason}\nFix the cause and synthesize again.\n`,
    );
  }
}

/**
 * Synthesizes every stack of the organization into `outdir` (what `cdktf synth` does, in-process),
 * the bootstrap stack included when the config has one. Returns the landing's stacks
 * (describeLanding): the ones plan and deploy roll out, never the bootstrap stack.
 *
 * With `options.stacks`, only those stacks are built and written (the selective synth,
 * deploy/selective-synth.ts), each to the same cdk.tf.json bytes as in a full synth; manifest.json
 * lists just them, and every other stack folder is left without a cdk.tf.json (as after
 * invalidateSynthOutput), so no tool mistakes an earlier synth's stack for this one's. Returns the
 * landing's stacks among them.
 */
export function synthLanding(
  config: AccountConfig,
  outdir: string,
  target: Target = targetFor(config),
  options: BuildOptions = {},
): LandingStackInfo[] {
  // cdktf creates only the last level of outdir; a fresh .local has no deploy/ or plan/ folder yet.
  mkdirSync(outdir, { recursive: true });
  // A failed synth leaves no earlier output behind that a plan could mistake for this one.
  invalidateSynthOutput(outdir);
  // Memory and time at thousands of members (deploy/token-traces.ts); the output is the same.
  disableTokenStackTraces();
  try {
    const app = new App({ outdir, skipValidation: false });
    buildLanding(app, config, target, options);
    app.synth();
  } catch (e) {
    invalidateSynthOutput(outdir, (e as Error).message);
    throw e;
  }
  const landing = describeLanding(config);
  if (!options.stacks) return landing;
  const built = new Set(options.stacks);
  return landing.filter((s) => built.has(s.stack));
}

export function stackDir(outdir: string, stack: string): string {
  return path.join(outdir, "stacks", stack);
}

/** The synthesized Terraform JSON of one stack. */
export function readStackJson(
  outdir: string,
  stack: string,
): { resource?: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(path.join(stackDir(outdir, stack), "cdk.tf.json"), "utf8"));
}
