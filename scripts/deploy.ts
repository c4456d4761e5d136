/**
 * npm run deploy [-- options]
 *
 *   --plans <dir>         apply the saved plans of `npm run plan` (its --out directory) instead of
 *                         planning now; refuses a stack whose synthesized JSON changed since
 *   --stack <name>        deploy only this stack (repeatable)
 *   --json <file>         also write the rollout result as JSON (default <out>/rollout.json)
 *
 * Applies admin, then payer, then the members with the StackSet semantics of the config's
 * `rollout` section (docs/plan-and-rollout.md). Config: FINOPS_CONFIG (default accounts/local.yaml).
 * Exit codes: 0 every stack succeeded; 1 anything failed or was skipped, or the config removes a
 * member that still has resources; 2 usage error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { localDir } from "../config/target";
import { deployLanding, memberProgress, prepareTarget } from "../deploy/deploy";
import { RetirementError } from "../deploy/retirement";
import { formatRolloutEvent, renderRolloutTable } from "../deploy/waves-render";
import { parseCli, UsageError } from "./cli-args";

function parseArgs(argv: readonly string[]): { plans?: string; stacks: string[]; json?: string } {
  const { values } = parseCli(
    argv,
    {
      plans: { type: "string" },
      stack: { type: "string", multiple: true, default: [] },
      json: { type: "string" },
    },
    "see the comment at the top of scripts/deploy.ts",
  );
  return { plans: values.plans, stacks: values.stack, json: values.json };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const configFile = configFileFromEnv();
  const config = loadAccountConfig(configFile);
  const log = (l: string) => console.log(l);
  const prepared = await prepareTarget(config, process.env, log);
  const out = path.join(localDir(process.env), "deploy");
  let progress: ReturnType<typeof memberProgress> = () => undefined;
  const tty = process.stdout.isTTY;
  const run = await deployLanding({
    config,
    target: prepared.target,
    env: prepared.env,
    outdir: path.join(out, "synth"),
    ...(args.plans ? { plansDir: args.plans } : {}),
    localStateDir: prepared.localStateDir,
    ...(args.stacks.length ? { only: args.stacks } : {}),
    log,
    onStacks: (stacks) => {
      progress = memberProgress(stacks.filter((s) => s.kind === "member").length);
    },
    onEvent: (e) => {
      // On a terminal the bar stays on the last line and is redrawn; in CI logs it is a line.
      if (tty) process.stdout.write("\r\x1b[K");
      console.log(formatRolloutEvent(e));
      const bar = progress(e);
      if (bar) {
        if (tty) process.stdout.write(bar);
        else console.log(bar);
      }
    },
  });
  if (tty) process.stdout.write("\r\x1b[K");
  console.log(`\n${renderRolloutTable(run.result)}`);
  if (run.noChanges.length)
    console.log(`Not applied (their saved plans had no changes): ${run.noChanges.join(", ")}`);
  const jsonFile = path.resolve(args.json ?? path.join(out, "rollout.json"));
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(run.result, null, 2)}\n`);
  console.log(`Result JSON: ${path.relative(process.cwd(), jsonFile)}`);
  return run.result.failed > 0 || run.result.skipped > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      console.error(`deploy: ${e.message}`);
      process.exit(2);
    }
    console.error(failureMessage(e, "error", RetirementError));
    process.exit(1);
  },
);
