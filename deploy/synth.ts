import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import type { AccountConfig } from "../config/schema";
import { type Target, targetFor } from "../modules/target";
import { buildLanding, describeLanding, type LandingStackInfo } from "../stacks/landing";

/** Synthesizes every stack of the organization into `outdir` (what `cdktf synth` does, in-process). */
export function synthLanding(
  config: AccountConfig,
  outdir: string,
  target: Target = targetFor(config),
): LandingStackInfo[] {
  // cdktf creates only the last level of outdir; a fresh .local has no deploy/ or plan/ folder yet.
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, skipValidation: false });
  buildLanding(app, config, target);
  app.synth();
  return describeLanding(config);
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
