import * as path from "node:path";
import { isDataStore } from "../contracts/data-stores";
import type { LandingStackInfo } from "../stacks/landing";

/**
 * Summarizes Terraform plans (`terraform show -json <planfile>`) per stack, for a pull request
 * comment (Markdown) and for machines (JSON, see PlanSummaryJson). Pure: no file system, no
 * terraform; the CLI (scripts/plan-summarize.ts) reads the files.
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

/** The part of the plan JSON format (format_version 1.x) the summary reads. */
export interface TerraformPlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly TerraformResourceChange[];
  readonly resource_drift?: readonly TerraformResourceChange[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  /** True when planning failed part-way (Terraform 1.5+); the changes listed are not all there are. */
  readonly errored?: boolean;
  /** False when some changes were deferred to a later plan and apply (Terraform 1.8+). */
  readonly complete?: boolean;
  /** Changes Terraform could not plan yet, each with a reason (Terraform 1.8+). */
  readonly deferred_changes?: readonly {
    readonly reason?: string;
    readonly resource_change?: Partial<TerraformResourceChange>;
  }[];
}

export interface TerraformResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly importing?: unknown;
  };
  readonly action_reason?: string;
}

/** A document that is not a plan this tool can read. The message names the source and the fault. */
export class PlanFormatError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = "PlanFormatError";
  }
}

// Output ---------------------------------------------------------------------------------------

/**
 * How a resource changes. `replace` is delete+create in either order; `forget` removes it from
 * the state and leaves it in AWS (a `removed` block with `destroy = false`, Terraform 1.7+);
 * `create-forget` creates a new one and forgets the old one, which stays in AWS (never a destroy).
 */
export type ChangeAction =
  | "create"
  | "update"
  | "replace"
  | "delete"
  | "read"
  | "no-op"
  | "forget"
  | "create-forget";

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
  /** The resource type holds data (deploy/data-stores.ts). */
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
}

// Parsing ---------------------------------------------------------------------------------------

const NOT_A_PLAN = "not a terraform show -json plan";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the parts of the plan JSON the summary reads; throws PlanFormatError naming the fault. */
export function parsePlan(json: unknown, source: string): TerraformPlanJson {
  if (!isRecord(json)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: expected a JSON object, got ${describe(json)}`);
  }
  if (!("format_version" in json)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: missing format_version`);
  }
  const version = json.format_version;
  if (typeof version !== "string" || !/^1\.\d+$/.test(version)) {
    throw new PlanFormatError(
      source,
      `unsupported format_version ${JSON.stringify(version)}; this tool reads plan JSON format 1.x`,
    );
  }
  if (!("resource_changes" in json) && !("planned_values" in json) && "values" in json) {
    throw new PlanFormatError(
      source,
      `${NOT_A_PLAN}: this is a state (it has "values"); run terraform show -json on the saved plan file`,
    );
  }
  for (const section of ["resource_changes", "resource_drift"] as const) {
    const list = json[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new PlanFormatError(source, `${NOT_A_PLAN}: ${section} is not a list`);
    list.forEach((rc, i) => {
      const where = `${section}[${i}]`;
      if (!isRecord(rc)) throw new PlanFormatError(source, `${NOT_A_PLAN}: ${where} is not an object`);
      if (typeof rc.address !== "string") {
        throw new PlanFormatError(source, `${NOT_A_PLAN}: ${where} has no address`);
      }
      if (typeof rc.type !== "string") {
        throw new PlanFormatError(source, `${NOT_A_PLAN}: ${where} (${rc.address}) has no type`);
      }
      const actions = isRecord(rc.change) ? rc.change.actions : undefined;
      if (!Array.isArray(actions) || !actions.every((a) => typeof a === "string")) {
        throw new PlanFormatError(
          source,
          `${NOT_A_PLAN}: ${where} (${rc.address}) has no change.actions list`,
        );
      }
      if (section === "resource_changes") {
        try {
          classifyActions(actions);
        } catch (error) {
          throw new PlanFormatError(source, `${where} (${rc.address}): ${(error as Error).message}`);
        }
      }
    });
  }
  for (const flag of ["errored", "complete"] as const) {
    if (json[flag] !== undefined && typeof json[flag] !== "boolean") {
      throw new PlanFormatError(source, `${NOT_A_PLAN}: ${flag} is not true or false`);
    }
  }
  if (json.deferred_changes !== undefined && !Array.isArray(json.deferred_changes)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: deferred_changes is not a list`);
  }
  if (json.output_changes !== undefined && !isRecord(json.output_changes)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: output_changes is not an object`);
  }
  return json as unknown as TerraformPlanJson;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

