/**
 * Wave scheduler benchmark: deploy/waves.ts's scheduler (runRollout) driving a STAND-IN Terraform
 * (a runner that resolves after a fixed latency; no Terraform, no emulator) over N member stacks
 * at max concurrency 1, 8 and 50, with and without one failing stack under failure tolerance.
 * Measures the makespan against the ideal ceil(N / c) × latency, so what is left is the
 * scheduler's own overhead and whether it streams (starts the next stack as soon as one finishes)
 * rather than waiting for a whole wave.
 *
 *   npx tsx bench/waves.ts [--stacks 500] [--latency 150] [--concurrency 1,8,50] [--out bench/results]
 *
 * Policy per level: strict failure tolerance (CloudFormation's default) with tolerance c, so the
 * initial concurrency is min(c, c + 1) = c and, after the one failure, c + 1 - 1 = c: one failure
 * under tolerance leaves the concurrency where it was. The failing stack fails after the same
 * latency (a Terraform apply that errors late), so the ideal with one failure is the same
 * ceil(N / c) × latency: every stack still occupies one slot for one latency, and nothing is skipped.
 * Writes <out>/waves.json and <out>/waves.md.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RolloutStack, runRollout } from "../deploy/waves";
import { LoadSampler, machineInfo, round1 } from "./machine";

interface Case {
  readonly concurrency: number;
  readonly failing: boolean;
  readonly stacks: number;
  readonly latencyMs: number;
  readonly idealMs: number;
  readonly makespanMs: number;
  /** makespan / ideal − 1, in percent. */
  readonly overPercent: number;
  readonly withinTarget: boolean;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly peakConcurrency: number;
  /** Mean time between one stack finishing and the next one starting, when one was waiting. */
  readonly meanRestartGapMs: number;
  /**
   * The makespan a perfect streaming scheduler would reach with the applies' measured durations
   * (the stand-in's timer lateness included): each stack, in start order, starts the moment a slot
   * frees. makespan / this − 1 is the scheduler's own overhead.
   */
  readonly perfectWithMeasuredMs: number;
  readonly schedulerOverPercent: number;
  /** Mean measured apply time of the stand-in minus its nominal latency: the timer's lateness. */
  readonly meanStandInLatenessMs: number;
  readonly loadAtStart: number;
}

const TARGET_PERCENT = 5;

function memberStacks(n: number): RolloutStack[] {
  return Array.from({ length: n }, (_, i) => ({
    stack: `member-gen-${String(i + 1).padStart(4, "0")}`,
    kind: "member" as const,
    accountId: String(100_000_000_000 + i),
    accountName: `gen-${i + 1}`,
    regions: [i % 2 === 0 ? "us-east-1" : "eu-west-1"],
    dependsOn: [],
  }));
}

