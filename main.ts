/**
 * The CDKTF app: one stack per account of the organization in FINOPS_CONFIG
 * (default accounts/local.yaml, the emulated organization).
 *   npx cdktf synth
 *   FINOPS_CONFIG=accounts/example.yaml npx cdktf synth
 */
import { App } from "cdktf";
import { ConfigError, configFileFromEnv, loadAccountConfig } from "./config/load";
import { targetFor } from "./modules/target";
import { buildLanding } from "./stacks/landing";

function main(): void {
  const file = configFileFromEnv();
  let config: ReturnType<typeof loadAccountConfig>;
  try {
    config = loadAccountConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      console.error("Nothing was synthesized. Fix the errors above and run again.");
      process.exit(1);
    }
    throw e;
  }
  const app = new App();
  buildLanding(app, config, targetFor(config));
  app.synth();
}

main();
