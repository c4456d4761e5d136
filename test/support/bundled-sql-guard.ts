/**
 * Loads the SQL guard the way the Lambda runs it: bundled by esbuild. dt-sql-parser ships ES
 * modules with directory imports that Jest's CommonJS runtime cannot load from node_modules, so
 * the guard is bundled to CommonJS in memory, written to a temporary file, required, and the file
 * removed. Any Jest test that needs the guard (or code importing it) can use this loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";

type SqlGuardModule = typeof import("../../functions/shared/sql-guard");
type TrinoGrammarModule = typeof import("../../functions/shared/sql-guard/trino-grammar");

const cache = new Map<string, unknown>();

/** The guard's public module, bundled as the Lambda bundles it. */
export const loadBundledSqlGuard = (): SqlGuardModule => loadBundled<SqlGuardModule>("index.ts");

/** The Trino grammar adapter alone, to show what the parser accepts by itself. */
export const loadBundledTrinoGrammar = (): TrinoGrammarModule =>
  loadBundled<TrinoGrammarModule>("trino-grammar.ts");

function loadBundled<T>(entry: string): T {
  const cached = cache.get(entry);
  if (cached) return cached as T;
  const result = buildSync({
    entryPoints: [resolve(__dirname, "../../functions/shared/sql-guard", entry)],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const dir = mkdtempSync(join(tmpdir(), "sql-guard-"));
  try {
    const file = join(dir, "sql-guard.cjs");
    writeFileSync(file, result.outputFiles[0].text);
    cache.set(entry, require(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cache.get(entry) as T;
}
