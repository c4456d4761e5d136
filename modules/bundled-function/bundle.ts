/**
 * A function's deployment package: esbuild bundle of functions/<name>/handler.ts in a deterministic
 * zip, built once per process and kept across processes in the bundle cache (./cache.ts) while
 * none of its inputs changes, its size reported in one line. The BundledFunction construct
 * (index.ts) ships it as its Terraform asset.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { type BuildOptions, buildSync, version as esbuildVersion, type Metafile } from "esbuild";
import { BundleCache } from "./cache";
import { trimSourceMap } from "./source-map";
import { deterministicZip, unzipEntries } from "./zip";

/** Repository root: functions/<name>/handler.ts lives below it. */
const REPO_ROOT = path.resolve(__dirname, "../..");

/** Where bundles are cached by default: ignored by git with node_modules, local to the checkout. */
export const DEFAULT_BUNDLE_CACHE_DIR = path.join(REPO_ROOT, "node_modules", ".cache", "finops-bundles");

export interface FunctionBundle {
  readonly name: string;
  readonly code: Buffer;
  /** The source map of the repository's own code (dependencies' mappings trimmed, source-map.ts). */
  readonly sourceMap: Buffer;
  /** The deployment package: index.js and index.js.map, byte-identical for the same sources. */
  readonly zip: Buffer;
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  readonly sha256: string;
  /** esbuild's record of every input file and how many bytes of it reached the bundle. */
  readonly metafile: Metafile;
  /** "hit": taken from the bundle cache; "miss": built and cached; "off": built, no cache. */
  readonly cache: "hit" | "miss" | "off";
}

const bundles = new Map<string, FunctionBundle>();

/**
 * Where the one-line bundle size reports go: stderr by default, so that a tool whose stdout is data
 * (cur:replay --json) stays clean. The cdktf app (main.ts) sends them to stdout: the cdktf CLI prints
 * everything an app writes to stderr as a red [ERROR].
 */
let reportBundle: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/** Sends the bundle size reports to `report` (one line each, no newline) from now on. */
export function reportBundlesTo(report: (line: string) => void): void {
  reportBundle = report;
}

/**
 * esbuild options of every function (entry and root apart): CommonJS for Node.js 22, minified,
 * with an external source map whose paths are relative to the repository (no machine paths).
 * The AWS SDK v3 is bundled (so the code runs with the versions tested here, not the runtime's).
 */
const BUILD_OPTIONS = {
  bundle: true,
  write: false,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  treeShaking: true,
  sourcemap: "external",
  sourcesContent: false,
  legalComments: "none",
  mainFields: ["module", "main"],
  metafile: true,
  // A worktree whose node_modules is a symlink to a checkout's (npm run plan --changed-only's base
  // synth) then builds with the same "node_modules/..." paths as the checkout itself: the same
  // source map, trimmed alike, and the same bytes whichever of the two filled the cache.
  preserveSymlinks: true,
  logLevel: "silent",
  define: { "process.env.NODE_ENV": '"production"' },
} as const satisfies BuildOptions;

/** What a cache entry is valid for besides its inputs: anything that changes the bytes built from them. */
function buildKey(): string {
  const hash = createHash("sha256");
  hash.update(`esbuild ${esbuildVersion}\n${JSON.stringify(BUILD_OPTIONS)}\n`);
  // This file (the options), the zip writer and the source map trimming; the lock file pins
  // every dependency's version and tsconfig.json how imports resolve.
  for (const file of [
    path.join(__dirname, "bundle.ts"),
    path.join(__dirname, "zip.ts"),
    path.join(__dirname, "source-map.ts"),
    path.join(REPO_ROOT, "package-lock.json"),
    path.join(REPO_ROOT, "tsconfig.json"),
  ])
    hash.update(existsSync(file) ? readFileSync(file) : `${path.basename(file)} absent`);
  return hash.digest("hex");
}

export interface BuildBundleOptions {
  /** Folder holding functions/<name>/handler.ts. @default the repository */
  readonly root?: string;
  /**
   * The bundle cache folder, or false for none. @default FINOPS_BUNDLE_CACHE_DIR, else
   * node_modules/.cache/finops-bundles; none when FINOPS_BUNDLE_CACHE=off.
   */
  readonly cacheDir?: string | false;
}

function defaultCacheDir(): string | false {
  if (process.env.FINOPS_BUNDLE_CACHE === "off") return false;
  return process.env.FINOPS_BUNDLE_CACHE_DIR || DEFAULT_BUNDLE_CACHE_DIR;
}

/**
 * The package of functions/<name>/handler.ts under `root`: from the bundle cache when none of its
 * inputs changed since it was cached, else built with esbuild (and cached). No in-process memo:
 * bundleFunction is the once-per-process entry point.
 */
export function buildBundle(name: string, options: BuildBundleOptions = {}): FunctionBundle {
  const root = options.root ?? REPO_ROOT;
  const entry = path.join("functions", name, "handler.ts");
  if (!existsSync(path.join(root, entry)))
    throw new Error(
      `BundledFunction "${name}": ${entry} does not exist; a function is functions/<name>/handler.ts`,
    );
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const cache = cacheDir ? new BundleCache(cacheDir, root) : undefined;
  const key = buildKey();
  const hit = cache?.get(name, key);
  if (hit) return packaged(name, hit.zip, hit.metafile, "hit");

  const startedAt = Date.now();
  const result = buildSync({
    ...BUILD_OPTIONS,
    mainFields: [...BUILD_OPTIONS.mainFields],
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: path.join(root, "index.js"),
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!;
  const map = result.outputFiles.find((f) => f.path.endsWith(".js.map"))!;
  const zip = deterministicZip([
    { name: "index.js", data: Buffer.from(code.contents) },
    {
      name: "index.js.map",
      data: trimSourceMap(Buffer.from(map.contents), (source) => /(^|\/)node_modules\//.test(source)),
    },
  ]);
  const metafile = result.metafile!;
  if (cache) cache.put(name, key, { zip, metafile }, startedAt);
  return packaged(name, zip, metafile, cache ? "miss" : "off");
}

function packaged(
  name: string,
  zip: Buffer,
  metafile: Metafile,
  cache: FunctionBundle["cache"],
): FunctionBundle {
  const files = unzipEntries(zip);
  const file = (n: string) => files.find((f) => f.name === n)!.data;
  return {
    name,
    code: file("index.js"),
    sourceMap: file("index.js.map"),
    zip,
    sha256: createHash("sha256").update(zip).digest("base64"),
    metafile,
    cache,
  };
}

/**
 * The package of functions/<name>/handler.ts and only what it imports (buildBundle), once per
 * process; the size is reported in one line (reportBundlesTo), saying when it came from the cache.
 */
export function bundleFunction(name: string): FunctionBundle {
  const cached = bundles.get(name);
  if (cached) return cached;
  const bundle = buildBundle(name);
  bundles.set(name, bundle);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  reportBundle(
    `bundle     ${name}: ${bundle.cache === "hit" ? "from the cache, " : ""}${kib(bundle.code.length)} code, ${kib(bundle.sourceMap.length)} source map, ${kib(bundle.zip.length)} zipped`,
  );
  return bundle;
}
