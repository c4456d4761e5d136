import type { App } from "cdktf";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import { BOOTSTRAP_STACK } from "../contracts/gitops";
import { AccountStack } from "./account-stack";
import { AdminStack } from "./admin-stack";
import { BootstrapStack } from "./bootstrap-stack";
import { MemberStack } from "./member-stack";
import { addStackOutputs } from "./outputs";
import { PayerStack } from "./payer-stack";

/** What a stack is, for the tools that plan, deploy and report (no construct needed). */
export interface LandingStackInfo {
  readonly stack: string;
  readonly kind: "payer" | "admin" | "member";
  readonly accountId: string;
  readonly accountName: string;
  readonly regions: readonly string[];
  /** Stacks that must be applied first (real ordering needs only). */
  readonly dependsOn: readonly string[];
  /**
   * A retired member: its stack is synthesized empty (same providers and backend, no resources),
   * so its plan destroys everything in its state (docs/gitops.md, "Retiring an account").
   */
  readonly retired?: boolean;
}

/**
 * The stack of a retired member: the account's providers and backend and nothing else, so that
 * `terraform plan` destroys every resource its state still holds and the PR summary shows them.
 */
export class RetiredMemberStack extends AccountStack {}

/** The stacks of an organization, in deployment order: admin, payer, then the members. */
export function describeLanding(config: AccountConfig): LandingStackInfo[] {
  const payerRegions = config.payer.regions ?? [config.cur.homeRegion];
  return [
    {
      stack: Names.adminStack,
      kind: "admin",
      accountId: config.admin.id,
      accountName: config.admin.name,
      regions: config.admin.regions,
      dependsOn: [],
    },
    {
      stack: Names.payerStack,
      kind: "payer",
      accountId: config.payer.id,
      accountName: config.payer.name,
      regions: payerRegions,
      // The payer replicates into the admin's replica bucket, which must exist first.
      dependsOn: [Names.adminStack],
    },
    ...config.members.map((m) => ({
      stack: Names.memberStack(m),
      kind: "member" as const,
      accountId: m.id,
      accountName: m.name,
      regions: m.regions,
      dependsOn: [],
      ...(m.retired ? { retired: true } : {}),
    })),
  ];
}

/** The bootstrap stack, for the bootstrap command (not a LandingStackInfo: nothing rolls it out). */
export interface BootstrapStackInfo {
  readonly stack: string;
  readonly kind: "bootstrap";
  readonly accountId: string;
  readonly accountName: string;
}

/**
 * The bootstrap stack, when the config has a gitops section: synthesized with the landing, but not
 * one of describeLanding's stacks, so `npm run plan` and `npm run deploy` never plan or apply it.
 * It holds the roles the pipeline runs as; a person with admin applies it with `npm run bootstrap`
 * (docs/bootstrap.md, "Why the pipeline does not apply it").
 */
export function describeBootstrap(config: AccountConfig): BootstrapStackInfo | undefined {
  if (!config.gitops) return undefined;
  return {
    stack: BOOTSTRAP_STACK,
    kind: "bootstrap",
    accountId: config.payer.id,
    accountName: config.payer.name,
  };
}

export interface BuildOptions {
  /**
   * The bootstrap stack's first apply: its state in this local file (absolute) instead of the state
   * bucket it creates. Only `npm run bootstrap` sets it (deploy/bootstrap.ts).
   */
  readonly bootstrapLocalStateFile?: string;
  /**
   * Build only these stacks (by name: describeLanding's and the bootstrap stack), the others not
   * instantiated at all: the selective synth (deploy/selective-synth.ts). Each one's constructs
   * are the same as in a full build, so its cdk.tf.json is the same bytes; a dependency on a stack
   * left out is not recorded (manifest.json lists only what was built). @default every stack
   */
  readonly stacks?: readonly string[];
}

/**
 * Adds every stack of the organization to the app, one per describeLanding entry (the same list,
 * order and dependencies the plan and deploy tools read), and the bootstrap stack when the config
 * has a gitops section (describeBootstrap). Stacks only compose modules. With `options.stacks`,
 * only those.
 */
export function buildLanding(
  app: App,
  config: AccountConfig,
  target: Target,
  options: BuildOptions = {},
): Map<string, AccountStack> {
  const stacks = new Map<string, AccountStack>();
  const base = { config, target, outdir: app.outdir };
  const platform = { environment: "prod" } as const;
  const members = new Map(config.members.map((m) => [Names.memberStack(m), m]));
  const landing = describeLanding(config);
  const bootstrap = describeBootstrap(config);
  const wanted = options.stacks ? new Set(options.stacks) : undefined;
  if (wanted) {
    const known = [...landing.map((s) => s.stack), ...(bootstrap ? [bootstrap.stack] : [])];
    const unknown = [...wanted].filter((s) => !known.includes(s));
    if (unknown.length > 0)
      throw new Error(
        `no stack named ${unknown.join(", ")} to build; this config's stacks are admin, payer, member-<name> of each member${bootstrap ? ` and ${bootstrap.stack}` : ""}`,
      );
  }
  for (const info of landing) {
    if (wanted && !wanted.has(info.stack)) continue;
    let stack: AccountStack;
    if (info.kind === "admin") {
      stack = new AdminStack(app, info.stack, {
        ...base,
        account: { ...config.admin, ...platform, regions: info.regions },
      });
    } else if (info.kind === "payer") {
      stack = new PayerStack(app, info.stack, {
        ...base,
        account: { ...config.payer, ...platform, regions: info.regions },
      });
    } else {
      const member = members.get(info.stack);
      if (!member) throw new Error(`describeLanding named ${info.stack}, which is no member of the config`);
      const Stack = info.retired ? RetiredMemberStack : MemberStack;
      stack = new Stack(app, info.stack, { ...base, account: member });
    }
    for (const dependency of info.dependsOn) {
      if (wanted && !wanted.has(dependency)) continue; // left out of this build
      const first = stacks.get(dependency);
      if (!first)
        throw new Error(`${info.stack} depends on ${dependency}, which describeLanding lists after it`);
      stack.addDependency(first);
    }
    // What the team needs after a deploy (cdktf output <stack>): stacks/outputs.ts.
    addStackOutputs(stack);
    stacks.set(info.stack, stack);
  }
  if (bootstrap && (!wanted || wanted.has(bootstrap.stack))) {
    stacks.set(
      bootstrap.stack,
      new BootstrapStack(app, bootstrap.stack, {
        config,
        target,
        outdir: app.outdir,
        localStateFile: options.bootstrapLocalStateFile,
      }),
    );
  }
  return stacks;
}
