import * as path from "node:path";
import { isDataStore } from "../contracts/data-stores";
import type { LandingStackInfo } from "../stacks/landing";
import { type ChangeAction, classifyActions, PlanFormatError, parsePlan } from "./plan-json";

/**
 * The plan summary model: Terraform plans (`terraform show -json <planfile>`, read by
 * deploy/plan-json.ts) summarized per stack, and its versioned JSON for machines (PlanSummaryJson).
 * The Markdown for a pull request comment is deploy/plan-markdown.ts, the guard deploy/plan-guard.ts.
 * Pure: no file system, no terraform; the CLI (scripts/plan-summarize.ts) reads the files.
 */

// Input ----------------------------------------------------------------------------------------

/** What the summary needs to know about a stack; `LandingStackInfo` fits. */
export type PlanStackInfo = Pick<LandingStackInfo, "stack" | "accountId" | "accountName" | "regions"> &
  Partial<Pick<LandingStackInfo, "kind" | "dependsOn">>;

export interface PlanInput {
  /** The parsed `terraform show -json` document (validated by summarizePlans). */
  readonly plan: unknown;
  /** The stack the plan belongs to; without it the stack name comes from `source`, account unknown. */
  readonly stack?: PlanStackInfo;
  /** Where the plan came from (file path), used in error messages and to name bare plans. */
  readonly source?: string;
}

// Output ---------------------------------------------------------------------------------------

/**
 * Stack status, worst first: data-store-loss > errored > incomplete > changes > outputs-only >
 * no-changes. `errored`: planning failed part-way; `incomplete`: Terraform deferred some changes
 * (`complete: false` or `deferred_changes`); either way the plan does not show everything.
 */
export type StackStatus =
  | "data-store-loss"
  | "errored"
  | "incomplete"
  | "changes"
  | "outputs-only"
  | "no-changes";

export interface ResourceChangeSummary {
  readonly address: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** The resource type holds data (contracts/data-stores.ts). */
  readonly dataStore: boolean;
  /** A data store that this plan deletes or replaces. */
  readonly dataStoreLoss: boolean;
  /** The plan imports the resource (an `import` block). */
  readonly importing: boolean;
}

export type ActionCounts = Record<ChangeAction, number>;

export interface StackPlanSummary {
  readonly stack: string;
  readonly kind: LandingStackInfo["kind"] | "unknown";
  /** null when the plan was summarized without stack info ("account unknown"). */
  readonly accountId: string | null;
  readonly accountName: string | null;
  readonly regions: readonly string[];
  readonly source: string | null;
  readonly terraformVersion: string | null;
  readonly formatVersion: string;
  readonly status: StackStatus;
  /** The plan says `errored: true`. */
  readonly errored: boolean;
  /** The plan says `complete: false` or lists deferred changes. */
  readonly incomplete: boolean;
  /** Addresses (with Terraform's reason) of the changes deferred to a later plan. */
  readonly deferredChanges: readonly string[];
  readonly counts: ActionCounts;
  /** Outputs whose value changes. */
  readonly outputChanges: number;
  /** Resources that changed outside Terraform since the last apply (resource_drift). */
  readonly driftedResources: readonly string[];
  /** Every change except no-ops, most dangerous first (delete, replace, update, create, forget, read). */
  readonly changes: readonly ResourceChangeSummary[];
  /** Position in deployment order (input order, admin/payer/member first). */
  readonly order: number;
}

export interface DataStoreLoss {
  readonly stack: string;
  readonly accountId: string | null;
  readonly accountName: string | null;
  readonly address: string;
  readonly type: string;
  readonly action: "delete" | "replace";
}

export interface PlanSummary {
  /** Changed stacks first, each group in deployment order. */
  readonly stacks: readonly StackPlanSummary[];
  readonly totals: ActionCounts & { readonly stacks: number; readonly changedStacks: number };
  readonly dataStoreLosses: readonly DataStoreLoss[];
}

/** Version of the JSON summary shape; bumped on any breaking change. */
export const PLAN_SUMMARY_SCHEMA_VERSION = 1;

/**
 * The machine-readable summary (`--json out.json`). Versioned by `schemaVersion`; fields are only
 * added within a version. Deterministic: no timestamps, stacks in the same order as the Markdown.
 */
