import type { RolloutConfig } from "../config/schema";
import type { LandingStackInfo } from "../stacks/landing";

/**
 * The wave scheduler: applies the landing's stacks the way a CloudFormation StackSet operation
 * rolls out, with the stack applies injected as a runner (the deployer passes terraform; tests a
 * fake). Pure apart from the runner and the clock: no timers, deterministic for a given order of
 * runner completions.
 *
 * Waves: admin, then payer (each alone, in dependency order), then the members. A failed admin or
 * payer stops everything after it. Members run with StackSet semantics:
 * - max concurrent accounts: maxConcurrentCount, or maxConcurrentPercentage of the members rounded
 *   down (at least 1); neither set: 1, as StackSets.
 * - failure tolerance: failureToleranceCount, or failureTolerancePercentage of the members rounded
 *   down; neither set: 0.
 * - STRICT_FAILURE_TOLERANCE (CloudFormation's default): concurrency starts at the lower of the
 *   maximum and tolerance + 1 (`limits.capped` says when that lowered it), and each failure lowers
 *   it by one more (tolerance + 1 - failures), so no more than tolerance + 1 accounts can ever
 *   fail. SOFT_FAILURE_TOLERANCE: the configured maximum, whatever the tolerance and failures.
 * - once failures exceed the tolerance no member is started; those in flight finish; the rest are
 *   reported skipped (not started).
 * - region order: a member stack covers all its regions in one terraform apply (one state per
 *   stack), so regions cannot be rolled out one after another inside an account. `regionOrder`
 *   therefore orders the accounts: members whose primary region (regions[0]) comes first in
 *   `regionOrder` start first, members whose primary region is not listed follow in config order.
 *   `regionConcurrency` has no effect here: inside one apply Terraform works on all regions.
 * - dependsOn: a stack starts only after every stack it depends on succeeded; if one failed or was
 *   skipped, it is skipped too. A member waiting on another member does not hold up the queue.
 */

export type RolloutPolicy = Partial<
  Pick<
    RolloutConfig,
    | "maxConcurrentCount"
    | "maxConcurrentPercentage"
    | "failureToleranceCount"
    | "failureTolerancePercentage"
    | "concurrencyMode"
  >
> & { readonly regionOrder?: readonly string[] };

/** A stack to roll out; `LandingStackInfo` (from describeLanding) fits. */
export type RolloutStack = Pick<
  LandingStackInfo,
  "stack" | "kind" | "accountId" | "accountName" | "regions" | "dependsOn"
>;

/** What the runner is asked to apply: the stack and its wave (1 admin, 2 payer, 3 members…). */
export type RolloutUnit = RolloutStack & { readonly wave: number };

export interface RunOutcome {
  readonly ok: boolean;
  /** Shown in the result table, e.g. the last lines of terraform's error. */
  readonly detail?: string;
}

/** Applies one stack. A rejected promise or a throw counts as a failure with its message. */
export type StackRunner = (unit: RolloutUnit) => Promise<RunOutcome>;

export type RolloutEvent =
  | { readonly type: "started"; readonly unit: RolloutUnit; readonly at: number; readonly running: number }
  | {
      readonly type: "finished";
      readonly unit: RolloutUnit;
      readonly status: "succeeded" | "failed";
      readonly detail?: string;
      readonly at: number;
      readonly durationMs: number;
      /** Stacks finished or skipped so far, of all stacks. */
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: "skipped"; readonly unit: RolloutUnit; readonly reason: string };

export interface RolloutOptions {
  readonly runner: StackRunner;
  readonly policy?: RolloutPolicy;
  /** Live progress (per-stack status lines, a progress bar). */
  readonly onEvent?: (event: RolloutEvent) => void;
  /** Milliseconds clock for start times and durations. @default Date.now */
  readonly now?: () => number;
}

export type ConcurrencyMode = NonNullable<RolloutPolicy["concurrencyMode"]>;

export interface RolloutLimits {
  readonly memberCount: number;
  /** From maxConcurrentCount or the percentage (rounded down, at least 1). */
  readonly configuredMaxConcurrent: number;
  /** Members that may fail before no new member starts (count, or percentage rounded down). */
  readonly failureTolerance: number;
  /** Initial concurrency: the configured maximum, capped at tolerance + 1 in strict mode (which then
   *  lowers it by one per failure). */
  readonly maxConcurrent: number;
  readonly mode: ConcurrencyMode;
  /** Strict mode lowered the configured maximum. */
  readonly capped: boolean;
}

export interface RolloutPlan {
  /** Waves before the members, one stack each (admin, payer), in dependency order. */
  readonly platform: readonly RolloutUnit[];
  /** The member wave, in start order (region order applied). */
  readonly members: readonly RolloutUnit[];
  readonly limits: RolloutLimits;
}

export type StackStatus = "succeeded" | "failed" | "skipped";

