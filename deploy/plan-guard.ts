import type { DataStoreLoss, PlanSummary } from "./plan-summary";

/**
 * The plan guard, the one verdict `npm run plan -- --guard` and `npm run -s plan:summarize --
 * --guard` give on a set of plans. The set passes only when
 * 1. every stack's plan is complete and error-free (not `errored: true`, not `complete: false`, no
 *    `deferred_changes`): a plan that does not show every change can hide a destroy, and no opt-in
 *    waives this; and
 * 2. no data store (contracts/data-stores.ts) is destroyed or replaced, unless the change opts in
 *    explicitly, by option or by FINOPS_ALLOW_DATA_STORE_DESTROY=true (which the pull request
 *    workflow sets from a label). A forget (the object stays in AWS) is not a loss.
 */

export const ALLOW_DATA_STORE_DESTROY_ENV = "FINOPS_ALLOW_DATA_STORE_DESTROY";

export interface PlanGuardOptions {
  /** Allow data-store destroys and replacements (the CLI's --allow-data-store-destroy). @default false */
  readonly allowDataStoreDestroy?: boolean;
  /** Environment to read FINOPS_ALLOW_DATA_STORE_DESTROY from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface PlanGuardResult {
  /** False when the check must fail. */
  readonly ok: boolean;
  /** One line per stack whose plan errored or is incomplete (planProblems); any fails the guard. */
  readonly problems: readonly string[];
  /** Every data store the plans destroy or replace (also when allowed). */
  readonly offenders: readonly DataStoreLoss[];
  /** How the data-store loss was allowed, when it was (never waives `problems`). */
  readonly allowedBy: "option" | "env" | null;
  /**
   * One line when clean; otherwise each stack whose plan does not show every change and what to
   * do, then each data store lost and how to opt in (or that it was).
   */
  readonly message: string;
}

/**
 * Why the summary cannot be trusted as the whole change: one line per stack whose plan errored or
 * is incomplete, naming the stack, its plan file and the fix. The guard fails on any (a plan that
 * does not show every change can hide a destroy).
 */
export function planProblems(summary: PlanSummary): string[] {
  return summary.stacks.flatMap((s) => {
    const where = `${s.stack}${s.source ? ` (${s.source})` : ""}`;
    const lines: string[] = [];
    if (s.errored) lines.push(`${where}: the plan errored (errored: true); fix the error and plan again`);
    if (s.incomplete) {
      const deferred = s.deferredChanges.length ? `: deferred ${s.deferredChanges.join(", ")}` : "";
      lines.push(
        `${where}: the plan is incomplete (complete: false or deferred_changes), it does not show every change${deferred}; resolve what Terraform deferred (e.g. apply what the stack waits for) and plan again`,
      );
    }
    return lines;
  });
}

/** The env var opts in only with the exact value "true" (any case, surrounding blanks ignored). */
function envOptIn(env: PlanGuardOptions["env"]): { optIn: boolean; ignored?: string } {
  const raw = env?.[ALLOW_DATA_STORE_DESTROY_ENV];
  if (raw === undefined || raw.trim() === "") return { optIn: false };
  if (raw.trim().toLowerCase() === "true") return { optIn: true };
  return { optIn: false, ignored: raw };
}

function offenderLine(l: DataStoreLoss): string {
  const acct = l.accountId === null ? "account unknown" : `${l.accountName ?? "?"} ${l.accountId}`;
  return `  - ${l.stack} (${acct}): ${l.address} would be ${l.action === "delete" ? "destroyed" : "replaced"}`;
}

function problemLines(problems: readonly string[]): string[] {
  if (problems.length === 0) return [];
  return [
    `Plan guard failed: ${problems.length === 1 ? "a plan does" : `${problems.length} plans do`} not show every change, so a destroy could hide in what is missing:`,
    ...problems.map((p) => `  - ${p}`),
    "No opt-in covers this (--allow-data-store-destroy and " +
      `${ALLOW_DATA_STORE_DESTROY_ENV}=true only allow data-store loss): fix the plan and run it again.`,
  ];
}

function lossLines(
  offenders: readonly DataStoreLoss[],
  allowedBy: PlanGuardResult["allowedBy"],
  ignored: string | undefined,
): string[] {
  if (offenders.length === 0) return [];
  const list = offenders.map(offenderLine);
  const count = `${offenders.length} data store${offenders.length === 1 ? "" : "s"}`;
  if (allowedBy) {
    const how =
      allowedBy === "option" ? "--allow-data-store-destroy" : `${ALLOW_DATA_STORE_DESTROY_ENV}=true`;
    return [`Plan guard: ${count} will be destroyed or replaced, allowed by ${how}:`, ...list];
  }
  return [
    `Plan guard failed: ${count} would be destroyed or replaced, and the data in them lost:`,
    ...list,
    "If this is intended, opt in explicitly:",
    "  - on a pull request: add the label that makes the workflow set " +
      `${ALLOW_DATA_STORE_DESTROY_ENV}=true (docs/plan-and-rollout.md);`,
    "  - on the command line: pass --allow-data-store-destroy (npm run plan, npm run -s plan:summarize) or set" +
      ` ${ALLOW_DATA_STORE_DESTROY_ENV}=true, e.g. ${ALLOW_DATA_STORE_DESTROY_ENV}=true npm run -s plan:summarize -- --guard <plan.json>...`,
    ...(ignored !== undefined
      ? [`Note: ${ALLOW_DATA_STORE_DESTROY_ENV} is ${JSON.stringify(ignored)}; only "true" opts in.`]
      : []),
  ];
}

/** The guard's verdict on a plan set (see the file comment). */
export function checkPlanGuard(summary: PlanSummary, options: PlanGuardOptions = {}): PlanGuardResult {
  const problems = planProblems(summary);
  const offenders = summary.dataStoreLosses;
  if (problems.length === 0 && offenders.length === 0) {
    return {
      ok: true,
      problems,
      offenders,
      allowedBy: null,
      message: "Plan guard: every plan is complete, and no data store is destroyed or replaced.",
    };
  }
  const env = envOptIn(options.env ?? process.env);
  const allowedBy =
    offenders.length === 0 ? null : options.allowDataStoreDestroy ? "option" : env.optIn ? "env" : null;
  const lossesOk = offenders.length === 0 || allowedBy !== null;
  return {
    ok: problems.length === 0 && lossesOk,
    problems,
    offenders,
    allowedBy,
    message: [...problemLines(problems), ...lossLines(offenders, allowedBy, env.ignored)].join("\n"),
  };
}
