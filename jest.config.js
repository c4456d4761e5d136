/** Jest runs TypeScript through SWC (no type checking here: `npm run build` type-checks with tsc). */
const transform = { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      setupFiles: ["<rootDir>/test/support/console-dist-env.js"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      setupFiles: ["<rootDir>/test/support/console-dist-env.js"],
      globalSetup: "<rootDir>/test/integration/global-setup.ts",
      globalTeardown: "<rootDir>/test/integration/global-teardown.ts",
    },
  ],
  testTimeout: 60_000,
  // Integration files share one emulated organization: one fixed order everywhere (see the file).
  testSequencer: "<rootDir>/test/support/sequencer.js",
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
