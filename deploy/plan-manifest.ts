import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { LandingStackInfo } from "../stacks/landing";

/**
 * The plan manifest (stacks.json) that `npm run plan` writes next to its saved plans: every planned
 * stack, the hash of its synthesized JSON and its plan file. `npm run deploy -- --plans <dir>` reads
 * it (readPlanManifest) to apply exactly those plans, and only to stacks that still synthesize the
 * same.
 */

export const PLAN_MANIFEST_KIND = "finops-landing/plan-manifest";
export const PLAN_MANIFEST_VERSION = 1;

export interface PlannedStack {
  readonly info: LandingStackInfo;
  /** sha256 of the stack's normalized synthesized JSON (see stackJsonHash). */
  readonly hash: string;
  readonly status: "changes" | "no-changes" | "errored";
  /** Relative to the output directory; absent when the plan errored. */
  readonly planFile?: string;
  readonly planJson?: string;
  readonly error?: string;
  readonly seconds: number;
}

export interface PlanManifest {
  readonly kind: typeof PLAN_MANIFEST_KIND;
  readonly schemaVersion: typeof PLAN_MANIFEST_VERSION;
  readonly configFile: string;
  /** What --changed-only compared against; absent when every stack was planned. */
  readonly base?: string;
  readonly stacks: readonly PlannedStack[];
  /** Stacks left out because their synthesized JSON equals the base's. */
  readonly unchanged: readonly string[];
}

/** Reads and checks a plan manifest (stacks.json) written by planLanding. */
export function readPlanManifest(plansDir: string): PlanManifest {
  const file = path.join(plansDir, "stacks.json");
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist; --plans needs the output directory of npm run plan`);
  }
  const m = JSON.parse(readFileSync(file, "utf8")) as PlanManifest;
  if (m.kind !== PLAN_MANIFEST_KIND || m.schemaVersion !== PLAN_MANIFEST_VERSION) {
    throw new Error(
      `${file} is not a plan manifest of this version (kind ${JSON.stringify(m.kind)}, schemaVersion ${JSON.stringify(m.schemaVersion)}); re-run npm run plan`,
    );
  }
  return m;
}
