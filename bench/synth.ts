/**
 * Synth benchmark: time and peak memory to validate and synthesize organizations of 3, 500, 2,000
 * and 5,000 member accounts (generated configs, local target). Each size runs in its own process,
 * so the peak RSS is that size's alone. All sizes share one bundle cache, filled by an untimed
 * warm-up synth first, so every size pays the same (cached) bundling and the differences between
 * sizes are the members' own cost. The marginal cost per member at a size is the slope from the
 * previous size: (synth(N) − synth(prev)) / (N − prev). Targets (issue 18): peak RSS ≤ 2 GiB at
 * 5,000, marginal ms per member at 5,000 within 1.25× of that at 500.
 *
 *   npx tsx bench/synth.ts [--sizes 3,500,2000,5000] [--out bench/results]
 *
 * Writes <out>/synth.json and <out>/synth.md.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { parseAccountConfig } from "../config/load";
import { targetFor } from "../config/target";
import { synthLanding } from "../deploy/synth";
import { LoadSampler, machineInfo, round1 } from "./machine";

const BASE_FILE = path.join(__dirname, "../accounts/local.yaml");

/** A valid config with `n` generated members (ids 100000000000 + i, two regions alternating). */
export function generatedConfigYaml(n: number, idBase = 100_000_000_000): string {
  const doc = (require("yaml") as typeof import("yaml")).parse(readFileSync(BASE_FILE, "utf8"));
  doc.members = Array.from({ length: n }, (_, i) => ({
    id: String(idBase + i),
    name: `gen-${String(i + 1).padStart(4, "0")}`,
    email: `gen-${i + 1}@example.com`,
    ou: i % 3 === 0 ? "Sandbox" : "Workloads",
    environment: i % 3 === 0 ? "sandbox" : "dev",
    owner: `team-${i % 10}`,
    regions: i % 2 === 0 ? ["us-east-1"] : ["eu-west-1"],
  }));
  doc.rollout = { maxConcurrentCount: 4, failureToleranceCount: 1 };
  return stringify(doc);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

interface SynthResult {
  readonly members: number;
  readonly stacks: number;
  readonly validateMs: number;
  readonly synthMs: number;
  readonly peakRssMb: number;
  readonly outputMb: number;
  /** 1-minute load average when this size started. */
  readonly loadAtStart?: number;
}

function child(n: number): SynthResult {
  const out = mkdtempSync(path.join(os.tmpdir(), "finops-bench-synth-"));
  try {
    const text = generatedConfigYaml(n);
    const t0 = performance.now();
    const config = parseAccountConfig(text, `generated-${n}.yaml`);
    const t1 = performance.now();
    const stacks = synthLanding(
      config,
      path.join(out, "synth"),
      targetFor(config, { FINOPS_LOCAL_DIR: out }),
    );
    const t2 = performance.now();
    return {
      members: n,
      stacks: stacks.length,
      validateMs: Math.round(t1 - t0),
      synthMs: Math.round(t2 - t1),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      outputMb: Math.round(dirBytes(out) / 1024 / 102.4) / 10,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  if (arg("--child")) {
    process.stdout.write(JSON.stringify(child(Number(arg("--child")))));
    return;
  }
  const sizes = (arg("--sizes") ?? "3,500,2000,5000").split(",").map(Number);
  const outDir = arg("--out") ?? path.join(__dirname, "results");
  // --token-traces on: every size with cdktf's token stack traces kept (FINOPS_TOKEN_TRACES=on,
  // deploy/token-traces.ts): the synth as it was before synthLanding turned them off.
  const tracesOn = arg("--token-traces") === "on";
  const name = tracesOn ? "synth-token-traces-on" : "synth";
  const tsx = path.join(__dirname, "../node_modules/.bin/tsx");
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), "finops-bench-synth-cache-"));
  const childEnv = {
    ...process.env,
    FINOPS_BUNDLE_CACHE_DIR: cacheDir,
    ...(tracesOn ? { FINOPS_TOKEN_TRACES: "on" } : {}),
  };
  const started = Date.now();
  const load = new LoadSampler();
  const results: SynthResult[] = [];
  const synthOf = (n: number): SynthResult =>
    JSON.parse(
      execFileSync(tsx, [__filename, "--child", String(n)], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
        env: childEnv,
      }),
    ) as SynthResult;
  try {
    synthOf(1); // warm-up: fills the bundle cache, not recorded
  } catch (e) {
    rmSync(cacheDir, { recursive: true, force: true });
    throw e;
  }
  for (const n of sizes) {
    load.sample();
    const r = { ...synthOf(n), loadAtStart: round1(load.samples[load.samples.length - 1]!) };
    load.sample();
    console.log(
      `${String(n).padStart(4)} members: ${r.stacks} stacks, validate ${r.validateMs} ms, synth ${r.synthMs} ms, peak RSS ${r.peakRssMb} MB, output ${r.outputMb} MB`,
    );
    results.push(r);
  }
  rmSync(cacheDir, { recursive: true, force: true });
  load.stop();
  const env = machineInfo(started, load);
  // Undefined for the first size and for a size this run did not measure (at() = -1).
  const marginal = (i: number): number | undefined =>
    i <= 0
      ? undefined
      : (results[i]!.synthMs - results[i - 1]!.synthMs) / (results[i]!.members - results[i - 1]!.members);
  const at = (members: number) => results.findIndex((r) => r.members === members);
  const m500 = marginal(at(500));
  const m5000 = marginal(at(5000));
  const largest = results[results.length - 1]!;
  const targets = {
    peakRssAt5000Mb: at(5000) === -1 ? null : results[at(5000)]!.peakRssMb,
    peakRssWithin2GiB: at(5000) === -1 ? null : results[at(5000)]!.peakRssMb <= 2048,
    marginalRatio5000To500:
      m500 === undefined || m5000 === undefined ? null : Math.round((m5000 / m500) * 100) / 100,
    marginalWithin125: m500 === undefined || m5000 === undefined ? null : m5000 / m500 <= 1.25,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, `${name}.json`),
    `${JSON.stringify({ kind: "finops-landing/bench-synth", tokenStackTraces: tracesOn, env, targets, results }, null, 2)}\n`,
  );
  const md = [
    tracesOn
      ? "# Synth benchmark, cdktf's token stack traces on (before deploy/token-traces.ts)"
      : "# Synth benchmark",
    "",
    ...(tracesOn
      ? [
          "Every size with cdktf's per-token stack traces kept (`FINOPS_TOKEN_TRACES=on`), as every synth was before synthLanding turned them off (deploy/token-traces.ts); the synthesized files are the same bytes either way. The synth as it is: synth.md.",
          "",
        ]
      : [
          "The synth as synthLanding runs it, cdktf's per-token stack traces off (deploy/token-traces.ts). The same sizes with them kept: synth-token-traces-on.md.",
          "",
        ]),
    `Generated organizations (payer, admin and N members, local target), validated with the zod schema and synthesized in-process, one process per size. ${env.cpus} CPUs (${env.cpuModel}), Node ${env.node}, ${env.date}. Command: \`npx tsx bench/synth.ts${tracesOn ? " --token-traces on" : ""}\`.`,
    "",
    "| Members | Stacks | Validate (ms) | Synth (ms) | Marginal ms per member | Peak RSS (MB) | Output (MB) | Load at start |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...results.map(
      (r, i) =>
        `| ${r.members} | ${r.stacks} | ${r.validateMs} | ${r.synthMs} | ${marginal(i)?.toFixed(1) ?? "-"} | ${r.peakRssMb} | ${r.outputMb} | ${r.loadAtStart ?? "-"} |`,
    ),
    "",
    "The marginal column is the slope from the previous size, (synth(N) − synth(previous)) / (N − previous): what each further member costs around that size. Every size reads the function bundles from one bundle cache filled by an untimed warm-up synth, so the fixed cost is the same in every row.",
    "",
    `Targets (issue 18): peak RSS at 5,000 members ≤ 2 GiB (2,048 MB): ${targets.peakRssWithin2GiB === null ? "not measured" : `${targets.peakRssAt5000Mb} MB, ${targets.peakRssWithin2GiB ? "met" : "**missed**"}`}; marginal cost per member at 5,000 within 1.25× of that at 500: ${targets.marginalRatio5000To500 === null ? "not measured" : `${targets.marginalRatio5000To500}×, ${targets.marginalWithin125 ? "met" : "**missed**"}`}.`,
    "",
    `Run ${env.totalSeconds} s (largest: ${largest.members} members, ${largest.synthMs} ms). Timings are wall-clock on a shared ${env.cpus}-CPU machine: 1-minute load average ${env.loadAverage1m.atStart} at the start, mean ${env.loadAverage1m.mean}, max ${env.loadAverage1m.max} (sampled before and after each size); compare the ratios within this run, not absolute numbers across runs.`,
    "",
  ].join("\n");
  writeFileSync(path.join(outDir, `${name}.md`), md);
  console.log(`wrote ${path.join(outDir, `${name}.json`)} and ${name}.md`);
}

// Only when run as a script: bench/rollout.ts imports generatedConfigYaml from here.
if (require.main === module) main(process.argv.slice(2));
