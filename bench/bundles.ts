/**
 * Function bundle benchmark: for every Lambda function the landing deploys, the deployed zip's size
 * (zipped and unzipped, code and source map apart) and the module initialisation time (the median
 * of `--runs` fresh `node` processes each timing `require("./index.js")` of the unzipped package,
 * with the function's own environment from the synthesized stack and Lambda's NODE_OPTIONS), and
 * the time to synthesize accounts/local.yaml in a fresh process without the bundle cache, with an
 * empty one and with a warm one.
 *
 *   npx tsx bench/bundles.ts [--runs 11] [--out bench/results] [--name bundles]
 *
 * Synthesizes accounts/local.yaml into a temporary directory and measures the zips it wrote (the
 * Terraform assets themselves). Writes <out>/<name>.json and <out>/<name>.md; when
 * <out>/bundles-before.json exists, the Markdown compares against it.
 */

import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAccountConfig } from "../config/load";
import { targetFor } from "../config/target";
import { synthLanding } from "../deploy/synth";
import { unzipEntries } from "../modules/bundled-function";
import { LoadSampler, machineInfo, round1 } from "./machine";

const ROOT = path.join(__dirname, "..");
const CONFIG_FILE = path.join(ROOT, "accounts/local.yaml");

interface DeployedFunction {
  /** functions/<name>/handler.ts */
  readonly name: string;
  readonly zipPath: string;
  readonly environment: Record<string, string>;
}

