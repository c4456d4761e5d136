import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { stackDir } from "./synth";

/**
 * A stack's identity as Terraform sees it: its synthesized JSON normalized (normalizedStackJson)
 * and hashed (stackJsonHash, recorded in the plan manifest and checked before a saved plan is
 * applied), and the comparison of two synth directories (diffSynthDirs, for --changed-only).
 */

function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === "//") continue;
    out[key] = stripComments((value as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * The synthesized JSON of a stack in a form that only changes when Terraform would see a change:
 * cdktf's `//` metadata (construct paths, version) dropped, keys sorted, and the local backend's
 * path (relative to the synth directory) resolved, so two synth directories compare equal.
 */
export function normalizedStackJson(synthDir: string, stack: string): string {
  const dir = stackDir(synthDir, stack);
  const json = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as {
    terraform?: { backend?: { local?: { path?: string } } };
  };
  const local = json.terraform?.backend?.local;
  if (local?.path) local.path = path.resolve(dir, local.path);
  return JSON.stringify(stripComments(json));
}

export function stackJsonHash(synthDir: string, stack: string): string {
  return createHash("sha256").update(normalizedStackJson(synthDir, stack)).digest("hex");
}

/** The stack names a synth directory holds. */
export function synthStacks(synthDir: string): string[] {
  const dir = path.join(synthDir, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((s) => existsSync(path.join(dir, s, "cdk.tf.json")));
}

export interface StackDiff {
  /** New stacks or stacks whose normalized JSON differs. */
  readonly changed: string[];
  readonly unchanged: string[];
  /** In the base, not in the current synth. */
  readonly removed: string[];
}

export function diffSynthDirs(current: string, base: string): StackDiff {
  const now = synthStacks(current);
  const before = new Set(synthStacks(base));
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const s of now) {
    if (before.has(s) && normalizedStackJson(current, s) === normalizedStackJson(base, s)) unchanged.push(s);
    else changed.push(s);
  }
  return { changed, unchanged, removed: [...before].filter((s) => !now.includes(s)) };
}
