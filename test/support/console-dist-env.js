/**
 * Jest setup (jest.config.js setupFiles): synth of a target aws config uploads the built console
 * (modules/console-hosting), which console/dist may not hold in a test run. Unless the run names
 * its own build, tests synthesize with test/fixtures/console-dist, a small stand-in build (its
 * config.json is there to prove the stack leaves it out).
 */
const path = require("node:path");

if (!process.env.FINOPS_CONSOLE_DIST) {
  process.env.FINOPS_CONSOLE_DIST = path.resolve(__dirname, "../fixtures/console-dist");
}
