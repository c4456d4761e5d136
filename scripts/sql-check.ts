/**
 * Checks one SQL statement with the Athena tool's read-only guard.
 *
 *   npx tsx scripts/sql-check.ts '<sql>'      (npm run -s sql:check -- '<sql>')
 *   echo '<sql>' | npx tsx scripts/sql-check.ts -
 *
 * Exit status: 0 allowed, 1 rejected (always with a reason, also for input too complex to parse),
 * 2 usage error. The guard never throws, so no input prints a stack trace.
 */
import { readFileSync } from "node:fs";
import { checkReadOnlySql } from "../functions/shared/sql-guard";

const USAGE = "usage: sql-check '<sql>'   (or: sql-check - to read the statement from stdin)";

function main(argv: readonly string[]): number {
  if (argv.length !== 1 || argv[0] === "-h" || argv[0] === "--help") {
    console.error(USAGE);
    return 2;
  }
  let sql: string;
  try {
    sql = argv[0] === "-" ? readFileSync(0, "utf8") : argv[0];
  } catch (error) {
    console.error(
      `sql-check: cannot read the statement from stdin (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
    return 2;
  }
  const result = checkReadOnlySql(sql);
  if (result.allowed) {
    console.log(`allowed: one read-only ${result.kind} statement`);
    return 0;
  }
  console.log(`rejected (${result.category}): ${result.reason}`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
