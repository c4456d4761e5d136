/**
 * npm run bootstrap [-- --migrate | --plan]
 *
 *   (no option)  synth, init, plan and apply the bootstrap stack (docs/bootstrap.md). Target aws, first
 *                run: its state stays in .local/bootstrap/bootstrap.tfstate until --migrate
 *   --migrate    target aws, once after the first apply: move that state into the state bucket it
 *                created (terraform init -migrate-state), then plan (clean) against the bucket
 *   --plan       plan only, apply nothing (exit 0 no changes, 2 changes)
 *
 * Run by a person with admin rights in the management account, never by the pipeline: the stack
 * holds the roles the pipeline runs as. Config: FINOPS_CONFIG (default accounts/local.yaml; the
 * local target starts the emulator and bootstraps the organization like npm run local).
 * Exit codes: 0 done (or no changes); 1 failed; 2 usage error, or --plan found changes.
 */
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { localDir } from "../config/target";
import { type BootstrapMode, runBootstrap } from "../deploy/bootstrap";
import { prepareTarget } from "../deploy/deploy";
import { parseCli, UsageError } from "./cli-args";

function parseArgs(argv: readonly string[]): BootstrapMode {
  const { values } = parseCli(
    argv,
    { migrate: { type: "boolean", default: false }, plan: { type: "boolean", default: false } },
    "see the comment at the top of scripts/bootstrap.ts",
  );
  if (values.migrate && values.plan) throw new UsageError("--migrate and --plan exclude each other");
  return values.migrate ? "migrate" : values.plan ? "plan" : "apply";
}

async function main(argv: readonly string[]): Promise<number> {
  const mode = parseArgs(argv);
  const file = configFileFromEnv();
  let config: ReturnType<typeof loadAccountConfig>;
  try {
    config = loadAccountConfig(file);
  } catch (e) {
    console.error(failureMessage(e, file));
    return 1;
  }
  const log = (l: string) => console.log(l);
  const prepared = await prepareTarget(config, process.env, log);
  const result = await runBootstrap({
    config,
    target: prepared.target,
    env: prepared.env,
    localDir: localDir(process.env),
    mode,
    log,
  });
  if (mode === "plan") {
    console.log(result.planOutput);
    return result.changes ? 2 : 0;
  }
  if (result.backend === "local-file")
    log("next       npm run bootstrap -- --migrate   (moves this state into the bucket just created)");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error((e as Error).message);
    process.exit(1);
  },
);
