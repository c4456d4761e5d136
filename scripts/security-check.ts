import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatViolation } from "../checks/engine";
import { checkSynthesized } from "../checks/exceptions";
import { RULES } from "../checks/rules";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { synthLanding } from "../deploy/synth";

/**
 * npm run security:check [config.yaml]: synthesizes every stack of the config (FINOPS_CONFIG or
 * accounts/local.yaml) and runs every security rule. Exit 0: no violation; 1: violations (each
 * printed with stack, address, construct path and rule); 2: the config or the exception list is invalid.
 */
function main(argv: string[]): number {
  const file = argv[0] ?? configFileFromEnv();
  let config: ReturnType<typeof loadAccountConfig>;
  try {
    config = loadAccountConfig(file);
  } catch (e) {
    console.error(failureMessage(e, "security:check"));
    return 2;
  }
  const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-security-"));
  try {
    synthLanding(config, outdir);
    const report = checkSynthesized(outdir, {
      logRetentionDays: config.monitoring.logRetentionDays,
      allowDataStoreDestroy: config.organization.allowDataStoreDestroy,
    });
    for (const { violation, exception } of report.excepted)
      console.log(`excepted  ${formatViolation(violation)} — ${exception.reason}`);
    for (const v of report.violations) console.log(`VIOLATION ${formatViolation(v)}`);
    console.log(
      `${report.stacks.length} stacks, ${RULES.length} rules: ${report.violations.length} violation(s), ${report.excepted.length} excepted`,
    );
    return report.violations.length === 0 ? 0 : 1;
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