export interface PlanSummaryJson {
  readonly schemaVersion: typeof PLAN_SUMMARY_SCHEMA_VERSION;
  readonly kind: "finops-landing/plan-summary";
  readonly totals: PlanSummary["totals"];
  readonly dataStoreLosses: readonly DataStoreLoss[];
  readonly stacks: readonly Omit<StackPlanSummary, "order">[];
  /**
   * Added in version 1 for `npm run plan` (absent from plan:summarize): what the run selected and
   * the notes under its Markdown, so `npm run plan:merge` re-renders the summary of a set of shards
   * from data, equal to the summary of one unsharded run.
   */
  readonly run?: PlanRunJson;
}

/** `npm run plan`'s run in the JSON summary (see PlanSummaryJson.run). */
export interface PlanRunJson {
  /** The config file planned (as given). */
  readonly configFile: string;
  /** What --changed-only compared against; null when every stack was a candidate. */
  readonly base: string | null;
  /**
   * Every stack the run would plan without --shard (after --changed-only and --stack), in
   * deployment order: the shards of one plan have the same candidates and plan each exactly once.
   */
  readonly candidates: readonly string[];
  /** This run planned shard `index` of `count` (npm run plan -- --shard); null when unsharded. */
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** The stacks this run planned, in deployment order. */
  readonly planned: readonly string[];
  /** Planned stacks of retired members (planned empty, so destroyed). */
  readonly retiring: readonly {
    readonly stack: string;
    readonly accountName: string;
    readonly accountId: string;
  }[];
  /** Planned stacks whose terraform init or plan failed, with the error. */
  readonly errors: readonly { readonly stack: string; readonly error: string }[];
  /** Stacks that synthesize exactly as at the base (not planned). */
  readonly unchanged: readonly string[];
  /** Stacks the base had and this commit does not. */
  readonly removed: readonly string[];
  /** Stacks that would be planned but --stack left out. */
  readonly leftOut: readonly string[];
  /** The bootstrap stack's synth differs from the base's (it is never planned here). */
  readonly bootstrapChanged: boolean;
  /** The retirement check's notes. */
  readonly notes: readonly string[];
}

// Summarizing ----------------------------------------------------------------------------------

const ACTION_RANK: Record<ChangeAction, number> = {
  delete: 0,
  replace: 1,
  update: 2,
  create: 3,
  "create-forget": 4,
  forget: 5,
  read: 6,
  "no-op": 7,
};

const KIND_RANK: Record<StackPlanSummary["kind"], number> = { admin: 0, payer: 1, member: 2, unknown: 3 };

const GENERIC_PLAN_NAMES = new Set(["plan", "tfplan", "terraform", "show", "plan-json"]);

/**
 * The stack name of a bare plan file: its base name without `.json` / `.tfplan` / `.plan`
 * (`plans/member-dev.tfplan.json` → `member-dev`), or the folder's name when the file has a
 * generic name (`cdktf.out/stacks/member-dev/plan.json` → `member-dev`).
 */
export function stackNameFromPath(file: string): string {
  let base = path.basename(file);
  for (;;) {
    const next = base.replace(/\.(json|tfplan|plan)$/i, "");
    if (next === base) break;
    base = next;
  }
  if (base === "" || GENERIC_PLAN_NAMES.has(base.toLowerCase())) {
    const dir = path.basename(path.dirname(path.resolve(file)));
    return dir || base || file;
  }
  return base;
}

function kindOf(stack: string): StackPlanSummary["kind"] {
  if (stack === "admin") return "admin";
  if (stack === "payer") return "payer";
  if (stack.startsWith("member-")) return "member";
  return "unknown";
}

function zeroCounts(): ActionCounts {
  return { create: 0, update: 0, replace: 0, delete: 0, read: 0, "no-op": 0, forget: 0, "create-forget": 0 };
}

