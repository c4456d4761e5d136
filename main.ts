/**
 * The CDKTF app: one stack per account of the organization in FINOPS_CONFIG
 * (default accounts/local.yaml, the emulated organization).
 *   npx cdktf synth
 *   FINOPS_CONFIG=accounts/example.yaml npx cdktf synth
 */
import { App } from "cdktf";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "./config/load";
import { type Target, targetFor } from "./config/target";
import { prepareForCdktfCli, sendInfoToStdout } from "./deploy/cdktf-cli";
import { invalidateSynthOutput } from "./deploy/synth";
import { disableTokenStackTraces } from "./deploy/token-traces";
import { buildLanding, describeBootstrap, describeLanding } from "./stacks/landing";

function main(): void {
  const file = configFileFromEnv();
  // cdktf synth passes the output directory as CDKTF_OUTDIR (App's default too).
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  // Until this synth succeeds, the previous output is not this config's: nothing may plan it.
  invalidateSynthOutput(outdir);
  let config: ReturnType<typeof loadAccountConfig>;
  try {
    config = loadAccountConfig(file);
  } catch (e) {
    const message = failureMessage(e, file);
    invalidateSynthOutput(outdir, message);
    console.error(message);
    console.error(`Nothing was synthesized (${outdir} holds no stacks). Fix the errors above and run again.`);
    process.exit(1);
  }
  // The cdktf CLI prints whatever the app writes to stderr as [ERROR]: only problems go there.
  sendInfoToStdout();
  let target: Target;
  try {
    target = targetFor(config);
    disableTokenStackTraces(); // memory and time at thousands of members (deploy/token-traces.ts)
    const app = new App();
    buildLanding(app, config, target);
    app.synth();
  } catch (e) {
    // Validation accepted the config: an environment setting (e.g. a FINOPS_* port) or a bug.
    // Either way one line, no stack trace.
    const message = `synth of ${file} failed: ${(e as Error).message}`;
    invalidateSynthOutput(outdir, message);
    console.error(message);
    console.error(
      `Nothing usable was synthesized (${outdir} holds no stacks). If the message names an environment variable, fix it; otherwise npm run accounts:validate ${file} accepted this config and this is a finops-landing bug: please report it with the message above.`,
    );
    process.exit(1);
  }
  // Ready for cdktf diff | deploy | output | destroy, offline too (deploy/cdktf-cli.ts).
  try {
    // The bootstrap stack too (cdktf diff bootstrap); it has no ordering needs (docs/bootstrap.md).
    const bootstrap = describeBootstrap(config);
    const stacks = [
      ...describeLanding(config),
      ...(bootstrap ? [{ ...bootstrap, kind: "payer" as const, regions: [], dependsOn: [] }] : []),
    ];
    for (const note of prepareForCdktfCli(outdir, stacks, target)) {
      if (note.level === "info") console.log(note.text);
      else console.error(note.text);
    }
  } catch (e) {
    // The stacks are synthesized; only the offline provider setup failed: say so, do not fail synth.
    console.error(
      `The stacks are synthesized, but the offline provider setup failed: ${(e as Error).message}`,
    );
  }
}

main();
