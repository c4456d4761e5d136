import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { CONSOLE_RUNTIME_CONFIG_KEY } from "../../contracts/console-config";
import { CONTENT_TYPES } from "../../contracts/content-types";

const REPO_ROOT = path.resolve(__dirname, "../..");

/** The console's sources (console/, built by `npm run console:build` into console/dist). */
export const CONSOLE_SOURCE_DIR = path.join(REPO_ROOT, "console");
export const CONSOLE_DIST_DIR = path.join(CONSOLE_SOURCE_DIR, "dist");
/** Where the built console is taken from instead of console/dist (a CI artifact, a test fixture). */
export const CONSOLE_DIST_ENV = "FINOPS_CONSOLE_DIST";

/** Vite's content-hashed output (assets/<name>-<hash>.<ext>) never changes: cached for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Everything else (index.html, config.json, unhashed public files) is revalidated on every load. */
const REVALIDATE = "no-cache";

export interface ConsoleFile {
  /** Object key: the path under the build directory, with forward slashes. */
  readonly key: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** MD5 of the content (hex): the object's source_hash, so a changed file is uploaded again. */
  readonly md5: string;
}

export interface ConsoleBuild {
  /** Absolute directory of the built console. */
  readonly dir: string;
  readonly files: readonly ConsoleFile[];
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? walk(full, base) : e.isFile() ? [path.relative(base, full)] : [];
    });
}

function newestFile(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const rel of walk(dir)) {
    const mtimeMs = statSync(path.join(dir, rel)).mtimeMs;
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file: path.join(dir, rel), mtimeMs };
  }
  return newest;
}

const HOW_TO_BUILD = "run `npm run console:build` first (or set app.console.enabled: false)";

/**
 * The built console's files, ready to upload. Refuses, naming the fix, a build that is missing,
 * has no index.html, or (when `sourceDir` is given) is older than a file of the console's sources:
 * synth never ships an empty or stale console. A config.json in the build is left out: the stack
 * writes the organization's own (contracts/console-config.ts).
 */
export function readConsoleBuild(dir: string, sourceDir?: string): ConsoleBuild {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new Error(
      `the hosted console needs the built console at ${dir}, which does not exist: ${HOW_TO_BUILD}`,
    );
  const index = path.join(dir, "index.html");
  if (!existsSync(index))
    throw new Error(
      `the built console at ${dir} has no index.html (an empty or partial build): ${HOW_TO_BUILD}`,
    );
  if (sourceDir) {
    const built = statSync(index).mtimeMs;
    for (const src of ["src", "index.html", "public", "package.json", "vite.config.ts"]) {
      const p = path.join(sourceDir, src);
      if (!existsSync(p)) continue;
      const newest = statSync(p).isDirectory() ? newestFile(p) : { file: p, mtimeMs: statSync(p).mtimeMs };
      if (newest && newest.mtimeMs > built)
        throw new Error(
          `the built console at ${dir} is older than ${path.relative(sourceDir, newest.file)}: it would ship a stale console; ${HOW_TO_BUILD}`,
        );
    }
  }
  const files = walk(dir)
    .map((rel) => rel.split(path.sep).join("/"))
    .filter((key) => key !== CONSOLE_RUNTIME_CONFIG_KEY)
    .map((key): ConsoleFile => {
      const ext = path.extname(key).toLowerCase();
      const contentType = CONTENT_TYPES[ext];
      if (!contentType)
        throw new Error(
          `the built console has ${key}, whose type (${ext || "no extension"}) the hosting does not know; add it to CONTENT_TYPES in contracts/content-types.ts`,
        );
      return {
        key,
        contentType,
        cacheControl: key.startsWith("assets/") ? IMMUTABLE : REVALIDATE,
        md5: createHash("md5")
          .update(readFileSync(path.join(dir, key)))
          .digest("hex"),
      };
    });
  return { dir, files };
}

/**
 * The build the admin stack uploads: FINOPS_CONSOLE_DIST when set (as given, no staleness check:
 * it is someone's finished build), else console/dist checked against console/'s sources.
 */
export function consoleBuildFromEnv(env: NodeJS.ProcessEnv = process.env): ConsoleBuild {
  const fromEnv = env[CONSOLE_DIST_ENV];
  if (fromEnv) return readConsoleBuild(path.resolve(fromEnv));
  return readConsoleBuild(CONSOLE_DIST_DIR, CONSOLE_SOURCE_DIR);
}
