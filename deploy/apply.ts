import { EMULATOR_GAPS } from "../modules/emulator-gaps";
import type { LandingStackInfo } from "../stacks/landing";
import { readStackJson, stackDir } from "./synth";
import { lastLines, runTerraform, terraformApply, terraformInit, terraformPlan } from "./terraform";

/** What happened to one stack. */
export interface StackOutcome {
  readonly info: LandingStackInfo;
  readonly status: "applied" | "unchanged" | "failed" | "skipped";
  /** "3 added, 0 changed, 0 destroyed" from Terraform, when it applied. */
  readonly applied?: string;
  /** Resources in state after the run. */
  readonly resources?: number;
  /** Second plan after the apply: true when Terraform reports no changes. */
  readonly clean?: boolean;
  /** When the second plan is not clean: what it would change ("aws_x.y will be updated in-place"). */
  readonly pending?: string[];
  /** Resource types of the stack whose attributes the local emulator gap list ignores. */
  readonly emulatorNoise: string[];
  readonly seconds: number;
  readonly error?: string;
}

export interface ApplyOptions {
  readonly outdir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Run a second plan after each apply and report whether it is clean. @default true */
  readonly verify?: boolean;
  readonly onEvent?: (event: {
    stack: string;
    phase: "init" | "apply" | "verify" | "done";
    outcome?: StackOutcome;
  }) => void;
}

/** Resource types in a stack that the local target's gap list touches (shown as emulator noise). */
export function emulatorNoise(outdir: string, stack: string): string[] {
  const types = Object.keys(readStackJson(outdir, stack).resource ?? {});
  return EMULATOR_GAPS.filter((g) => types.includes(g.resourceType)).map(
    (g) => `${g.resourceType} (${g.attributes.join(", ")})`,
  );
}

/** init + apply (+ a verifying second plan) of one synthesized stack. Never throws: failures are outcomes. */
export async function applyStack(info: LandingStackInfo, opts: ApplyOptions): Promise<StackOutcome> {
  const started = Date.now();
  const dir = stackDir(opts.outdir, info.stack);
  const noise = emulatorNoise(opts.outdir, info.stack);
  const done = (o: Omit<StackOutcome, "info" | "seconds" | "emulatorNoise">): StackOutcome => {
    const outcome = {
      info,
      emulatorNoise: noise,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...o,
    };
    opts.onEvent?.({ stack: info.stack, phase: "done", outcome });
    return outcome;
  };
  opts.onEvent?.({ stack: info.stack, phase: "init" });
  const init = await terraformInit(dir, opts.env);
  if (init.code !== 0)
    return done({ status: "failed", error: `terraform init: ${lastLines(init.stderr || init.stdout)}` });

  opts.onEvent?.({ stack: info.stack, phase: "apply" });
  const apply = await terraformApply(dir, opts.env);
  if (apply.code !== 0)
    return done({ status: "failed", error: `terraform apply: ${lastLines(apply.stderr || apply.stdout)}` });
  const summary = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(apply.stdout);
  const changed = summary ? summary.slice(1).some((n) => n !== "0") : !/No changes\./.test(apply.stdout);
  const list = await runTerraform(dir, ["state", "list"], opts.env);
  const resources =
    list.code === 0
      ? list.stdout.split("\n").filter((l) => l.trim() && !l.startsWith("data.")).length
      : undefined;

  let clean: boolean | undefined;
  let pending: string[] | undefined;
  if (!changed) {
    clean = true; // the apply's own plan just found nothing to change
  } else if (opts.verify ?? true) {
    opts.onEvent?.({ stack: info.stack, phase: "verify" });
    const plan = await terraformPlan(dir, opts.env, "verify.tfplan");
    if (plan.code === 1)
      return done({ status: "failed", error: `verifying plan: ${lastLines(plan.stderr || plan.stdout)}` });
    clean = plan.code === 0;
    if (!clean) pending = pendingChanges(plan.stdout);
  }
  return done({
    status: changed ? "applied" : "unchanged",
    applied: summary ? `${summary[1]} added, ${summary[2]} changed, ${summary[3]} destroyed` : undefined,
    resources,
    clean,
    pending,
  });
}

/** Terminal colour codes (ESC [ ... m), built without a control character in a regex literal. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** The resource lines of a plan's human output: `# <address> will be created|updated in-place|...`. */
export function pendingChanges(planStdout: string): string[] {
  const lines = planStdout.replace(ANSI_COLOUR, "").split("\n");
  return lines
    .map((l) => /^\s*# (\S+) ((?:will|must) be .+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

/**
 * A hint for a second plan that would change only functions in place: the AWS provider does not
 * plan a vpc_config added to an existing function in the apply that creates its subnets
 * (hashicorp/terraform-provider-aws#8509), so turning VPC mode on takes two applies.
 */
export function pendingHint(pending: readonly string[] | undefined): string | undefined {
  if (!pending?.length) return undefined;
  if (!pending.every((p) => /(^|\.)aws_lambda_function\.\S+ will be updated in-place$/.test(p)))
    return undefined;
  return "only functions would still change: if vpc.enabled was just turned on, this is the AWS provider's known two-step (hashicorp/terraform-provider-aws#8509); apply once more (docs/security.md, VPC mode)";
}

/** Fixed-size pool: runs `work` over `items` with at most `limit` at once, results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
