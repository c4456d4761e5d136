/**
 * npm run accounts:validate [file...]   (default: every accounts/*.yaml)
 * Prints each file's verdict; every error with file:line:column, path and fix. Exit 1 if any fails.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, loadAccountConfig } from "../config/load";

const args = process.argv.slice(2);
if (args.some((a) => a.startsWith("-"))) {
  console.error("usage: npm run accounts:validate [file...]   (default: every accounts/*.yaml)");
  process.exit(2);
}
const files = args.length
  ? args
  : readdirSync("accounts")
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .map((f) => path.join("accounts", f));

let failed = 0;
for (const file of files) {
  try {
    const c = loadAccountConfig(file);
    console.log(
      `ok   ${file}: ${c.organization.name} (target ${c.target}), payer ${c.payer.id}, admin ${c.admin.id}, ${c.members.length} members`,
    );
  } catch (e) {
    failed++;
    // Never a stack trace: a config error lists its located issues; anything else is a bug.
    if (e instanceof ConfigError) console.error(`FAIL ${e.message}`);
    else
      console.error(
        `FAIL ${file}: validation stopped unexpectedly (${(e as Error)?.message ?? String(e)}); this is a finops-landing bug: please report it with this file`,
      );
  }
}
process.exit(failed ? 1 : 0);
