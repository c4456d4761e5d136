import type { DataStoreLoss, PlanSummary } from "./plan-summary";

/**
 * The plan guard: a plan that destroys or replaces a data store (deploy/data-stores.ts) fails the
 * check unless the change opts in explicitly, by option or by FINOPS_ALLOW_DATA_STORE_DESTROY=true
 * (which the pull request workflow sets from a label).
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
  /** Every data store the plans destroy or replace (also when allowed). */
  readonly offenders: readonly DataStoreLoss[];
  /** How the loss was allowed, when it was. */
  readonly allowedBy: "option" | "env" | null;
  /** One line when clean; otherwise each offending address and how to opt in (or that it was). */
  readonly message: string;
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

export function checkPlanGuard(summary: PlanSummary, options: PlanGuardOptions = {}): PlanGuardResult {
  const offenders = summary.dataStoreLosses;
  if (offenders.length === 0) {
    return {
      ok: true,
      offenders,
      allowedBy: null,
      message: "Plan guard: no data store is destroyed or replaced.",
    };
  }
  const env = envOptIn(options.env ?? process.env);
  const allowedBy = options.allowDataStoreDestroy ? "option" : env.optIn ? "env" : null;
  const list = offenders.map(offenderLine);
  const count = `${offenders.length} data store${offenders.length === 1 ? "" : "s"}`;
  if (allowedBy) {
    const how =
      allowedBy === "option" ? "--allow-data-store-destroy" : `${ALLOW_DATA_STORE_DESTROY_ENV}=true`;
    return {
      ok: true,
      offenders,
      allowedBy,
      message: [`Plan guard: ${count} will be destroyed or replaced, allowed by ${how}:`, ...list].join("\n"),
    };
  }
  return {
    ok: false,
    offenders,
    allowedBy: null,
    message: [
      `Plan guard failed: ${count} would be destroyed or replaced, and the data in them lost:`,
      ...list,
      "If this is intended, opt in explicitly:",
      "  - on a pull request: add the label that makes the workflow set " +
        `${ALLOW_DATA_STORE_DESTROY_ENV}=true (docs/plan-and-rollout.md);`,
      "  - on the command line: pass --allow-data-store-destroy (npm run plan, npm run -s plan:summarize) or set" +
        ` ${ALLOW_DATA_STORE_DESTROY_ENV}=true, e.g. ${ALLOW_DATA_STORE_DESTROY_ENV}=true npm run -s plan:summarize -- --guard <plan.json>...`,
      ...(env.ignored !== undefined
        ? [`Note: ${ALLOW_DATA_STORE_DESTROY_ENV} is ${JSON.stringify(env.ignored)}; only "true" opts in.`]
        : []),
    ].join("\n"),
  };
}
