/**
 * Pull-request plan latency for adding one account, at 20, 500 and 2,000 members: the generated
 * organization at N members is the previous config (main), the same config with one more member
 * is the pull request's. Measured per size, in one run:
 *  - full path (what `npm run plan -- --changed-only <ref>` did before the selective synth): a full
 *    synth of the previous config (the base) and of the new config, and the diff of the two
 *    (diffSynthDirs): the changed stacks;
 *  - selective path (deploy/selective-synth.ts): both configs in-process, only the stacks the config
 *    change can affect (deploy/affected-stacks.ts);
 *  - then `terraform init` + `terraform plan` of the changed member stacks against the emulator
 *    (moto on BENCH_MOTO_PORT, default 4730, own state; never anything but the emulator).
 * Latency = synth phase + plan phase. Each size's synths run in their own process (peak RSS is that
 * size's); the plans run here. Target (issue 18): the 2,000-member latency at most 2× the 20-member one.
 *
 *   TF_PROVIDER_MIRROR=<mirror> npx tsx bench/plan-latency.ts [--sizes 20,500,2000] [--token-traces on] [--out bench/results]
 *
 * --token-traces on keeps cdktf's token stack traces (FINOPS_TOKEN_TRACES=on, deploy/token-traces.ts),
 * as every synth was before synthLanding turned them off: plan-latency-token-traces-on.{md,json}.
 *
 * The admin stack also changes when a member is added (the API's member environments) and the
 * bootstrap stack (its read role); the benchmark plans the member stacks only: an admin plan on the
 * emulator from empty state would create the whole platform (not a pull request's update of one
 * function's environment), and the pipeline never plans the bootstrap stack. Writes
 * <out>/plan-latency.json and <out>/plan-latency.md.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAccountConfig } from "../config/load";
import type { AccountConfig } from "../config/schema";
import { targetFor } from "../config/target";
import { selectiveSynth } from "../deploy/selective-synth";
import { diffSynthDirs } from "../deploy/stack-identity";
import { stackDir, synthLanding } from "../deploy/synth";
import { lastLines, terraformEnv, terraformInit, terraformPlan } from "../deploy/terraform";
import { ensureGapFiller, ensureMoto, stopLocalServices } from "../emulator/moto-server";
import { bootstrapOrganization } from "../local/bootstrap-org";
import { LoadSampler, machineInfo, round1 } from "./machine";
import { generatedConfigYaml } from "./synth";

const ID_BASE = 300_000_000_000;

/** What one size's synth process reports. */
interface SynthPhase {
  readonly members: number;
  readonly validateMs: number;
  readonly fullBaseSynthMs: number;
  readonly fullHeadSynthMs: number;
  readonly fullDiffMs: number;
  readonly fullChanged: string[];
  readonly selectiveMs: number;
  readonly selectiveSynthesized: string[];
  readonly selectiveChanged: string[];
  readonly peakRssMb: number;
}

interface SizeResult extends SynthPhase {
  readonly plannedStacks: string[];
  readonly planMs: number;
  readonly fullLatencyMs: number;
  readonly selectiveLatencyMs: number;
  readonly loadAtStart: number;
}

function configs(n: number): { previous: AccountConfig; next: AccountConfig } {
  return {
    previous: parseAccountConfig(generatedConfigYaml(n, ID_BASE), `generated-${n}.yaml`),
    next: parseAccountConfig(generatedConfigYaml(n + 1, ID_BASE), `generated-${n + 1}.yaml`),
  };
}

