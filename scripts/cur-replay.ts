/**
 * npm run -s cur:replay -- <export-root> [--json]
 *
 * Replays a team's own CUR 2.0 Data Exports export on the local organization: <export-root> is what
 * `aws s3 sync s3://<bucket>/<prefix>/<export-name> <dir>` writes (one or more billing periods,
 * Parquet or gzip CSV, overwrite or create new). Starts the local organization if it is not up,
 * delivers the files where the configured export points (as Data Exports would; local/cur/replay.ts),
 * runs the same pipeline as `npm run local` (replication or direct delivery, account-sync, ingest),
 * and prints the committed figures, read back from the spend table as the API serves them.
 *
 * --json: only JSON on stdout (progress goes to stderr): an array, one object per billing period,
 *   { billingPeriod, lineItems, totals: { unblendedCost, netAmortizedCost, credit, tax, refund },
 *     rows: [{ accountId, service, usageDate, unblendedCost, netAmortizedCost, credit, tax, refund, lineItems }] }
 *   with money as exact decimal strings (6 decimals). Usage figures exclude Credit, Tax and Refund
 *   lines, which are summed apart. Nothing leaves the machine: the emulator runs locally.
 *
 * A FOCUS 1.2 export root is summarized from its files instead (local/cur/focus-replay.ts: billed,
 * effective and list cost per period, charge category and sub-account × service × day), since the
 * landing ingests CUR 2.0.
 */
import { configFileFromEnv, failureMessage } from "../config/load";
import { readExportRoot } from "../local/cur/export-root";
import { summarizeFocusExportRoot } from "../local/cur/focus-replay";
import { renderFigures } from "../local/cur/replay-figures";
import { parseCli, UsageError } from "./cli-args";
import { replayCur } from "./local-org";

const USAGE = 'usage: npm run -s cur:replay -- <export-root> [--json] (README, "Try it on your own bill")';

/** Writes to stdout and resolves once it is flushed (process.exit would cut a large write to a pipe short). */
function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { json: { type: "boolean" } }, USAGE, true);
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length
        ? `give one export root, not ${positionals.length}; ${USAGE}`
        : `give the export root (the folder aws s3 sync wrote, holding data/ and metadata/); ${USAGE}`,
    );
  const json = values.json === true;
  // In --json mode stdout carries the JSON only: every progress line (ours and the tools') goes to stderr.
  const progress = (line: string) => console.error(line);
  if (json) console.log = console.error;
  const root = await readExportRoot(positionals[0]!);
  if (root.kind === "focus") {
    // The landing ingests CUR 2.0; a FOCUS export is summarized from its files (same SQL as the cross-check).
    progress(
      `replay     ${root.root}: a FOCUS export (${root.deliveries.length} billing period(s)); the landing ingests CUR 2.0, so it is summarized from its files, not ingested`,
    );
    const summary = await summarizeFocusExportRoot(root.root);
    await print(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const { figures, accountNames } = await replayCur({
    configFile: configFileFromEnv(),
    cur: positionals[0]!,
    log: progress,
  });
  if (json) await print(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    await print(
      `\nCommitted spend of your export (as the API serves it):\n${renderFigures(figures, accountNames)}\n\nTear down with: npm run local:down\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(failureMessage(e, "cur:replay"));
    process.exit(1);
  },
);