export interface StackOutcome {
  readonly unit: RolloutUnit;
  readonly status: StackStatus;
  /** The runner's detail (succeeded/failed) or why it was not started (skipped). */
  readonly detail?: string;
  /** Position in the start order, from 0; absent when skipped. */
  readonly startIndex?: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly durationMs?: number;
}

export interface RolloutResult {
  /** Every stack, in planned order (platform waves, then members in start order). */
  readonly outcomes: readonly StackOutcome[];
  /** Stack names in the order they were started. */
  readonly startOrder: readonly string[];
  readonly limits: RolloutLimits;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  /** Member failures exceeded the tolerance, so members were left unstarted (or would have been). */
  readonly toleranceExceeded: boolean;
  /** The admin or payer stack whose failure stopped the rollout. */
  readonly stoppedBy?: string;
  /** Most members applying at the same time. */
  readonly peakConcurrency: number;
  readonly durationMs: number;
  /** 1 when anything failed, else 0. */
  readonly exitCode: 0 | 1;
}

/** A stack list or policy the scheduler cannot run (unknown or circular dependsOn). */
export class RolloutPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RolloutPlanError";
  }
}

function share(percentage: number, of: number): number {
  return Math.floor((percentage * of) / 100);
}

/** Resolves counts and percentages against the number of members, as StackSets do. */
export function resolveRolloutLimits(policy: RolloutPolicy, memberCount: number): RolloutLimits {
  const configuredMaxConcurrent =
    policy.maxConcurrentCount ??
    (policy.maxConcurrentPercentage !== undefined
      ? Math.max(1, share(policy.maxConcurrentPercentage, memberCount))
      : 1);
  const failureTolerance =
    policy.failureToleranceCount ??
    (policy.failureTolerancePercentage !== undefined
      ? share(policy.failureTolerancePercentage, memberCount)
      : 0);
  const mode = policy.concurrencyMode ?? "STRICT_FAILURE_TOLERANCE";
  const maxConcurrent =
    mode === "STRICT_FAILURE_TOLERANCE"
      ? Math.min(configuredMaxConcurrent, failureTolerance + 1)
      : configuredMaxConcurrent;
  return {
    memberCount,
    configuredMaxConcurrent,
    failureTolerance,
    maxConcurrent,
    mode,
    capped: maxConcurrent < configuredMaxConcurrent,
  };
}

const PLATFORM_RANK: Record<string, number> = { admin: 0, payer: 1 };

