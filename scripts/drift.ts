/**
 * npm run drift [-- --out <dir>] [--json <file>] [--concurrency <n>] [--no-lock]
 *
 * Plans every stack (nothing is applied) and reports the accounts whose stacks drifted: a table on
 * stdout and the JSON report (default <out>/drift.json, out default .local/drift).
 * Config: FINOPS_CONFIG (default accounts/local.yaml).
 * Exit codes: 0 no drift; 2 drift found; 1 a plan failed (drift unknown); 64 usage error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, configFileFromEnv, loadAccountConfig } from "../config/load";
import { prepareTarget } from "../deploy/deploy";
import { checkDrift, renderDriftTable } from "../deploy/drift";
import { localDir } from "../modules/target";

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): {
  out?: string;
  json?: string;
  concurrency: number;
  noLock: boolean;
} {
  const a: { out?: string; json?: string; concurrency: number; noLock: boolean } = {
    concurrency: 4,
    noLock: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--out") a.out = value();
    else if (arg === "--json") a.json = value();
    else if (arg === "--no-lock") a.noLock = true;
    else if (arg === "--concurrency") {
      a.concurrency = Number(value());
      if (!Number.isInteger(a.concurrency) || a.concurrency < 1) {
        throw new UsageError("--concurrency must be a whole number of at least 1");
      }
    } else throw new UsageError(`unknown option ${arg}; see the comment at the top of scripts/drift.ts`);
  }
  return a;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const config = loadAccountConfig(configFileFromEnv());
  const log = (l: string) => console.error(l);
  const prepared = await prepareTarget(config, process.env, log);
  const outDir = path.resolve(args.out ?? path.join(localDir(process.env), "drift"));
  const report = await checkDrift({
    config,
    target: prepared.target,
    env: prepared.env,
    outDir,
    concurrency: args.concurrency,
    ...(args.noLock ? { planArgs: ["-lock=false"] } : {}),
    log,
  });
  console.log(renderDriftTable(report));
  const jsonFile = path.resolve(args.json ?? path.join(outDir, "drift.json"));
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`JSON report: ${path.relative(process.cwd(), jsonFile)}`);
  for (const s of report.stacks.filter((x) => x.status === "errored"))
    console.error(`\n${s.stack}:\n${s.error}`);
  return report.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      console.error(`drift: ${e.message}`);
      process.exit(64);
    }
    console.error(e instanceof ConfigError ? e.message : `error: ${(e as Error).message}`);
    process.exit(1);
  },
);