function summarizeStack(input: PlanInput, index: number): StackPlanSummary {
  const source = input.source ?? null;
  const plan = parsePlan(input.plan, source ?? input.stack?.stack ?? `plan #${index + 1}`);
  const stackName = input.stack?.stack ?? (source ? stackNameFromPath(source) : `plan-${index + 1}`);
  const counts = zeroCounts();
  const changes: ResourceChangeSummary[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const action = classifyActions(rc.change.actions);
    counts[action] += 1;
    if (action === "no-op" && !rc.change.importing) continue;
    const dataStore = isDataStore(rc.type) && rc.mode !== "data";
    changes.push({
      address: rc.address,
      type: rc.type,
      action,
      dataStore,
      dataStoreLoss: dataStore && (action === "delete" || action === "replace"),
      importing: Boolean(rc.change.importing),
    });
  }
  changes.sort((a, b) => ACTION_RANK[a.action] - ACTION_RANK[b.action] || compare(a.address, b.address));
  const outputChanges = Object.values(plan.output_changes ?? {}).filter(
    (oc) => !(oc.actions.length === 1 && oc.actions[0] === "no-op"),
  ).length;
  const resourceChanged =
    counts.create + counts.update + counts.replace + counts.delete + counts.forget + counts["create-forget"] >
    0;
  const deferredChanges = (plan.deferred_changes ?? []).map((d) => {
    const address =
      typeof d?.resource_change?.address === "string" ? d.resource_change.address : "(unknown address)";
    return typeof d?.reason === "string" ? `${address} (${d.reason})` : address;
  });
  const errored = plan.errored === true;
  const incomplete = plan.complete === false || deferredChanges.length > 0;
  const importing = changes.some((c) => c.importing);
  const status: StackStatus = changes.some((c) => c.dataStoreLoss)
    ? "data-store-loss"
    : errored
      ? "errored"
      : incomplete
        ? "incomplete"
        : resourceChanged || importing
          ? "changes"
          : outputChanges > 0
            ? "outputs-only"
            : "no-changes";
  return {
    stack: stackName,
    kind: input.stack?.kind ?? kindOf(stackName),
    accountId: input.stack?.accountId ?? null,
    accountName: input.stack?.accountName ?? null,
    regions: input.stack?.regions ?? [],
    source,
    terraformVersion: plan.terraform_version ?? null,
    formatVersion: plan.format_version,
    status,
    errored,
    incomplete,
    deferredChanges,
    counts,
    outputChanges,
    driftedResources: (plan.resource_drift ?? [])
      .filter((rc) => !(rc.change.actions.length === 1 && rc.change.actions[0] === "no-op"))
      .map((rc) => rc.address),
    changes,
    order: index,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when applying the stack's plan would change something. */
export function hasChanges(stack: StackPlanSummary): boolean {
  return stack.status !== "no-changes";
}

/**
 * Summarizes plans, one per stack. Throws PlanFormatError for a document that is not a plan.
 * Order: stacks with changes first, then the rest; within each group deployment order (admin,
 * payer, members; then the input order, which `describeLanding` already gives in deployment order).
 */
export function summarizePlans(inputs: readonly PlanInput[]): PlanSummary {
  return assembleSummary(inputs.map(summarizeStack));
}

/**
 * The summary of already summarized stacks (each with its `order`): refuses a stack given twice,
 * sorts (changed first, then deployment order), totals, lists the data-store losses.
 * summarizePlans uses it, and plan:merge on the stacks of every shard's JSON summary.
 */
export function assembleSummary(summarized: readonly StackPlanSummary[]): PlanSummary {
  const stacks = [...summarized];
  const seen = new Map<string, string>();
  for (const s of stacks) {
    const previous = seen.get(s.stack);
    if (previous !== undefined) {
      throw new PlanFormatError(
        s.source ?? s.stack,
        `stack "${s.stack}" is summarized twice (also from ${previous}); give each stack's plan once`,
      );
    }
    seen.set(s.stack, s.source ?? s.stack);
  }
  stacks.sort(
    (a, b) =>
      Number(hasChanges(b)) - Number(hasChanges(a)) ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      a.order - b.order,
  );
  const totals = { ...zeroCounts(), stacks: stacks.length, changedStacks: stacks.filter(hasChanges).length };
  for (const s of stacks) {
    for (const action of Object.keys(s.counts) as ChangeAction[]) totals[action] += s.counts[action];
  }
  const dataStoreLosses: DataStoreLoss[] = stacks.flatMap((s) =>
    s.changes
      .filter((c) => c.dataStoreLoss)
      .map((c) => ({
        stack: s.stack,
        accountId: s.accountId,
        accountName: s.accountName,
        address: c.address,
        type: c.type,
        action: c.action as "delete" | "replace",
      })),
  );
  return { stacks, totals, dataStoreLosses };
}

/** The versioned JSON summary for machines; `run` from npm run plan. */
export function toSummaryJson(summary: PlanSummary, run?: PlanRunJson): PlanSummaryJson {
  return {
    schemaVersion: PLAN_SUMMARY_SCHEMA_VERSION,
    kind: "finops-landing/plan-summary",
    totals: summary.totals,
    dataStoreLosses: summary.dataStoreLosses,
    stacks: summary.stacks.map(({ order: _order, ...rest }) => rest),
    ...(run ? { run } : {}),
  };
}
