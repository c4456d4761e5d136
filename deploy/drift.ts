import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import type { LandingStackInfo } from "../stacks/landing";
import { pool } from "./apply";
import { classifyActions } from "./plan-json";
import { stackDir, synthLanding } from "./synth";
import { lastLines, terraformInit, terraformPlan, terraformShowJson } from "./terraform";

/**
 * `npm run drift`: plan-only across every stack (`terraform plan -detailed-exitcode`), nothing
 * applied. A stack "drifted" when its plan is not empty: either its resources were changed outside
 * Terraform (Terraform's `resource_drift`, named per resource) or the config has changes that were
 * never applied (for example a merged change whose apply failed). Exit codes of the command: 0 no
 * drift, 2 drift found, 1 a plan failed (the check itself is not trustworthy then).
 */

export interface DriftedResource {
  readonly address: string;
  /** How it changed outside Terraform (update, delete) or what the plan does to it. */
  readonly action: string;
  /** "outside-terraform" (resource_drift) or "pending" (planned change). */
  readonly source: "outside-terraform" | "pending";
}

export interface StackDrift {
  readonly stack: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly regions: readonly string[];
  readonly status: "in-sync" | "drifted" | "errored";
  readonly resources: readonly DriftedResource[];
  readonly error?: string;
  readonly seconds: number;
}

export interface DriftReport {
  readonly kind: "finops-landing/drift";
  readonly schemaVersion: 1;
  readonly stacks: readonly StackDrift[];
  readonly drifted: number;
  readonly errored: number;
  /** 0 in sync, 2 drift found, 1 a plan failed. */
  readonly exitCode: 0 | 1 | 2;
}

export interface DriftOptions {
  readonly config: AccountConfig;
  readonly target: Target;
  readonly env: NodeJS.ProcessEnv;
  readonly outDir: string;
  /** @default 4 */
  readonly concurrency?: number;
  /** Only these stacks (names as `npm run plan` lists them); every stack when omitted. */
  readonly stacks?: readonly string[];
  /** Extra `terraform plan` arguments, e.g. ["-lock=false"]. */
  readonly planArgs?: readonly string[];
  readonly log?: (line: string) => void;
}

interface PlanJsonLike {
  resource_changes?: { address: string; change: { actions: string[] } }[];
  resource_drift?: { address: string; change: { actions: string[] } }[];
}

/**
 * Drifted and pending resources of one plan JSON. A `resource_drift` entry (what the refresh found
 * changed outside Terraform) counts when the plan acts on that resource, i.e. when Terraform would
 * put it back, or when the resource is gone: refresh-only differences in attributes the
 * configuration does not manage leave the plan empty (`terraform plan -detailed-exitcode` 0) and
 * are not drift of the landing (on the emulator, many computed attributes read back differently).
 */
export function driftedResources(plan: unknown): DriftedResource[] {
  const p = plan as PlanJsonLike;
  const out: DriftedResource[] = [];
  const planned = new Set(
    (p.resource_changes ?? [])
      .filter((rc) => !["no-op", "read"].includes(classifyActions(rc.change.actions)))
      .map((rc) => rc.address),
  );
  for (const rc of p.resource_drift ?? []) {
    const action = classifyActions(rc.change.actions);
    if (action === "no-op" || action === "read") continue;
    if (action === "delete" || planned.has(rc.address))
      out.push({ address: rc.address, action, source: "outside-terraform" });
  }
  for (const rc of p.resource_changes ?? []) {
    const action = classifyActions(rc.change.actions);
    if (action !== "no-op" && action !== "read") out.push({ address: rc.address, action, source: "pending" });
  }
  return out;
}

export function driftExitCode(stacks: readonly Pick<StackDrift, "status">[]): 0 | 1 | 2 {
  if (stacks.some((s) => s.status === "errored")) return 1;
  return stacks.some((s) => s.status === "drifted") ? 2 : 0;
}

