/**
 * Compares the synthesized stacks of two landings (e.g. a git ref and the working tree) the
 * way Terraform sees them: resources, data sources, outputs, providers, variables and locals
 * by address. Construct metadata ("//" keys) is not Terraform's and is ignored; asset hashes
 * (bundle directories, source_code_hash) are normalized so that a rebuilt bundle does not read
 * as a change, unless the caller asks to keep them.
 *
 * An address that disappears from one side and appears on the other is a destroy and a create
 * in the plan: a refactor that renames a construct shows here before it reaches a plan.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The Terraform sections compared, by address (`<section>.<type>.<name>` or `<section>.<name>`). */
const TYPED_SECTIONS = ["resource", "data"] as const;
const NAMED_SECTIONS = ["output", "variable", "locals", "module", "terraform"] as const;

export interface StackDiff {
  stack: string;
  /** Addresses only in the new synth (a create in the plan). */
  added: string[];
  /** Addresses only in the old synth (a destroy in the plan). */
  removed: string[];
  /** Addresses on both sides whose configuration differs, with the differing attribute paths. */
  changed: { address: string; paths: string[] }[];
}

export interface CompareResult {
  /** Stacks only in the new synth, only in the old one, and the per-stack differences. */
  addedStacks: string[];
  removedStacks: string[];
  stacks: StackDiff[];
}

const ASSET_DIR = /(assets\/[^/"]+\/)[0-9A-F]{32}(\/)/g;

/** Removes what is not Terraform configuration and what only a bundle rebuild changes. */
export function normalize(value: Json, keepAssetHashes = false): Json {
  if (Array.isArray(value)) return value.map((v) => normalize(v, keepAssetHashes));
  if (value && typeof value === "object") {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "//") continue;
      if (!keepAssetHashes && (k === "source_code_hash" || k === "source_hash") && typeof v === "string") {
        out[k] = "<asset hash>";
        continue;
      }
      out[k] = normalize(v, keepAssetHashes);
    }
    return out;
  }
  if (typeof value === "string" && !keepAssetHashes) return value.replace(ASSET_DIR, "$1<asset hash>$2");
  return value;
}

/** Flattens a stack's Terraform JSON into address → configuration. */
export function addresses(stackJson: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  if (!stackJson || typeof stackJson !== "object" || Array.isArray(stackJson)) return out;
  for (const section of TYPED_SECTIONS) {
    const byType = stackJson[section];
    if (!byType || typeof byType !== "object" || Array.isArray(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!byName || typeof byName !== "object" || Array.isArray(byName)) continue;
      for (const [name, body] of Object.entries(byName)) out.set(`${section}.${type}.${name}`, body);
    }
  }
  for (const section of NAMED_SECTIONS) {
    const named = stackJson[section];
    if (!named || typeof named !== "object" || Array.isArray(named)) continue;
    for (const [name, body] of Object.entries(named)) out.set(`${section}.${name}`, body);
  }
  const provider = stackJson.provider;
  if (provider && typeof provider === "object" && !Array.isArray(provider)) {
    for (const [name, list] of Object.entries(provider)) {
      const entries = Array.isArray(list) ? list : [list];
      for (const p of entries) {
        const alias =
          p && typeof p === "object" && !Array.isArray(p) && typeof p.alias === "string"
            ? p.alias
            : "default";
        out.set(`provider.${name}.${alias}`, p);
      }
    }
  }
  return out;
}

/** Attribute paths (a.b[2].c) where two JSON values differ; at most `limit` of them. */
export function differingPaths(a: Json, b: Json, limit = 8, at = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects =
    a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return [at || "(value)"];
  const out: string[] = [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${at || "(value)"} (length ${a.length} → ${b.length})`];
    for (let i = 0; i < a.length && out.length < limit; i++)
      out.push(...differingPaths(a[i], b[i], limit - out.length, `${at}[${i}]`));
    return out;
  }
  const ao = a as { [k: string]: Json };
  const bo = b as { [k: string]: Json };
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  for (const k of keys) {
    if (out.length >= limit) break;
    out.push(...differingPaths(ao[k] ?? null, bo[k] ?? null, limit - out.length, at ? `${at}.${k}` : k));
  }
  return out;
}

export function compareStack(
  stack: string,
  before: unknown,
  after: unknown,
  keepAssetHashes = false,
): StackDiff {
  const a = addresses(normalize(before as Json, keepAssetHashes));
  const b = addresses(normalize(after as Json, keepAssetHashes));
  const diff: StackDiff = { stack, added: [], removed: [], changed: [] };
  for (const k of [...b.keys()].sort()) if (!a.has(k)) diff.added.push(k);
  for (const k of [...a.keys()].sort()) {
    const bv = b.get(k);
    if (bv === undefined) {
      diff.removed.push(k);
      continue;
    }
    const paths = differingPaths(a.get(k) as Json, bv);
    if (paths.length) diff.changed.push({ address: k, paths });
  }
  return diff;
}

function stacksIn(outdir: string): Map<string, Json> {
  const dir = path.join(outdir, "stacks");
  const out = new Map<string, Json>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, "cdk.tf.json");
    if (existsSync(file)) out.set(name, JSON.parse(readFileSync(file, "utf8")) as Json);
  }
  return out;
}

/** Compares two cdktf output directories (each holding stacks/<name>/cdk.tf.json). */
export function compareSynthOutputs(
  beforeDir: string,
  afterDir: string,
  keepAssetHashes = false,
): CompareResult {
  const before = stacksIn(beforeDir);
  const after = stacksIn(afterDir);
  const result: CompareResult = { addedStacks: [], removedStacks: [], stacks: [] };
  for (const s of after.keys()) if (!before.has(s)) result.addedStacks.push(s);
  for (const s of before.keys()) if (!after.has(s)) result.removedStacks.push(s);
  for (const [s, json] of before) {
    const other = after.get(s);
    if (other !== undefined) result.stacks.push(compareStack(s, json, other, keepAssetHashes));
  }
  return result;
}

export function isIdentical(r: CompareResult): boolean {
  return (
    !r.addedStacks.length &&
    !r.removedStacks.length &&
    r.stacks.every((s) => !s.added.length && !s.removed.length && !s.changed.length)
  );
}

/** Human-readable report: one line per stack, then every differing address. */
export function renderComparison(label: string, r: CompareResult): string {
  const lines: string[] = [];
  if (isIdentical(r)) {
    lines.push(`${label}: identical (${r.stacks.length} stacks)`);
    return lines.join("\n");
  }
  lines.push(`${label}: DIFFERENT`);
  for (const s of r.addedStacks) lines.push(`  + stack ${s} (only in the new synth)`);
  for (const s of r.removedStacks)
    lines.push(`  - stack ${s} (only in the old synth: its resources would be destroyed)`);
  for (const s of r.stacks) {
    if (!s.added.length && !s.removed.length && !s.changed.length) {
      lines.push(`  = ${s.stack}`);
      continue;
    }
    lines.push(
      `  ~ ${s.stack}: ${s.added.length} added, ${s.removed.length} removed, ${s.changed.length} changed`,
    );
    for (const a of s.added) lines.push(`      + ${a}`);
    for (const a of s.removed) lines.push(`      - ${a}`);
    for (const c of s.changed) lines.push(`      ~ ${c.address}: ${c.paths.join(", ")}`);
  }
  return lines.join("\n");
}