/** Child: the synth phase of one size, written into `work` (head synth in work/head). */
function child(n: number, work: string): SynthPhase {
  const env = { ...process.env, FINOPS_LOCAL_DIR: work };
  // Warm-up (untimed): the first synth in a process loads the provider bindings and compiles them,
  // a cost the CI job pays once whatever the size; measured, it would only inflate the small sizes.
  const warm = configs(1);
  synthLanding(warm.previous, path.join(work, "warm-up"), targetFor(warm.previous, env));
  rmSync(path.join(work, "warm-up"), { recursive: true, force: true });
  const t0 = performance.now();
  const { previous, next } = configs(n);
  const validateMs = performance.now() - t0;
  const t1 = performance.now();
  synthLanding(previous, path.join(work, "base"), targetFor(previous, env));
  const t2 = performance.now();
  synthLanding(next, path.join(work, "head"), targetFor(next, env));
  const t3 = performance.now();
  const diff = diffSynthDirs(path.join(work, "head"), path.join(work, "base"));
  const t4 = performance.now();
  const s0 = performance.now();
  // Validation of both configs is part of the pull request's cost on this path too.
  const c = configs(n);
  const r = selectiveSynth(c.previous, c.next, path.join(work, "selective"), targetFor(c.next, env));
  const selective = {
    selectiveMs: Math.round(performance.now() - s0),
    selectiveSynthesized: [...r.synthesized],
    selectiveChanged: [...r.diff.changed],
  };
  return {
    members: n,
    validateMs: Math.round(validateMs),
    fullBaseSynthMs: Math.round(t2 - t1),
    fullHeadSynthMs: Math.round(t3 - t2),
    fullDiffMs: Math.round(t4 - t3),
    fullChanged: diff.changed,
    ...selective,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  if (arg("--child")) {
    process.stdout.write(JSON.stringify(child(Number(arg("--child")), arg("--work")!)));
    return;
  }
  const sizes = (arg("--sizes") ?? "20,500,2000").split(",").map(Number);
  const outDir = arg("--out") ?? path.join(__dirname, "results");
  // --token-traces on: the synths keep cdktf's token stack traces (as before deploy/token-traces.ts).
  const tracesOn = arg("--token-traces") === "on";
  const name = tracesOn ? "plan-latency-token-traces-on" : "plan-latency";
  const port = Number(process.env.BENCH_MOTO_PORT || 4730);
  const root = mkdtempSync(path.join(os.tmpdir(), "finops-bench-plan-latency-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FINOPS_MOTO_PORT: String(port),
    FINOPS_GAPS_PORT: String(port + 1),
    FINOPS_LOCAL_DIR: root,
    // One bundle cache for every size, filled by the first synth (a CI runner restores it).
    FINOPS_BUNDLE_CACHE_DIR: path.join(root, "bundle-cache"),
    ...(tracesOn ? { FINOPS_TOKEN_TRACES: "on" } : {}),
  };
  const tsx = path.join(__dirname, "../node_modules/.bin/tsx");
  const load = new LoadSampler(15_000);
  const started = Date.now();
  const results: SizeResult[] = [];
  try {
    const moto = await ensureMoto(port, root);
    await ensureGapFiller(port + 1, moto.endpoint, root);
    const tfEnv = { ...terraformEnv(root, env), FINOPS_MOTO_PORT: String(port) };
    // Warm-up (untimed): fills the bundle cache, so every size pays the same cached bundling, and
    // Terraform's plugin cache (the first init links the AWS provider in), as on a CI runner with
    // the provider cache restored.
    const warmDir = path.join(root, "warm-up");
    const warm = JSON.parse(
      execFileSync(tsx, [__filename, "--child", "1", "--work", warmDir], {
        env: { ...env, FINOPS_LOCAL_DIR: warmDir },
        encoding: "utf8",
      }),
    ) as SynthPhase;
    // A whole plan of the warm-up's new member, so the first timed plan is not also the first to
    // start the provider binary (its pages then come from the OS cache, as in a running job).
    const warmConfigs = configs(1);
    const warmMember = warmConfigs.next.members[warmConfigs.next.members.length - 1]!;
    await bootstrapOrganization({ ...warmConfigs.next, members: [warmMember] }, moto.endpoint);
    for (const stack of warm.fullChanged.filter((s) => s.startsWith("member-"))) {
      const dir = stackDir(path.join(warmDir, "head"), stack);
      const warmEnv = { ...tfEnv, FINOPS_LOCAL_DIR: warmDir };
      const init = await terraformInit(dir, warmEnv);
      if (init.code !== 0)
        throw new Error(`terraform init (warm-up): ${lastLines(init.stderr || init.stdout)}`);
      const plan = await terraformPlan(dir, warmEnv, path.join(warmDir, `${stack}.tfplan`));
      if (plan.code === 1)
        throw new Error(`terraform plan (warm-up): ${lastLines(plan.stderr || plan.stdout)}`);
    }
    for (const n of sizes) {
      const loadAtStart = round1(os.loadavg()[0]!);
      const work = path.join(root, `n${n}`);
      mkdirSync(work, { recursive: true });
      // FINOPS_LOCAL_DIR decides where the local target keeps state: per size, so plans start empty.
      const synth = JSON.parse(
        execFileSync(tsx, [__filename, "--child", String(n), "--work", work], {
          env: { ...env, FINOPS_LOCAL_DIR: work },
          encoding: "utf8",
          maxBuffer: 1 << 24,
        }),
      ) as SynthPhase;
      const changed = synth.selectiveChanged;
      const members = changed.filter((s) => s.startsWith("member-"));
      // The new member's account exists in the emulated organization (only it: the others' plans are not run).
      const { next } = configs(n);
      const added = next.members[next.members.length - 1]!;
      await bootstrapOrganization({ ...next, members: [added] }, moto.endpoint);
      const p0 = Date.now();
      for (const stack of members) {
        const dir = stackDir(path.join(work, "head"), stack);
        const init = await terraformInit(dir, { ...tfEnv, FINOPS_LOCAL_DIR: work });
        if (init.code !== 0)
          throw new Error(`terraform init ${stack}: ${lastLines(init.stderr || init.stdout)}`);
        const plan = await terraformPlan(
          dir,
          { ...tfEnv, FINOPS_LOCAL_DIR: work },
          path.join(work, `${stack}.tfplan`),
        );
        if (plan.code === 1)
          throw new Error(`terraform plan ${stack}: ${lastLines(plan.stderr || plan.stdout)}`);
      }
      const planMs = Date.now() - p0;
      const synthFull = synth.validateMs + synth.fullBaseSynthMs + synth.fullHeadSynthMs + synth.fullDiffMs;
      const r: SizeResult = {
        ...synth,
        plannedStacks: members,
        planMs,
        fullLatencyMs: synthFull + planMs,
        selectiveLatencyMs: synth.selectiveMs + planMs,
        loadAtStart,
      };
      console.log(JSON.stringify(r));
      results.push(r);
      load.sample();
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    load.stop();
    await stopLocalServices(root);
    rmSync(root, { recursive: true, force: true });
  }

  const envInfo = machineInfo(started, load);
  const first = results[0]!;
  const last = results[results.length - 1]!;
  const ratio = (f: (r: SizeResult) => number | undefined) => {
    const a = f(first);
    const b = f(last);
    return a === undefined || b === undefined ? null : Math.round((b / a) * 100) / 100;
  };
  const targets = {
    fullRatio: ratio((r) => r.fullLatencyMs),
    selectiveRatio: ratio((r) => r.selectiveLatencyMs),
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, `${name}.json`),
    `${JSON.stringify({ kind: "finops-landing/bench-plan-latency", tokenStackTraces: tracesOn, env: envInfo, targets, results }, null, 2)}\n`,
  );
  const s = (ms: number | undefined) => (ms === undefined ? "-" : (ms / 1000).toFixed(1));
  const verdict = (x: number | null) =>
    x === null ? "not measured" : `${x}× (${x <= 2 ? "met" : "**missed**"})`;
  const md = [
    tracesOn
      ? "# Pull-request plan latency: adding one account, cdktf's token stack traces on (before deploy/token-traces.ts)"
      : "# Pull-request plan latency: adding one account",
    "",
    ...(tracesOn
      ? [
          "Every synth keeps cdktf's per-token stack traces (`FINOPS_TOKEN_TRACES=on`), as before synthLanding turned them off (deploy/token-traces.ts; same synthesized bytes). The synth as it is: plan-latency.md.",
          "",
        ]
      : []),
    `Generated organizations (local target) of N members; the pull request adds member N + 1. Synth phase in a fresh process per size (one bundle cache for all, filled by an untimed warm-up; each process first synthesizes a one-member organization, untimed, so the provider bindings are loaded as in a running job), then \`terraform init\` + \`terraform plan\` of the changed member stacks against moto (emulator; after an untimed warm-up plan, so the provider is in Terraform's plugin cache and its binary in the OS cache, as on a runner with the cache restored). ${envInfo.cpus} CPUs (${envInfo.cpuModel}), Node ${envInfo.node}, ${envInfo.date}. Command: \`TF_PROVIDER_MIRROR=<mirror> npm run bench:plan-latency${tracesOn ? " -- --token-traces on" : ""}\`.`,
    "",
    "- **Full path**: validate both configs, full synth of the previous config (the base) and of the new one, diff → changed stacks (what `--changed-only` did before the selective synth).",
    "- **Selective path**: deploy/selective-synth.ts, both configs synthesized in-process for only the stacks the member edit can affect.",
    "",
    "| Members | Validate (s) | Base synth (s) | Head synth (s) | Diff (s) | Selective synth (s) | Changed stacks | Planned | Plan (s) | Latency, full path (s) | Latency, selective (s) | Peak RSS synth (MB) | Load at start |",
    "|--:|--:|--:|--:|--:|--:|:--|:--|--:|--:|--:|--:|--:|",
    ...results.map(
      (r) =>
        `| ${r.members} | ${s(r.validateMs)} | ${s(r.fullBaseSynthMs)} | ${s(r.fullHeadSynthMs)} | ${s(r.fullDiffMs)} | ${s(r.selectiveMs)} | ${r.selectiveChanged.join(", ")} | ${r.plannedStacks.join(", ")} | ${s(r.planMs)} | ${s(r.fullLatencyMs)} | ${s(r.selectiveLatencyMs)} | ${r.peakRssMb} | ${r.loadAtStart} |`,
    ),
    "",
    `Target: the ${last.members}-member latency at most 2× the ${first.members}-member one. Full path: ${verdict(targets.fullRatio)}. Selective path: ${verdict(targets.selectiveRatio)}.`,
    "",
    "The plan phase does not grow with the organization (one new member stack, planned from empty state); the full path's synths do (every member stack, twice). The admin stack changes too (the member config document the API reads) and is not planned here: on the emulator from empty state its plan would create the whole platform rather than update one object; the bootstrap stack is never planned by the pipeline (an admin applies it first).",
    "",
    `Run ${envInfo.totalSeconds} s. The machine was shared: 1-minute load average ${envInfo.loadAverage1m.atStart} at the start, mean ${envInfo.loadAverage1m.mean}, max ${envInfo.loadAverage1m.max} (sampled every 15 s; ${envInfo.cpus} CPUs); compare the ratios within this run.`,
    "",
  ].join("\n");
  writeFileSync(path.join(outDir, `${name}.md`), md);
  console.log(md);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