/** Every aws_lambda_function of the synthesized stacks: its bundle, zip and environment. */
function deployedFunctions(synthDir: string): DeployedFunction[] {
  const found: DeployedFunction[] = [];
  const stacksDir = path.join(synthDir, "stacks");
  for (const stack of readdirSync(stacksDir).sort()) {
    const json = JSON.parse(readFileSync(path.join(stacksDir, stack, "cdk.tf.json"), "utf8")) as {
      resource?: {
        aws_lambda_function?: Record<
          string,
          { filename: string; environment?: { variables?: Record<string, string> } }
        >;
      };
    };
    for (const fn of Object.values(json.resource?.aws_lambda_function ?? {})) {
      const variables = fn.environment?.variables ?? {};
      const name = variables.POWERTOOLS_SERVICE_NAME ?? path.basename(fn.filename, ".zip");
      if (found.some((f) => f.name === name)) continue;
      found.push({ name, zipPath: path.join(stacksDir, stack, fn.filename), environment: variables });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The environment a function's module initialisation reads: the synthesized variables (a
 * Terraform reference such as a user pool id, unknown before apply, becomes a well-formed
 * stand-in), the region and stand-in credentials (the SDK clients are only constructed, never
 * called: no network), and what Lambda sets for a function.
 */
function initEnvironment(fn: DeployedFunction): NodeJS.ProcessEnv {
  const variables = Object.fromEntries(
    Object.entries(fn.environment).map(([k, v]) => [k, v.includes("${") ? standIn(k) : v]),
  );
  return {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_LAMBDA_FUNCTION_NAME: `finops-${fn.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "1",
    ...variables,
  };
}

function standIn(variable: string): string {
  if (variable === "USER_POOL_ID") return "us-east-1_Bench0000";
  throw new Error(
    `bench/bundles.ts: ${variable} is a Terraform reference at synth time; add a well-formed stand-in for it in standIn()`,
  );
}

/**
 * Wall-clock and CPU (user + system) milliseconds of `require("./index.js")` in a fresh node
 * process in `dir`. The CPU time depends less on what else the machine runs.
 */
const INIT_SCRIPT = [
  "const c = process.cpuUsage(); const t = performance.now();",
  'require("./index.js");',
  "const wall = performance.now() - t; const cpu = process.cpuUsage(c);",
  "process.stdout.write(JSON.stringify([wall, (cpu.user + cpu.system) / 1000]));",
].join(" ");

function initMs(dir: string, env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const r = spawnSync(process.execPath, ["-e", INIT_SCRIPT], { cwd: dir, env, encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`init in ${dir} failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const [wall, cpu] = JSON.parse(r.stdout) as [number, number];
  return { wall, cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const kib = (n: number) => round1(n / 1024);

interface FunctionResult {
  readonly name: string;
  readonly zippedKiB: number;
  readonly unzippedKiB: number;
  readonly codeKiB: number;
  readonly sourceMapKiB: number;
  /** Median module initialisation (require of index.js), wall-clock ms. */
  readonly initMs: number;
  /** Median CPU time (user + system) of the same, ms. */
  readonly initCpuMs: number;
  readonly initMsMin: number;
  readonly initMsMax: number;
}

interface SynthTimes {
  /** Synth of accounts/local.yaml in a fresh process without the bundle cache (FINOPS_BUNDLE_CACHE=off), median of 3. */
  readonly noCacheMs: number;
  /** The same with an empty cache (every function bundled and cached). */
  readonly emptyCacheMs: number;
  /** The same again, every function from the cache the previous synth filled, median of 3; null when the bundler has no cache. */
  readonly warmCacheMs: number | null;
}

/** Child: synthesizes accounts/local.yaml into a temporary folder and prints the ms it took. */
function synthChild(): void {
  const work = mkdtempSync(path.join(os.tmpdir(), "finops-bench-bundles-synth-"));
  try {
    const config = parseAccountConfig(readFileSync(CONFIG_FILE, "utf8"), "accounts/local.yaml");
    const t = performance.now();
    synthLanding(config, path.join(work, "synth"), targetFor(config, { FINOPS_LOCAL_DIR: work }));
    process.stdout.write(String(Math.round(performance.now() - t)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The synth's bundling cost: the same synth without the cache, with an empty one, with a warm one. */
function synthTimes(): SynthTimes {
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), "finops-bench-bundle-cache-"));
  const run = (env: NodeJS.ProcessEnv) =>
    Number(
      execFileSync(tsx, [__filename, "--synth-child"], {
        encoding: "utf8",
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "ignore"],
      }),
    );
  try {
    // Medians of three where a run can repeat (the machine is shared); the empty cache happens once.
    const noCacheMs = median([1, 2, 3].map(() => run({ FINOPS_BUNDLE_CACHE: "off" })));
    const emptyCacheMs = run({ FINOPS_BUNDLE_CACHE_DIR: cacheDir });
    // A bundler without a cache (the code before issue 18) leaves the folder empty.
    const cached = readdirSync(cacheDir).length > 0;
    const warmCacheMs = cached
      ? median([1, 2, 3].map(() => run({ FINOPS_BUNDLE_CACHE_DIR: cacheDir })))
      : null;
    return { noCacheMs, emptyCacheMs, warmCacheMs };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  if (argv.includes("--synth-child")) {
    synthChild();
    return;
  }
  const runs = Number(arg("--runs") ?? 11);
  const outDir = arg("--out") ?? path.join(__dirname, "results");
  const name = arg("--name") ?? "bundles";
  // Sampled between measurements: the child processes run synchronously, so a timer would not fire.
  const load = new LoadSampler();
  const sample = () => load.sample();
  const started = Date.now();

  const work = mkdtempSync(path.join(os.tmpdir(), "finops-bench-bundles-"));
  const results: FunctionResult[] = [];
  let times: SynthTimes;
  try {
    const config = parseAccountConfig(readFileSync(CONFIG_FILE, "utf8"), "accounts/local.yaml");
    const synthDir = path.join(work, "synth");
    synthLanding(config, synthDir, targetFor(config, { FINOPS_LOCAL_DIR: work }));
    for (const fn of deployedFunctions(synthDir)) {
      const zip = readFileSync(fn.zipPath);
      const files = unzipEntries(zip);
      const dir = path.join(work, "unzipped", fn.name);
      mkdirSync(dir, { recursive: true });
      for (const f of files) writeFileSync(path.join(dir, f.name), f.data);
      const env = initEnvironment(fn);
      initMs(dir, env); // warm the file system cache; not counted
      sample();
      const samples = Array.from({ length: runs }, () => initMs(dir, env));
      const size = (n: string) => files.find((f) => f.name === n)?.data.length ?? 0;
      const r: FunctionResult = {
        name: fn.name,
        zippedKiB: kib(statSync(fn.zipPath).size),
        unzippedKiB: kib(files.reduce((a, f) => a + f.data.length, 0)),
        codeKiB: kib(size("index.js")),
        sourceMapKiB: kib(size("index.js.map")),
        initMs: round1(median(samples.map((x) => x.wall))),
        initMsMin: round1(Math.min(...samples.map((x) => x.wall))),
        initMsMax: round1(Math.max(...samples.map((x) => x.wall))),
        initCpuMs: round1(median(samples.map((x) => x.cpu))),
      };
      console.log(
        `${r.name.padEnd(24)} ${String(r.zippedKiB).padStart(6)} KiB zipped, ${String(r.unzippedKiB).padStart(7)} KiB unzipped (map ${r.sourceMapKiB}), init median ${r.initMs} ms (CPU ${r.initCpuMs} ms)`,
      );
      results.push(r);
    }
    sample();
    times = synthTimes();
    sample();
    console.log(
      times.warmCacheMs === null
        ? `synth of accounts/local.yaml: ${times.noCacheMs} ms and ${times.emptyCacheMs} ms (no bundle cache)`
        : `synth of accounts/local.yaml: ${times.noCacheMs} ms without the bundle cache, ${times.emptyCacheMs} ms with an empty one, ${times.warmCacheMs} ms from a warm one`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  load.stop();
  const env = { ...machineInfo(started, load), runs };
  const json = { kind: "finops-landing/bench-bundles", env, synth: times, functions: results };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);

  const beforeFile = path.join(outDir, "bundles-before.json");
  const before =
    name !== "bundles-before" && existsSync(beforeFile)
      ? (JSON.parse(readFileSync(beforeFile, "utf8")) as {
          functions: FunctionResult[];
          synth?: SynthTimes;
        })
      : undefined;
  const was = (fn: string) => before?.functions.find((f) => f.name === fn);
  const md = [
    `# Function bundle benchmark${name === "bundles-before" ? " (before the lean bundles of issue 18)" : ""}`,
    "",
    `Every function of accounts/local.yaml, measured on the zips \`synthLanding\` wrote as Terraform assets. Init = module initialisation: \`require("./index.js")\` of the unzipped package in a fresh \`node\` process with the function's synthesized environment and \`NODE_OPTIONS=--enable-source-maps\` as in Lambda, median of ${runs} runs (min-max in brackets), and its CPU time (user + system, median), which depends less on the machine's load; it excludes the runtime's own start and the handler's first call. ${env.cpus} CPUs (${env.cpuModel}), Node ${env.node} (Lambda runs Node.js 22 on arm64), ${env.date}. Command: \`npx tsx bench/bundles.ts${name === "bundles" ? "" : ` --name ${name}`}\`.`,
    "",
    before
      ? "| Function | Zipped (KiB) | Before | Unzipped (KiB) | Code | Source map | Init median (ms) | Before | Init CPU (ms) | Before |"
      : "| Function | Zipped (KiB) | Unzipped (KiB) | Code | Source map | Init median (ms) | Init CPU (ms) |",
    before ? "|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|" : "|:--|--:|--:|--:|--:|--:|--:|",
    ...results.map((r) =>
      before
        ? `| ${r.name} | ${r.zippedKiB} | ${was(r.name)?.zippedKiB ?? "-"} | ${r.unzippedKiB} | ${r.codeKiB} | ${r.sourceMapKiB} | ${r.initMs} (${r.initMsMin}-${r.initMsMax}) | ${was(r.name)?.initMs ?? "-"} | ${r.initCpuMs} | ${was(r.name)?.initCpuMs ?? "-"} |`
        : `| ${r.name} | ${r.zippedKiB} | ${r.unzippedKiB} | ${r.codeKiB} | ${r.sourceMapKiB} | ${r.initMs} (${r.initMsMin}-${r.initMsMax}) | ${r.initCpuMs} |`,
    ),
    "",
    `Largest zip ${Math.max(...results.map((r) => r.zippedKiB))} KiB (budget 500 KB = ${kib(500_000)} KiB, test/unit/modules/bundle.test.ts).`,
    "",
    times.warmCacheMs === null
      ? `Synth of accounts/local.yaml (${results.length} functions) in a fresh process: ${times.noCacheMs} ms (median of 3) and ${times.emptyCacheMs} ms; this bundler has no cache, every synth bundles every function.`
      : `Synth of accounts/local.yaml (${results.length} functions) in a fresh process: ${times.noCacheMs} ms without the bundle cache (\`FINOPS_BUNDLE_CACHE=off\`, median of 3), ${times.emptyCacheMs} ms with an empty cache (every function bundled and cached, one run), ${times.warmCacheMs} ms with the cache that synth filled (every function from the cache, median of 3): the bundling a synth saves is about ${Math.round((times.noCacheMs - times.warmCacheMs) / 100) / 10} s.${before?.synth ? ` The bundler before issue 18 (bundles-before.md): ${before.synth.noCacheMs} ms and ${before.synth.emptyCacheMs} ms.` : ""}`,
    "",
    `Run ${env.totalSeconds} s. The machine was shared: 1-minute load average ${env.loadAverage1m.atStart} at the start, mean ${env.loadAverage1m.mean}, max ${env.loadAverage1m.max} (sampled before each function and around the synths; ${env.cpus} CPUs). Load lengthens the init times; sizes do not depend on it.`,
    "",
  ].join("\n");
  writeFileSync(path.join(outDir, `${name}.md`), md);
  console.log(`wrote ${path.join(outDir, `${name}.json`)} and ${name}.md`);
}

if (require.main === module) main(process.argv.slice(2));