async function runCase(n: number, concurrency: number, latencyMs: number, failing: boolean): Promise<Case> {
  const stacks = memberStacks(n);
  // The failing stack sits in the middle of the order, so the rollout continues past it.
  const failingStack = failing ? stacks[Math.floor(n / 2)]!.stack : undefined;
  const finishes: number[] = [];
  const starts: number[] = [];
  const loadAtStart = round1(os.loadavg()[0]!);
  const t0 = performance.now();
  const result = await runRollout(stacks, {
    policy: {
      maxConcurrentCount: concurrency,
      failureToleranceCount: concurrency,
      concurrencyMode: "STRICT_FAILURE_TOLERANCE",
    },
    now: () => performance.now(),
    // The stand-in Terraform: every apply takes `latencyMs`; one fails (late, like an apply error).
    runner: (unit) =>
      new Promise((resolve) =>
        setTimeout(
          () =>
            resolve(
              unit.stack === failingStack
                ? { ok: false, detail: "stand-in Terraform: scripted failure" }
                : { ok: true },
            ),
          latencyMs,
        ),
      ),
    onEvent: (e) => {
      if (e.type === "started") starts.push(e.at);
      if (e.type === "finished") finishes.push(e.at);
    },
  });
  const makespanMs = performance.now() - t0;
  // Restart gap: for each start after the first `concurrency`, the time since the latest finish before it.
  const gaps: number[] = [];
  for (const s of starts.slice(concurrency)) {
    const before = finishes.filter((f) => f <= s);
    if (before.length) gaps.push(s - before[before.length - 1]!);
  }
  const idealMs = Math.ceil(n / concurrency) * latencyMs;
  const durations = result.outcomes.flatMap((o) => (o.durationMs === undefined ? [] : [o.durationMs]));
  const lateness = durations.reduce((a, d) => a + d, 0) / durations.length - latencyMs;
  const byStart = result.outcomes
    .filter((o) => o.startIndex !== undefined && o.durationMs !== undefined)
    .sort((a, b) => a.startIndex! - b.startIndex!);
  const slots = new Array<number>(concurrency).fill(0);
  for (const o of byStart) {
    const i = slots.indexOf(Math.min(...slots));
    slots[i] = slots[i]! + o.durationMs!;
  }
  const perfect = Math.max(...slots);
  const overPercent = (makespanMs / idealMs - 1) * 100;
  return {
    concurrency,
    failing,
    stacks: n,
    latencyMs,
    idealMs,
    makespanMs: Math.round(makespanMs),
    overPercent: Math.round(overPercent * 100) / 100,
    withinTarget: overPercent <= TARGET_PERCENT,
    succeeded: result.succeeded,
    failed: result.failed,
    skipped: result.skipped,
    peakConcurrency: result.peakConcurrency,
    meanRestartGapMs: gaps.length
      ? Math.round((gaps.reduce((a, b) => a + b, 0) / gaps.length) * 100) / 100
      : 0,
    perfectWithMeasuredMs: Math.round(perfect),
    schedulerOverPercent: Math.round((makespanMs / perfect - 1) * 10000) / 100,
    meanStandInLatenessMs: Math.round(lateness * 100) / 100,
    loadAtStart,
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const n = Number(arg("--stacks") ?? 500);
  const latencyMs = Number(arg("--latency") ?? 150);
  const levels = (arg("--concurrency") ?? "1,8,50").split(",").map(Number);
  const outDir = arg("--out") ?? path.join(__dirname, "results");

  const load = new LoadSampler(5_000);
  const started = Date.now();
  const cases: Case[] = [];
  try {
    for (const c of levels) {
      for (const failing of [false, true]) {
        const r = await runCase(n, c, latencyMs, failing);
        console.log(
          `c=${c}${failing ? " one failing" : ""}: ${r.makespanMs} ms vs ideal ${r.idealMs} ms (+${r.overPercent}%), ${r.succeeded} ok ${r.failed} failed ${r.skipped} skipped, peak ${r.peakConcurrency}, restart gap ${r.meanRestartGapMs} ms, stand-in lateness ${r.meanStandInLatenessMs} ms, scheduler +${r.schedulerOverPercent}% over a perfect one with the measured durations`,
        );
        cases.push(r);
      }
    }
  } finally {
    load.stop();
  }
  const env = machineInfo(started, load);
  const allWithin = cases.every((c) => c.withinTarget);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, "waves.json"),
    `${JSON.stringify({ kind: "finops-landing/bench-waves", runner: "stand-in Terraform (fixed latency)", targetPercent: TARGET_PERCENT, env, cases }, null, 2)}\n`,
  );
  const md = [
    "# Wave scheduler benchmark (stand-in Terraform)",
    "",
    `deploy/waves.ts's scheduler (\`runRollout\`, StackSet semantics) over ${n} member stacks, each applied by a **stand-in Terraform**: a runner that resolves after a fixed ${latencyMs} ms (no Terraform, no emulator). Real applies take tens of seconds; the stand-in isolates the scheduler. ${latencyMs} ms rather than 200 ms keeps the whole benchmark to about ${round1((2 * levels.reduce((a, c) => a + Math.ceil(n / c), 0) * latencyMs) / 1000)} s (concurrency 1 alone is ${n} × ${latencyMs} ms = ${round1((n * latencyMs) / 1000)} s per case, twice). ${env.cpus} CPUs (${env.cpuModel}), Node ${env.node}, ${env.date}. Command: \`npm run bench:waves\`.`,
    "",
    `Policy: strict failure tolerance (CloudFormation's default), max concurrent c, failure tolerance c, so the concurrency is c before and after one failure. With one failing stack (the middle one; it fails after the same ${latencyMs} ms, like an apply that errors late) the ideal is unchanged, ceil(N / c) × latency: every stack still holds one slot for one latency and none is skipped. Target: makespan within ${TARGET_PERCENT}% of the ideal.`,
    "",
    "| Max concurrency | One failing stack | Ideal (ms) | Makespan (ms) | Over ideal | Within 5% | Succeeded | Failed | Skipped | Peak concurrent | Mean restart gap (ms) | Stand-in lateness (ms) | Perfect scheduler, measured durations (ms) | Scheduler's own overhead | Load at start |",
    "|--:|:--|--:|--:|--:|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...cases.map(
      (c) =>
        `| ${c.concurrency} | ${c.failing ? "yes" : "no"} | ${c.idealMs} | ${c.makespanMs} | ${c.overPercent}% | ${c.withinTarget ? "yes" : "**NO**"} | ${c.succeeded} | ${c.failed} | ${c.skipped} | ${c.peakConcurrency} | ${c.meanRestartGapMs} | ${c.meanStandInLatenessMs} | ${c.perfectWithMeasuredMs} | ${c.schedulerOverPercent}% | ${c.loadAtStart} |`,
    ),
    "",
    allWithin
      ? `Every case is within ${TARGET_PERCENT}% of the ideal: the scheduler streams (a finished stack's slot is refilled in the same turn of the event loop, see the restart gap) rather than waiting for a wave, and one failure under tolerance neither lowers the concurrency nor skips anything.`
      : `Not every case is within ${TARGET_PERCENT}% of the ideal (marked NO above). The scheduler's own overhead column says whose time it is: a perfect streaming scheduler given the same measured apply durations (the stand-in's timer lateness included) would finish within that much of this makespan, so what is left over the ideal is the stand-in's timers firing late on a loaded machine, not the scheduler waiting.`,
    `What is over the ideal is the stand-in's own timer lateness (setTimeout fires at or after its delay, later on a loaded machine; the lateness column is the mean measured apply time minus ${latencyMs} ms, and at concurrency 1 it is paid once per stack, ${n} times) plus the scheduler's work per finished stack (the restart gap: from a stack finishing to the next one starting). Note that in strict mode a tolerance below c - 1 caps the concurrency at tolerance + 1 (StackSets' rule): a rollout configured at 50 with tolerance 1 runs 2 at a time.`,
    "",
    `Run ${env.totalSeconds} s. The machine was shared: 1-minute load average ${env.loadAverage1m.atStart} at the start, mean ${env.loadAverage1m.mean}, max ${env.loadAverage1m.max} (sampled every 5 s; ${env.cpus} CPUs).`,
    "",
  ].join("\n");
  writeFileSync(path.join(outDir, "waves.md"), md);
  console.log(md);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
