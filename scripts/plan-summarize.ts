import { readFileSync, writeFileSync } from "node:fs";
import { ALLOW_DATA_STORE_DESTROY_ENV, checkPlanGuard } from "../deploy/plan-guard";
import { PlanFormatError } from "../deploy/plan-json";
import { renderMarkdown } from "../deploy/plan-markdown";
import {
  type PlanInput,
  type PlanStackInfo,
  stackNameFromPath,
  summarizePlans,
  toSummaryJson,
} from "../deploy/plan-summary";
import { parseCli, UsageError } from "./cli-args";

/**
 * Summarizes `terraform show -json` plans for a pull request comment and runs the plan guard
 * (deploy/plan-guard.ts, the same verdict as `npm run plan -- --guard`).
 *
 *   npx tsx scripts/plan-summarize.ts [--guard] [--json out.json] [--stacks stacks.json]
 *                                     [--allow-data-store-destroy] <plan.json>...
 *
 * Prints the Markdown on stdout. Exit codes: 0 done; 1 --guard and the guard failed: a plan errored
 * or is incomplete (errored: true, complete: false, deferred_changes: it may hide a destroy; no
 * opt-in waives this), or a data store would be destroyed or replaced without opt-in (the guard's
 * message is printed after the Markdown, on stderr); 2 usage error or a file that is not a
 * readable plan JSON (the message names the file and the fault).
 */

const USAGE = `usage: plan-summarize [--guard] [--json out.json] [--stacks stacks.json] [--allow-data-store-destroy] <plan.json>...

  <plan.json>        output of: terraform show -json <planfile>; the stack name comes from the file
                     name (member-dev.json) or, for plan.json/tfplan.json, from its folder
  --guard            exit 1 when a plan errored or is incomplete (deferred changes; no opt-in
                     waives this), or destroys or replaces a data store without opt-in
  --allow-data-store-destroy
                     opt in to data-store loss (same as ${ALLOW_DATA_STORE_DESTROY_ENV}=true)
  --json <file>      also write the machine-readable summary (schemaVersion 1) to <file>
  --stacks <file>    JSON list of stacks ({stack, kind, accountId, accountName, regions, dependsOn}),
                     to show account names, ids and regions; without it: "account unknown"`;

interface CliArgs {
  readonly guard: boolean;
  readonly allow: boolean;
  readonly jsonOut?: string;
  readonly stacksFile?: string;
  readonly plans: readonly string[];
}

function parseArgs(argv: readonly string[]): CliArgs | "help" {
  const { values, positionals } = parseCli(
    argv,
    {
      help: { type: "boolean", short: "h", default: false },
      guard: { type: "boolean", default: false },
      "allow-data-store-destroy": { type: "boolean", default: false },
      json: { type: "string" },
      stacks: { type: "string" },
    },
    "see --help",
    true,
  );
  if (values.help) return "help";
  if (positionals.length === 0) throw new UsageError("give at least one plan JSON file");
  return {
    guard: values.guard,
    allow: values["allow-data-store-destroy"],
    jsonOut: values.json,
    stacksFile: values.stacks,
    plans: positionals,
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new PlanFormatError(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlanFormatError(file, `not valid JSON (${(error as Error).message})`);
  }
}

function readStacks(file: string): Map<string, PlanStackInfo> {
  const json = readJson(file);
  const ok =
    Array.isArray(json) &&
    json.every(
      (s) =>
        typeof s === "object" &&
        s !== null &&
        typeof s.stack === "string" &&
        typeof s.accountId === "string" &&
        typeof s.accountName === "string" &&
        Array.isArray(s.regions),
    );
  if (!ok) {
    throw new PlanFormatError(
      file,
      "not a stack list: expected [{stack, accountId, accountName, regions}, ...]",
    );
  }
  return new Map((json as PlanStackInfo[]).map((s) => [s.stack, s]));
}

export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  let args: CliArgs | "help";
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`plan-summarize: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const stacks = args.stacksFile ? readStacks(args.stacksFile) : undefined;
    const inputs: PlanInput[] = args.plans.map((file) => ({
      plan: readJson(file),
      source: file,
      stack: stacks?.get(stackNameFromPath(file)),
    }));
    const summary = summarizePlans(inputs);
    const guard = checkPlanGuard(summary, { allowDataStoreDestroy: args.allow, env });
    process.stdout.write(renderMarkdown(summary, { dataStoreDestroyAllowed: guard.allowedBy !== null }));
    if (args.jsonOut) {
      try {
        writeFileSync(args.jsonOut, `${JSON.stringify(toSummaryJson(summary), null, 2)}\n`);
      } catch (error) {
        throw new PlanFormatError(args.jsonOut, `cannot write the JSON summary: ${(error as Error).message}`);
      }
    }
    if (args.guard) {
      process.stderr.write(`${guard.message}\n`);
      return guard.ok ? 0 : 1;
    }
    return 0;
  } catch (error) {
    if (!(error instanceof PlanFormatError)) throw error;
    process.stderr.write(`plan-summarize: ${error.message}\n`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
