import type { ChangeAction } from "./plan-json";
import {
  type ActionCounts,
  hasChanges,
  type PlanRunJson,
  type PlanSummary,
  type StackPlanSummary,
  type StackStatus,
} from "./plan-summary";

/**
 * The plan summary as Markdown for a pull request comment (renderMarkdown): the data-store warning,
 * a table of the changed stacks, the unchanged ones in one line, details per changed stack; and the
 * notes `npm run plan` adds under it (renderPlanRunNotes).
 */

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

/**
 * The notes `npm run plan` adds under the summary: retiring stacks, each errored plan's error,
 * what --changed-only and --stack left out, removed members, the retirement check's notes.
 */
export function renderPlanRunNotes(run: PlanRunJson): string[] {
  const out: string[] = [""];
  if (run.bootstrapChanged) {
    out.push(
      "> [!IMPORTANT]",
      "> **The bootstrap stack changes too** (roles, state bucket or organization prerequisites). The pipeline never plans or applies it: an organization admin reviews it with `npm run bootstrap -- --plan` and applies it with `npm run bootstrap` from this branch. A new account's plan needs its read role, so apply it first, then re-run this plan. See docs/bootstrap.md.",
      "",
    );
  }
  if (run.retiring.length) {
    out.push(
      `**Retiring:** ${run.retiring.map((r) => `${r.stack} (${r.accountName} ${r.accountId})`).join(", ")}: these stacks are planned empty, so their resources are destroyed. Remove the entries from the config after this is applied.`,
      "",
    );
  }
  if (run.errors.length) {
    out.push("#### Plan errors", "");
    for (const e of run.errors) {
      out.push(`<details><summary>${e.stack}</summary>`, "", "```", e.error, "```", "", "</details>");
    }
    out.push("");
  }
  const planned = run.planned.length;
  if (run.base !== null) {
    out.push(
      `_Changed-only: ${planned} stack${planned === 1 ? "" : "s"} planned; ${run.unchanged.length} synthesize exactly as at \`${run.base}\` and were not planned${run.leftOut.length ? `; ${run.leftOut.length} changed but left out by --stack: ${run.leftOut.join(", ")}` : ""}._`,
    );
  } else if (run.leftOut.length) {
    out.push(`_Left out by --stack: ${run.leftOut.join(", ")}._`);
  }
  if (run.removed.length) out.push(`_Removed from the config (retired earlier): ${run.removed.join(", ")}._`);
  for (const note of run.notes) out.push(`_${note}_`);
  return out;
}

/** The first line of a shard's summary (npm run plan -- --shard): which shard of how many. */
export function renderShardHeader(run: PlanRunJson): string[] {
  if (!run.shard) return [];
  return [
    `_Shard ${run.shard.index} of ${run.shard.count}: ${run.planned.length} of the ${plural(run.candidates.length, "candidate stack")} (npm run plan:merge combines the ${run.shard.count} shards into one summary)._`,
    "",
  ];
}

/**
 * The whole summary.md of `npm run plan` (and of `npm run plan:merge`, from the shards' JSON): the
 * shard line, the summary, the run's notes. No trailing newline.
 */
export function renderPlanRun(
  summary: PlanSummary,
  run: PlanRunJson,
  dataStoreDestroyAllowed: boolean,
): string {
  return [
    ...renderShardHeader(run),
    renderMarkdown(summary, { dataStoreDestroyAllowed }).trimEnd(),
    ...renderPlanRunNotes(run),
  ].join("\n");
}
