/**
 * npm run drift [-- --out <dir>] [--json <file>] [--concurrency <n>] [--no-lock] [--stacks a,b]
 *
 * Plans every stack, or those --stacks names (nothing is applied), and reports the accounts whose stacks drifted: a table on
 * stdout and the JSON report (default <out>/drift.json, out default .local/drift).
 * Config: FINOPS_CONFIG (default accounts/local.yaml).
 * Exit codes: 0 no drift; 2 drift found; 1 a plan failed (drift unknown); 64 usage error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { localDir } from "../config/target";
import { prepareTarget } from "../deploy/deploy";
import { checkDrift, renderDriftTable } from "../deploy/drift";
import { parseCli, positiveInteger, UsageError } from "./cli-args";

function parseArgs(argv: readonly string[]): {
  out?: string;
  json?: string;
  concurrency: number;
  noLock: boolean;
  stacks?: string[];
} {
  const { values } = parseCli(
    argv,
    {
      out: { type: "string" },
      json: { type: "string" },
      concurrency: { type: "string" },
      "no-lock": { type: "boolean", default: false },
      stacks: { type: "string" },
    },
    "see the comment at the top of scripts/drift.ts",
  );
  if (values.stacks?.split(",").every((x) => x.trim() === ""))
    throw new UsageError("--stacks: name at least one stack, e.g. --stacks payer,admin");
  return {
    out: values.out,
    json: values.json,
    concurrency: positiveInteger("--concurrency", values.concurrency, 4),
    noLock: values["no-lock"],
    ...(values.stacks !== undefined
      ? {
          stacks: values.stacks
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean),
        }
      : {}),
  };
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
    ...(args.stacks ? { stacks: args.stacks } : {}),
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
    console.error(failureMessage(e, "error"));
    process.exit(1);
  },
);