/** Maps a plan's `change.actions` to one action. Throws on a combination Terraform does not emit. */
export function classifyActions(actions: readonly string[]): ChangeAction {
  const key = actions.join(",");
  switch (key) {
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "read":
      return "read";
    case "no-op":
      return "no-op";
    case "forget":
      return "forget";
    case "create,forget":
      return "create-forget";
    case "delete,create":
    case "create,delete":
      return "replace";
    default:
      throw new Error(`unknown change.actions ${JSON.stringify(actions)}`);
  }
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
  const stacks = inputs.map(summarizeStack);
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

/** The versioned JSON summary for machines. */
export function toSummaryJson(summary: PlanSummary): PlanSummaryJson {
  return {
    schemaVersion: PLAN_SUMMARY_SCHEMA_VERSION,
    kind: "finops-landing/plan-summary",
    totals: summary.totals,
    dataStoreLosses: summary.dataStoreLosses,
    stacks: summary.stacks.map(({ order: _order, ...rest }) => rest),
  };
}

// Markdown -------------------------------------------------------------------------------------

export interface MarkdownOptions {
  /** Details list at most this many resources per stack; the JSON summary has all. @default 50 */
  readonly maxResourcesPerStack?: number;
  /** Up to this many unchanged stacks are named inline, more go into a collapsed list. @default 10 */
  readonly inlineUnchangedStacks?: number;
  /** The destroy of data stores was explicitly allowed (the guard's opt-in); said in the warning. @default false */
  readonly dataStoreDestroyAllowed?: boolean;
  /**
   * GitHub refuses comments over 65,536 characters. Past this length the per-stack details are
   * dropped (the table and the warning stay) with a pointer to the JSON summary. @default 60000
   */
  readonly maxLength?: number;
}

const STATUS_LABEL: Record<StackStatus, string> = {
  "data-store-loss": "⛔ destroys data",
  errored: "❌ plan errored",
  incomplete: "⏸ plan incomplete",
  changes: "changes",
  "outputs-only": "outputs only",
  "no-changes": "no changes",
};

const ACTION_LABEL: Record<ChangeAction, string> = {
  delete: "destroy",
  replace: "replace",
  update: "update",
  create: "create",
  forget: "forget (removed from state, kept in AWS)",
  "create-forget": "create new, forget old (old one kept in AWS)",
  read: "read",
  "no-op": "no-op",
};

function account(s: { accountId: string | null; accountName: string | null }): string {
  if (s.accountId === null) return "account unknown";
  return s.accountName ? `${s.accountName} (${s.accountId})` : s.accountId;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "1 to add, 2 to change, 1 to replace, 3 to destroy" (Terraform's words), or "no resource changes". */
export function countsLine(c: ActionCounts): string {
  const parts: string[] = [];
  if (c.create) parts.push(`${c.create} to add`);
  if (c.update) parts.push(`${c.update} to change`);
  if (c.replace) parts.push(`${c.replace} to replace`);
  if (c.delete) parts.push(`${c.delete} to destroy`);
  if (c.forget) parts.push(`${c.forget} to forget`);
  if (c["create-forget"]) parts.push(`${c["create-forget"]} to create and forget the old`);
  return parts.length ? parts.join(", ") : "no resource changes";
}

function renderWarning(summary: PlanSummary, allowed: boolean): string[] {
  const losses = summary.dataStoreLosses;
  if (losses.length === 0) return [];
  const lines = [
    `> [!CAUTION]`,
    `> **${plural(losses.length, "data store")} would be destroyed or replaced; the data in ${losses.length === 1 ? "it" : "them"} would be lost.**`,
    ">",
    ...losses.map(
      (l) =>
        `> - ${code(l.stack)} · ${cell(account(l))}: ${code(l.address)} — **${l.action === "delete" ? "destroy" : "replace"}**`,
    ),
    ">",
    allowed
      ? "> Allowed explicitly for this change (FINOPS_ALLOW_DATA_STORE_DESTROY=true)."
      : "> The plan guard fails this check. If the loss is intended, opt in explicitly (see docs/plan-and-rollout.md: FINOPS_ALLOW_DATA_STORE_DESTROY=true, set by the workflow from a PR label).",
    "",
  ];
  return lines;
}

function renderTable(changed: readonly StackPlanSummary[]): string[] {
  if (changed.length === 0) return [];
  return [
    "| Stack | Account | Regions | Add | Change | Replace | Destroy | Status |",
    "|---|---|---|--:|--:|--:|--:|---|",
    ...changed.map(
      (s) =>
        `| ${cell(code(s.stack))} | ${cell(account(s))} | ${cell(s.regions.join(", ") || "—")} | ${s.counts.create} | ${s.counts.update} | ${s.counts.replace} | ${s.counts.delete} | ${STATUS_LABEL[s.status]} |`,
    ),
    "",
  ];
}

function renderUnchanged(unchanged: readonly StackPlanSummary[], inlineMax: number): string[] {
  if (unchanged.length === 0) return [];
  const names = unchanged.map((s) => code(s.stack)).join(", ");
  const drift = unchanged.filter((s) => s.driftedResources.length > 0);
  const driftNote = drift.length
    ? ` Drift detected outside Terraform (no change planned): ${drift.map((s) => `${code(s.stack)} (${s.driftedResources.length})`).join(", ")}.`
    : "";
  if (unchanged.length <= inlineMax) {
    return [`**No changes** in ${plural(unchanged.length, "stack")}: ${names}.${driftNote}`, ""];
  }
  return [
    `<details><summary><b>No changes</b> in ${plural(unchanged.length, "stack")}</summary>`,
    "",
    names,
    "",
    "</details>",
    ...(driftNote ? ["", driftNote.trim()] : []),
    "",
  ];
}

function renderDetails(s: StackPlanSummary, maxResources: number): string[] {
  const shown = s.changes.slice(0, maxResources);
  const lines = [
    `<details><summary><code>${html(s.stack)}</code> · ${html(account(s))} · ${html(countsLine(s.counts))}</summary>`,
    "",
    ...shown.map(
      (c) =>
        `- **${ACTION_LABEL[c.action]}**${c.importing ? " (import)" : ""} ${code(c.address)}${c.dataStoreLoss ? " ⛔ data store" : ""}`,
    ),
  ];
  if (s.changes.length > shown.length) {
    lines.push(`- … and ${s.changes.length - shown.length} more (see the JSON summary)`);
  }
  if (s.outputChanges) lines.push(`- ${plural(s.outputChanges, "output")} change`);
  if (s.errored) lines.push("- ❌ the plan errored: the changes above may not be all");
  if (s.incomplete) {
    lines.push(
      `- ⏸ the plan is incomplete: Terraform deferred ${s.deferredChanges.length ? s.deferredChanges.map(code).join(", ") : "some changes"} to a later plan`,
    );
  }
  if (s.driftedResources.length) {
    lines.push(`- drift: ${s.driftedResources.map(code).join(", ")} changed outside Terraform`);
  }
  lines.push("", "</details>", "");
  return lines;
}

/**
 * The Markdown for a pull request comment: the data-store warning first, a table of the stacks
 * that change, the unchanged stacks collapsed into one line, then a details section per changed
 * stack listing its resource addresses and actions.
 */
export function renderMarkdown(summary: PlanSummary, options: MarkdownOptions = {}): string {
  const maxResources = options.maxResourcesPerStack ?? 50;
  const maxLength = options.maxLength ?? 60_000;
  const changed = summary.stacks.filter(hasChanges);
  const unchanged = summary.stacks.filter((s) => !hasChanges(s));
  const t = summary.totals;
  const head = [
    `### Terraform plan: ${t.changedStacks} of ${plural(t.stacks, "stack")} change`,
    "",
    ...renderWarning(summary, options.dataStoreDestroyAllowed ?? false),
    ...(changed.length ? [`**Total:** ${countsLine(t)}.`, ""] : []),
    ...renderTable(changed),
    ...renderUnchanged(unchanged, options.inlineUnchangedStacks ?? 10),
  ];
  const details = changed.flatMap((s) => renderDetails(s, maxResources));
  let out = [...head, ...details].join("\n");
  if (out.length > maxLength) {
    out = [
      ...head,
      `_Per-stack details left out: the comment would exceed ${maxLength} characters. The JSON summary lists every change._`,
      "",
    ].join("\n");
  }
  return `${out.trimEnd()}\n`;
}