/** Orders the stacks into waves and resolves the limits. Throws RolloutPlanError on bad dependsOn. */
export function planRollout(stacks: readonly RolloutStack[], policy: RolloutPolicy = {}): RolloutPlan {
  const byName = new Map<string, RolloutStack>();
  for (const s of stacks) {
    if (byName.has(s.stack)) throw new RolloutPlanError(`stack "${s.stack}" is listed twice`);
    byName.set(s.stack, s);
  }
  for (const s of stacks) {
    for (const dep of s.dependsOn) {
      const target = byName.get(dep);
      if (!target) {
        throw new RolloutPlanError(
          `stack "${s.stack}" depends on "${dep}", which is not in the rollout; stacks are: ${[...byName.keys()].join(", ")}`,
        );
      }
      if (s.kind !== "member" && target.kind === "member") {
        throw new RolloutPlanError(
          `${s.kind} stack "${s.stack}" depends on member "${dep}"; members roll out after admin and payer`,
        );
      }
    }
  }
  // Topological order; ties broken by admin before payer, then input order.
  const ordered: RolloutStack[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: RolloutStack, trail: string[]): void => {
    const st = state.get(s.stack);
    if (st === "done") return;
    if (st === "visiting") {
      throw new RolloutPlanError(`dependsOn forms a cycle: ${[...trail, s.stack].join(" → ")}`);
    }
    state.set(s.stack, "visiting");
    for (const dep of s.dependsOn) visit(byName.get(dep)!, [...trail, s.stack]);
    state.set(s.stack, "done");
    ordered.push(s);
  };
  const platform = stacks
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.kind !== "member")
    .sort((a, b) => (PLATFORM_RANK[a.s.kind] ?? 2) - (PLATFORM_RANK[b.s.kind] ?? 2) || a.i - b.i)
    .map(({ s }) => s);
  for (const s of platform) visit(s, []);
  const platformOrdered = [...ordered];

  const regionOrder = policy.regionOrder ?? [];
  const regionRank = (s: RolloutStack): number => {
    const i = regionOrder.indexOf(s.regions[0] ?? "");
    return i === -1 ? regionOrder.length : i;
  };
  const members = stacks
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.kind === "member")
    .sort((a, b) => regionRank(a.s) - regionRank(b.s) || a.i - b.i)
    .map(({ s }) => s);
  for (const s of members) visit(s, []); // cycle check only; members start in region order
  const memberWave = platformOrdered.length + 1;
  return {
    platform: platformOrdered.map((s, i) => ({ ...s, wave: i + 1 })),
    members: members.map((s) => ({ ...s, wave: memberWave })),
    limits: resolveRolloutLimits(policy, members.length),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Rolls the stacks out in waves (see the file comment) and reports per stack. */
export async function runRollout(
  stacks: readonly RolloutStack[],
  options: RolloutOptions,
): Promise<RolloutResult> {
  const plan = planRollout(stacks, options.policy);
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});
  const total = plan.platform.length + plan.members.length;
  const outcomes = new Map<string, StackOutcome>();
  const startOrder: string[] = [];
  const begin = now();

  const skip = (unit: RolloutUnit, reason: string): void => {
    outcomes.set(unit.stack, { unit, status: "skipped", detail: reason });
    emit({ type: "skipped", unit, reason });
  };

  const run = async (unit: RolloutUnit, running: number): Promise<StackOutcome> => {
    const startIndex = startOrder.length;
    startOrder.push(unit.stack);
    const startedAt = now();
    emit({ type: "started", unit, at: startedAt, running });
    let outcome: RunOutcome;
    try {
      outcome = await options.runner(unit);
    } catch (error) {
      outcome = { ok: false, detail: errorText(error) };
    }
    const finishedAt = now();
    const status = outcome.ok ? "succeeded" : "failed";
    const result: StackOutcome = {
      unit,
      status,
      ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
      startIndex,
      startedAt,
      finishedAt,
      durationMs: finishedAt - startedAt,
    };
    outcomes.set(unit.stack, result);
    emit({
      type: "finished",
      unit,
      status,
      ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
      at: finishedAt,
      durationMs: finishedAt - startedAt,
      done: outcomes.size,
      total,
    });
    return result;
  };

  let stoppedBy: string | undefined;
  for (const unit of plan.platform) {
    if (stoppedBy !== undefined) {
      skip(unit, `not started: ${stoppedBy} failed`);
      continue;
    }
    const result = await run(unit, 1);
    if (result.status === "failed") stoppedBy = unit.stack;
  }

  let peakConcurrency = 0;
  let memberFailures = 0;
  const { failureTolerance, maxConcurrent } = plan.limits;
  if (stoppedBy !== undefined) {
    for (const unit of plan.members) skip(unit, `not started: ${stoppedBy} failed`);
  } else {
    await new Promise<void>((resolve, reject) => {
      const pending = [...plan.members];
      let running = 0;
      const blockedBy = (unit: RolloutUnit): string | undefined =>
        unit.dependsOn.find((dep) => {
          const o = outcomes.get(dep);
          return o !== undefined && o.status !== "succeeded";
        });
      const ready = (unit: RolloutUnit): boolean =>
        unit.dependsOn.every((dep) => outcomes.get(dep)?.status === "succeeded");
      const pump = (): void => {
        // Dependents of failed or skipped stacks are skipped, repeatedly (chains of members).
        for (let changed = true; changed; ) {
          changed = false;
          for (let i = 0; i < pending.length; i++) {
            const dep = blockedBy(pending[i]);
            if (dep === undefined) continue;
            const [unit] = pending.splice(i, 1);
            const status = outcomes.get(dep)?.status === "failed" ? "failed" : "was not started";
            skip(unit, `not started: depends on ${dep}, which ${status}`);
            changed = true;
            i--;
          }
        }
        // Strict mode lowers the concurrency by one per failure (CloudFormation's definition).
        const limit =
          plan.limits.mode === "STRICT_FAILURE_TOLERANCE"
            ? Math.min(maxConcurrent, failureTolerance + 1 - memberFailures)
            : maxConcurrent;
        while (memberFailures <= failureTolerance && running < limit) {
          const i = pending.findIndex(ready);
          if (i === -1) break;
          const [unit] = pending.splice(i, 1);
          running += 1;
          peakConcurrency = Math.max(peakConcurrency, running);
          run(unit, running)
            .then((result) => {
              running -= 1;
              if (result.status === "failed") memberFailures += 1;
              pump();
            })
            .catch(reject); // only a throwing onEvent gets here: the runner's errors are failures
        }
        if (running === 0) {
          const reason =
            memberFailures > failureTolerance
              ? `not started: failure tolerance exceeded (${memberFailures} failed, tolerance ${failureTolerance})`
              : "not started: its dependencies never completed";
          for (const unit of pending.splice(0)) skip(unit, reason);
          resolve();
        }
      };
      pump();
    });
  }

  const ordered = [...plan.platform, ...plan.members].map((u) => outcomes.get(u.stack)!);
  const count = (status: StackStatus): number => ordered.filter((o) => o.status === status).length;
  const failed = count("failed");
  return {
    outcomes: ordered,
    startOrder,
    limits: plan.limits,
    succeeded: count("succeeded"),
    failed,
    skipped: count("skipped"),
    toleranceExceeded: memberFailures > failureTolerance,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    peakConcurrency,
    durationMs: now() - begin,
    exitCode: failed > 0 ? 1 : 0,
  };
}
