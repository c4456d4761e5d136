/**
 * Build of the finance console (docs/console.md). `npm run console:build` type-checks console/ and
 * runs this: the single-page app into console/dist, which the local API front serves at "/" and the
 * admin stack uploads to the console bucket (modules/console-hosting).
 *
 * JSX goes through Vite's built-in Oxc transform with React's automatic runtime (no React plugin:
 * the console needs no Fast Refresh). The bundle-size budget is enforced here: the build fails when
 * the first load (index.html's entry chunk, the chunks it imports statically, and its CSS) is above
 * FIRST_LOAD_BUDGET_BYTES gzipped. The chart library is imported dynamically, so it is a chunk of
 * its own, loaded by the Overview only.
 */
import { defineConfig, type Plugin } from "vite";
import { bundleBudget, FIRST_LOAD_BUDGET_BYTES } from "./bundle-budget";

export default defineConfig({
  root: __dirname,
  base: "/",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // The budget plugin is the size gate; Vite's own 500 KB per-chunk warning is not ours.
    chunkSizeWarningLimit: 1000,
  },
  // The budget plugin declares only the hooks it uses (bundle-budget.ts), a subset of Vite's Plugin.
  plugins: [bundleBudget(FIRST_LOAD_BUDGET_BYTES) as unknown as Plugin],
});
