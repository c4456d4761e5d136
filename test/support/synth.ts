import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig, parseAccountConfig } from "../../config/load";
import type { AccountConfig } from "../../config/schema";
import { synthLanding } from "../../deploy/synth";

/** A synthesized stack's Terraform JSON, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is untyped by nature
export type StackJson = Record<string, any>;

export interface Synthesized {
  readonly outdir: string;
  readonly stacks: Record<string, StackJson>;
  /** Raw text of each stack's cdk.tf.json, for byte comparisons. */
  readonly text: Record<string, string>;
}

export function synthConfig(config: AccountConfig, env: NodeJS.ProcessEnv = process.env): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-synth-"));
  const saved = { ...process.env };
  // Local state beside the synthesized output, so no path outside it is named.
  Object.assign(process.env, { FINOPS_LOCAL_DIR: path.join(outdir, ".local") }, env);
  try {
    synthLanding(config, outdir);
  } finally {
    process.env = saved;
  }
  const stacks: Record<string, StackJson> = {};
  const text: Record<string, string> = {};
  for (const name of readdirSync(path.join(outdir, "stacks"))) {
    text[name] = readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8");
    stacks[name] = JSON.parse(text[name]);
  }
  return { outdir, stacks, text };
}

export function synthFile(file: string): Synthesized {
  return synthConfig(loadAccountConfig(file));
}

/** accounts/local.yaml with a YAML edit applied (string replace), validated like any config. */
export function localConfigWith(edit: (yaml: string) => string): AccountConfig {
  return parseAccountConfig(
    edit(readFileSync("accounts/local.yaml", "utf8")),
    "accounts/local.yaml (edited)",
  );
}

/** Every resource of a stack as [type, name, body]. */
export function resourcesOf(stack: StackJson): Array<[string, string, StackJson]> {
  const out: Array<[string, string, StackJson]> = [];
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName as Record<string, StackJson>))
      out.push([type, name, body]);
  }
  return out;
}

/** AWS providers of a stack as an array (cdktf writes a list when there are aliases). */
export function awsProviders(stack: StackJson): StackJson[] {
  const p = stack.provider?.aws;
  return Array.isArray(p) ? p : p ? [p] : [];
}
