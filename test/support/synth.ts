import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { parse, stringify } from "yaml";
import { loadAccountConfig, parseAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { targetFor } from "../../config/target";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { readStackJson, synthLanding } from "../../deploy/synth";
import { PayerStack } from "../../stacks/payer-stack";

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

// Payer and admin stacks (the payer and CUR tests).

/** Synthesized Terraform JSON: untyped by nature; the tests assert its shape. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON has no static type
export type Json = any;

/** accounts/local.yaml with the `cur` section (and anything else) changed on the parsed document: a real config parse. */
export function localConfig(patch: (doc: Record<string, Json>) => void = () => {}): AccountConfig {
  const doc = parse(readFileSync("accounts/local.yaml", "utf8")) as Record<string, Json>;
  patch(doc);
  return parseAccountConfig(stringify(doc), "test.yaml");
}

export type Resources = Record<string, Record<string, Record<string, Json>>>;

export interface PayerAdminSynthesized {
  readonly payer: Resources;
  readonly admin: Resources;
  readonly payerJson: string;
  readonly payerStack: Record<string, Json>;
}

/** The whole landing synthesized (synthConfig), keeping the payer and admin stacks; the output is removed. */
export function synthPayerAdmin(config: AccountConfig): PayerAdminSynthesized {
  const out = synthConfig(config);
  try {
    const payerStack = out.stacks.payer as Record<string, Json>;
    return {
      payer: (payerStack.resource ?? {}) as Resources,
      admin: (out.stacks.admin?.resource ?? {}) as Resources,
      payerJson: out.text.payer!,
      payerStack,
    };
  } finally {
    rmSync(out.outdir, { recursive: true, force: true });
  }
}

/** Only the payer stack (no admin stack, so no function bundling): for payer-only assertions. */
export function synthPayer(config: AccountConfig): Resources {
  const app = Testing.app();
  const stack = new PayerStack(app, Names.payerStack, {
    config,
    target: targetFor(config),
    outdir: app.outdir,
    account: {
      ...config.payer,
      environment: "prod",
      regions: config.payer.regions ?? [config.cur.homeRegion],
    },
  });
  app.synth();
  try {
    return (readStackJson(app.outdir, stack.node.id).resource ?? {}) as Resources;
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** The one resource of a type whose construct path ends with `pathSuffix`. */
export function resource(resources: Resources, type: string, pathSuffix: string): Record<string, Json> {
  const hits = Object.values(resources[type] ?? {}).filter((r) =>
    String(r["//"]?.metadata?.path ?? "").endsWith(pathSuffix),
  );
  if (hits.length !== 1) throw new Error(`expected one ${type} at …${pathSuffix}, found ${hits.length}`);
  return hits[0]!;
}

export function statements(json: string): PolicyStatement[] {
  return (JSON.parse(json) as { Statement: PolicyStatement[] }).Statement;
}

export function bySid(json: string): Record<string, PolicyStatement> {
  return Object.fromEntries(statements(json).map((s) => [s.Sid ?? "", s]));
}

/** Every IAM permission policy (not trust policies, not bucket policies) of a stack's resources. */
export function iamPermissionPolicies(resources: Resources): { address: string; policy: string }[] {
  const out: { address: string; policy: string }[] = [];
  for (const type of [
    "aws_iam_role_policy",
    "aws_iam_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
  ]) {
    for (const [name, r] of Object.entries(resources[type] ?? {}))
      out.push({ address: `${type}.${name}`, policy: r.policy });
  }
  for (const [name, r] of Object.entries(resources.aws_iam_role ?? {})) {
    for (const inline of (r.inline_policy ?? []) as { policy?: string }[]) {
      if (inline.policy) out.push({ address: `aws_iam_role.${name}.inline_policy`, policy: inline.policy });
    }
  }
  return out;
}
