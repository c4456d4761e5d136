/**
 * npm run -s plan:store -- put --dir <plan dir> --pr <n> --commit <sha> [--config <file>]
 * npm run -s plan:store -- get --dir <plan dir> --pr <n> --commit <sha> --receipt <file>... [--config <file>]
 *
 * Keeps a pull request's saved plans in the state bucket (deploy/plan-store.ts), under
 * <stateBackend.keyPrefix>/plans/pr-<n>/<sha>/, with the job's own AWS credentials (plan.yml: the
 * plan role puts; apply.yml: the apply role gets).
 *
 * put  uploads the output of `npm run plan` and writes the receipt <dir>/plan-store.json (the
 *      manifest's sha256 and every file's), the only thing besides the summaries that the plan run
 *      keeps as an artifact.
 * get  downloads the plans of that pull request's head commit into <dir> and refuses, writing
 *      nothing, a manifest whose sha256 is not the receipt's or a plan whose sha256 is not the
 *      manifest's (naming the stack); then `npm run deploy -- --plans <dir>` applies them.
 *      A sharded plan (npm run plan -- --shard) is stored per shard, each with its receipt: pass
 *      --receipt once per shard; get checks that they are one complete set, writes each shard into
 *      <dir>/shard-<i>-of-<n>/ and one manifest over all of them into <dir>/stacks.json.
 *
 * Config: --config, else FINOPS_CONFIG, else accounts/local.yaml (needs organization.stateBackend).
 * Exit codes: 0 done; 1 refused or failed; 2 usage.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import {
  getPlans,
  getShardedPlans,
  type ObjectStore,
  PLAN_RECEIPT_FILE,
  putPlans,
  readReceipt,
  s3ObjectStore,
} from "../deploy/plan-store";
import { parseCli, UsageError } from "./cli-args";

const USAGE = [
  "usage: npm run -s plan:store -- put --dir <plan dir> --pr <n> --commit <sha> [--config <file>]",
  "       npm run -s plan:store -- get --dir <plan dir> --pr <n> --commit <sha> --receipt <file>... [--config <file>]",
  "       (--receipt once per shard of a sharded plan)",
].join("\n");

interface Args {
  command: "put" | "get";
  dir: string;
  pr: number;
  commit: string;
  receipts: string[];
  config?: string;
}

export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = parseCli(
    argv,
    {
      dir: { type: "string" },
      pr: { type: "string" },
      commit: { type: "string" },
      receipt: { type: "string", multiple: true, default: [] },
      config: { type: "string" },
    },
    "see npm run -s plan:store -- (no arguments) for the usage",
    true,
  );
  const [command, ...rest] = positionals;
  if (command !== "put" && command !== "get") {
    throw new UsageError(
      command === undefined ? "put or get is required" : `"${command}" is not a command; use put or get`,
    );
  }
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  for (const name of ["dir", "pr", "commit"] as const) {
    if (values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  if (!/^[1-9]\d*$/.test(values.pr!))
    throw new UsageError(`--pr "${values.pr}" is not a pull request number`);
  if (command === "get" && values.receipt.length === 0) {
    throw new UsageError(
      `get needs --receipt <file>: the ${PLAN_RECEIPT_FILE} of the pull request's plan run, whose hashes the stored plans must match`,
    );
  }
  if (command === "put" && values.receipt.length > 0) {
    throw new UsageError(`--receipt is for get; put writes <dir>/${PLAN_RECEIPT_FILE}`);
  }
  return {
    command,
    dir: values.dir!,
    pr: Number(values.pr),
    commit: values.commit!,
    receipts: values.receipt,
    config: values.config,
  };
}

/** Runs one command; `storeFor` builds the object store (tests pass an in-memory one). */
export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  storeFor: (bucket: string, region: string) => Promise<ObjectStore> = s3ObjectStore,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`plan:store: ${e.message}\n${USAGE}`);
    return 2;
  }
  const file = args.config ?? configFileFromEnv(env);
  try {
    const config = loadAccountConfig(file);
    const sb = config.organization.stateBackend;
    if (!sb) {
      throw new Error(
        `${file} has no organization.stateBackend: the plan store keeps saved plans in the state bucket (target aws); locally, npm run deploy -- --plans reads the plan directory directly`,
      );
    }
    const store = await storeFor(sb.bucket, sb.region);
    const key = { keyPrefix: sb.keyPrefix, pr: args.pr, commit: args.commit };
    if (args.command === "put") {
      const receipt = await putPlans(store, args.dir, key);
      const receiptFile = path.join(args.dir, PLAN_RECEIPT_FILE);
      writeFileSync(receiptFile, `${JSON.stringify(receipt, null, 2)}\n`);
      out(
        `plan:store: ${Object.keys(receipt.files).length} files to ${receipt.location}; stacks.json sha256 ${receipt.manifestSha256}; receipt ${receiptFile}`,
      );
    } else {
      const receipts = args.receipts.map(readReceipt);
      mkdirSync(args.dir, { recursive: true });
      const sharded = receipts.length > 1 || receipts[0]!.shard !== undefined;
      const manifest = sharded
        ? await getShardedPlans(store, args.dir, key, receipts)
        : await getPlans(store, args.dir, key, receipts[0]!);
      out(
        `plan:store: ${manifest.stacks.length} reviewed plan${manifest.stacks.length === 1 ? "" : "s"} of pull request #${args.pr} at ${args.commit.slice(0, 7)} in ${args.dir}${sharded ? ` from ${receipts.length} shard${receipts.length === 1 ? "" : "s"}` : ""}, hashes match the receipt${receipts.length === 1 ? "" : "s"}`,
      );
    }
    return 0;
  } catch (e) {
    err(`plan:store: ${failureMessage(e, file)}`);
    return 1;
  }
}

if (require.main === module) {
  run(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
