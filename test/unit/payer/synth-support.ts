import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse, stringify } from "yaml";
import { parseAccountConfig } from "../../../config/load";
import { Names } from "../../../config/naming";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { readStackJson, synthLanding } from "../../../deploy/synth";
import type { PolicyStatement } from "../../../modules/iam-policy";
import { PayerStack } from "../../../stacks/payer-stack";

/** Synthesized Terraform JSON: untyped by nature; the tests assert its shape. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON has no static type
export type Json = any;

export const LOCAL_YAML = readFileSync("accounts/local.yaml", "utf8");

/** accounts/local.yaml with the `cur` section (and anything else) changed: a real config parse. */
export function localConfig(patch: (doc: Record<string, Json>) => void = () => {}): AccountConfig {
  const doc = parse(LOCAL_YAML) as Record<string, Json>;
  patch(doc);
  return parseAccountConfig(stringify(doc), "test.yaml");
}

export type Resources = Record<string, Record<string, Record<string, Json>>>;

export interface Synthesized {
  readonly payer: Resources;
  readonly admin: Resources;
  readonly payerJson: string;
  readonly payerStack: Record<string, Json>;
}

export function synth(config: AccountConfig): Synthesized {
  const out = mkdtempSync(join(tmpdir(), "payer-unit-"));
  try {
    synthLanding(config, out);
    const payerStack = readStackJson(out, "payer") as Record<string, Json>;
    const adminStack = readStackJson(out, "admin") as Record<string, Json>;
    return {
      payer: (payerStack.resource ?? {}) as Resources,
      admin: (adminStack.resource ?? {}) as Resources,
      payerJson: readFileSync(join(out, "stacks", "payer", "cdk.tf.json"), "utf8"),
      payerStack,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
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
