import { createHash } from "node:crypto";
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
/** 2: every saved plan's sha256 (planSha256), checked before it is applied. */
export const PLAN_MANIFEST_VERSION = 2;

export interface PlannedStack {
  readonly info: LandingStackInfo;
  /** sha256 of the stack's normalized synthesized JSON (see stackJsonHash). */
  readonly hash: string;
  readonly status: "changes" | "no-changes" | "errored";
  /** Relative to the output directory; absent when the plan errored. */
  readonly planFile?: string;
  readonly planJson?: string;
  /** sha256 of the saved plan file (hex): the apply refuses a plan file that differs. */
  readonly planSha256?: string;
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
  /**
   * Planned as shard `index` of `count` (npm run plan -- --shard) of `candidates` stacks in all;
   * absent when unsharded, and in the manifest plan:store get merges from every shard's.
   */
  readonly shard?: { readonly index: number; readonly count: number; readonly candidates: number };
}

/** Reads and checks a plan manifest (stacks.json) written by planLanding. */
export function readPlanManifest(plansDir: string): PlanManifest {
  const file = path.join(plansDir, "stacks.json");
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist; --plans needs the output directory of npm run plan`);
  }
  return parsePlanManifest(readFileSync(file, "utf8"), file);
}

/** Parses and checks a plan manifest's text; `file` names it in errors. */
export function parsePlanManifest(text: string, file: string): PlanManifest {
  const m = JSON.parse(text) as PlanManifest;
  if (m.kind !== PLAN_MANIFEST_KIND || m.schemaVersion !== PLAN_MANIFEST_VERSION) {
    throw new Error(
      `${file} is not a plan manifest of this version (kind ${JSON.stringify(m.kind)}, schemaVersion ${JSON.stringify(m.schemaVersion)}); re-run npm run plan`,
    );
  }
  return m;
}

/** sha256 (hex) of a file's bytes. */
export function fileSha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** sha256 (hex) of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The planned stacks whose saved plan file is missing or differs from the sha256 the manifest
 * recorded when it was planned, each with why. Errored stacks have no plan and are skipped.
 */
export function tamperedPlans(
  manifest: PlanManifest,
  plansDir: string,
): { readonly stack: string; readonly problem: string }[] {
  const out: { stack: string; problem: string }[] = [];
  for (const p of manifest.stacks) {
    if (p.status === "errored" || !p.planFile) continue;
    const file = path.resolve(plansDir, p.planFile);
    if (!p.planSha256)
      out.push({ stack: p.info.stack, problem: "the manifest records no sha256 of its plan" });
    else if (!existsSync(file))
      out.push({ stack: p.info.stack, problem: `its plan ${p.planFile} is missing` });
    else {
      const actual = fileSha256(file);
      if (actual !== p.planSha256)
        out.push({
          stack: p.info.stack,
          problem: `its plan ${p.planFile} has sha256 ${actual}, not the reviewed ${p.planSha256}`,
        });
    }
  }
  return out;
}
