/**
 * Prints one plain closing line per jest run, e.g. "unit: 512 passed, 0 failed", so any CI log
 * reader sees the counts without parsing jest's own summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const project = process.argv.includes("integration")
      ? "integration"
      : process.argv.includes("unit")
        ? "unit"
        : "tests";
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stderr.write(
      `\n${project}: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
    );
  }
}
module.exports = SummaryReporter;
