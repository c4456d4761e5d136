/**
 * A function's deployment package: esbuild bundle of functions/<name>/handler.ts in a deterministic
 * zip, built once per process, its size reported in one line. The BundledFunction construct
 * (index.ts) ships it as its Terraform asset.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { buildSync, type Metafile } from "esbuild";
import { deterministicZip } from "./zip";

/** Repository root: functions/<name>/handler.ts lives below it. */
const REPO_ROOT = path.resolve(__dirname, "../..");

export interface FunctionBundle {
  readonly name: string;
  readonly code: Buffer;
  readonly sourceMap: Buffer;
  /** The deployment package: index.js and index.js.map, byte-identical for the same sources. */
  readonly zip: Buffer;
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  readonly sha256: string;
  /** esbuild's record of every input file and how many bytes of it reached the bundle. */
  readonly metafile: Metafile;
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
 * esbuild bundle of functions/<name>/handler.ts and only what it imports (AWS SDK v3 included, so
 * the code runs with the versions tested here, not the runtime's): CommonJS for Node.js 22, minified,
 * with an external source map whose paths are relative to the repository (no machine paths).
 * Bundled once per process; the size is reported in one line (reportBundlesTo).
 */
export function bundleFunction(name: string): FunctionBundle {
  const cached = bundles.get(name);
  if (cached) return cached;
  const entry = path.join("functions", name, "handler.ts");
  if (!existsSync(path.join(REPO_ROOT, entry)))
    throw new Error(
      `BundledFunction "${name}": ${entry} does not exist; a function is functions/<name>/handler.ts`,
    );
  const result = buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    outfile: path.join(REPO_ROOT, "index.js"),
    bundle: true,
    write: false,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    sourcemap: "external",
    sourcesContent: false,
    legalComments: "none",
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!;
  const map = result.outputFiles.find((f) => f.path.endsWith(".js.map"))!;
  const files = [
    { name: "index.js", data: Buffer.from(code.contents) },
    { name: "index.js.map", data: Buffer.from(map.contents) },
  ];
  const zip = deterministicZip(files);
  const bundle: FunctionBundle = {
    name,
    code: files[0]!.data,
    sourceMap: files[1]!.data,
    zip,
    sha256: createHash("sha256").update(zip).digest("base64"),
    metafile: result.metafile!,
  };
  bundles.set(name, bundle);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  reportBundle(
    `bundle     ${name}: ${kib(bundle.code.length)} code, ${kib(bundle.sourceMap.length)} source map, ${kib(zip.length)} zipped`,
  );
  return bundle;
}