export async function checkDrift(opts: DriftOptions): Promise<DriftReport> {
  const log = opts.log ?? (() => {});
  const outDir = path.resolve(opts.outDir);
  const synthDir = path.join(outDir, "synth");
  rmSync(synthDir, { recursive: true, force: true });
  mkdirSync(path.join(outDir, "plans"), { recursive: true });
  const all = synthLanding(opts.config, synthDir, opts.target);
  const unknown = (opts.stacks ?? []).filter((s) => !all.some((i) => i.stack === s));
  if (unknown.length > 0)
    throw new Error(
      `drift: no stack named ${unknown.join(", ")}; the stacks are: ${all.map((i) => i.stack).join(", ")}`,
    );
  const stacks = opts.stacks ? all.filter((i) => opts.stacks!.includes(i.stack)) : all;
  const results = await pool(stacks, opts.concurrency ?? 4, async (info: LandingStackInfo) => {
    const t0 = Date.now();
    const base = {
      stack: info.stack,
      accountId: info.accountId,
      accountName: info.accountName,
      regions: info.regions,
    };
    const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
    const dir = stackDir(synthDir, info.stack);
    const init = await terraformInit(dir, opts.env);
    if (init.code !== 0) {
      return {
        ...base,
        status: "errored" as const,
        resources: [],
        error: `terraform init: ${lastLines(init.stderr || init.stdout)}`,
        seconds: seconds(),
      };
    }
    const planFile = path.join(outDir, "plans", `${info.stack}.tfplan`);
    const plan = await terraformPlan(dir, opts.env, planFile, [...(opts.planArgs ?? [])]);
    if (plan.code === 1) {
      log(`drift      ${info.stack.padEnd(24)} errored`);
      return {
        ...base,
        status: "errored" as const,
        resources: [],
        error: `terraform plan: ${lastLines(plan.stderr || plan.stdout)}`,
        seconds: seconds(),
      };
    }
    const json = await terraformShowJson(dir, opts.env, planFile);
    const resources = driftedResources(json);
    // -detailed-exitcode 2 with only output changes is drift too (the outputs differ from state).
    const drifted = plan.code === 2 || resources.length > 0;
    log(`drift      ${info.stack.padEnd(24)} ${drifted ? "DRIFTED" : "in sync"} (${seconds()} s)`);
    return {
      ...base,
      status: drifted ? ("drifted" as const) : ("in-sync" as const),
      resources,
      seconds: seconds(),
    };
  });
  return {
    kind: "finops-landing/drift",
    schemaVersion: 1,
    stacks: results,
    drifted: results.filter((r) => r.status === "drifted").length,
    errored: results.filter((r) => r.status === "errored").length,
    exitCode: driftExitCode(results),
  };
}

/** The drift table: one row per stack, drifted first. */
export function renderDriftTable(report: DriftReport): string {
  const order = { errored: 0, drifted: 1, "in-sync": 2 } as const;
  const rows = [...report.stacks]
    .sort((a, b) => order[a.status] - order[b.status])
    .map((s) => [
      s.stack,
      `${s.accountName} (${s.accountId})`,
      s.regions.join(","),
      s.status,
      s.status === "errored"
        ? (s.error ?? "").split("\n").slice(-1)[0]!.slice(0, 100)
        : s.resources
            .slice(0, 4)
            .map(
              (r) =>
                `${r.address} ${r.action}${r.source === "outside-terraform" ? " (outside terraform)" : ""}`,
            )
            .join("; ") + (s.resources.length > 4 ? `; +${s.resources.length - 4} more` : ""),
    ]);
  const head = ["Stack", "Account", "Regions", "Status", "Resources"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const verdict =
    report.exitCode === 0
      ? `No drift: ${report.stacks.length} stacks in sync.`
      : `${report.drifted} of ${report.stacks.length} stacks drifted${report.errored ? `, ${report.errored} could not be planned` : ""}.`;
  return `${[line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), "", verdict].join("\n")}\n`;
}
