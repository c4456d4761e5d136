import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBundle } from "../../../modules/bundled-function/bundle";
import { BundleCache } from "../../../modules/bundled-function/cache";

/**
 * The bundle cache (modules/bundled-function/cache.ts) on a throw-away function in a temporary
 * root: a second build of unchanged sources comes from the cache with the same bytes, and any
 * change to what esbuild read (a source's content, a new file that now resolves instead) rebuilds.
 */
describe("the bundle cache", () => {
  let root: string;
  let cacheDir: string;
  /** Writes a source file dated a second ago: the cache refuses inputs modified while it builds. */
  const write = (file: string, text: string) => {
    const p = path.join(root, file);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    const past = new Date(Date.now() - 1000);
    utimesSync(p, past, past);
  };
  const build = () => buildBundle("demo", { root, cacheDir });

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "finops-bundle-cache-root-"));
    cacheDir = path.join(mkdtempSync(path.join(os.tmpdir(), "finops-bundle-cache-")), "cache");
    write(
      "functions/demo/handler.ts",
      'import { greet } from "./greet";\nexport const handler = async () => greet("cache");\n',
    );
    write("functions/demo/greet/index.ts", 'export const greet = (who: string) => "hello " + who;\n');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(path.dirname(cacheDir), { recursive: true, force: true });
  });

  it("returns an unchanged function's package from the cache, byte-identical to a fresh build", () => {
    const first = build();
    expect(first.cache).toBe("miss");
    const second = build();
    expect(second.cache).toBe("hit");
    expect(second.zip.equals(first.zip)).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(second.code.equals(first.code)).toBe(true);
    expect(second.sourceMap.equals(first.sourceMap)).toBe(true);
    expect(Object.keys(second.metafile.inputs).sort()).toEqual([
      "functions/demo/greet/index.ts",
      "functions/demo/handler.ts",
    ]);
    const uncached = buildBundle("demo", { root, cacheDir: false });
    expect(uncached.cache).toBe("off");
    expect(uncached.zip.equals(first.zip)).toBe(true);
  });

  it("rebuilds when an imported source file changes, and caches the new package", () => {
    const first = build();
    write("functions/demo/greet/index.ts", 'export const greet = (who: string) => "goodbye " + who;\n');
    const changed = build();
    expect(changed.cache).toBe("miss");
    expect(changed.code.toString()).toContain("goodbye");
    expect(changed.sha256).not.toBe(first.sha256);
    expect(build().cache).toBe("hit");
    // Only the current package of the function is kept.
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".zip"))).toEqual([
      `demo.${Buffer.from(changed.sha256, "base64").toString("hex")}.zip`,
    ]);
  });

  it("rebuilds when a new file would be resolved instead of a cached input", () => {
    build();
    // "./greet" now resolves to greet.ts before greet/index.ts: no input changed, their folder did.
    write("functions/demo/greet.ts", 'export const greet = (who: string) => "hi " + who;\n');
    const shadowed = build();
    expect(shadowed.cache).toBe("miss");
    expect(Object.keys(shadowed.metafile.inputs)).toContain("functions/demo/greet.ts");
    expect(shadowed.code.toString()).toContain("hi ");
  });

  it("rebuilds when an input is gone or the cached package does not have its recorded hash", () => {
    const first = build();
    const zipFile = path.join(cacheDir, `demo.${Buffer.from(first.sha256, "base64").toString("hex")}.zip`);
    writeFileSync(zipFile, Buffer.concat([first.zip, Buffer.from("tampered")]));
    expect(build().cache).toBe("miss");
    expect(build().cache).toBe("hit");
    rmSync(zipFile);
    expect(build().cache).toBe("miss");
  });

  it("is valid only for the build key it was written with (esbuild version, options, bundler source)", () => {
    const first = build();
    const cache = new BundleCache(cacheDir, root);
    expect(cache.put("demo", "key-a", { zip: first.zip, metafile: first.metafile }, Date.now() + 1000)).toBe(
      undefined,
    );
    expect(cache.get("demo", "key-a")?.zip.equals(first.zip)).toBe(true);
    expect(cache.get("demo", "key-b")).toBeUndefined();
  });

  it("stays consistent when several processes fill it at once (concurrent synths)", async () => {
    // Four real processes (tsx, as the synth runs), each building the function into the same cache.
    const script = [
      `const { buildBundle } = require(${JSON.stringify(path.resolve("modules/bundled-function/bundle.ts"))});`,
      `const b = buildBundle("demo", { root: ${JSON.stringify(root)}, cacheDir: ${JSON.stringify(cacheDir)} });`,
      "process.stdout.write(b.sha256);",
    ].join("\n");
    const tsx = path.resolve("node_modules/.bin/tsx");
    const run = () =>
      new Promise<string>((resolve, reject) =>
        execFile(tsx, ["-e", script], (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
    const hashes = await Promise.all([run(), run(), run(), run()]);
    const fresh = buildBundle("demo", { root, cacheDir: false });
    expect(new Set(hashes)).toEqual(new Set([fresh.sha256]));
    const after = build();
    expect(after.cache).toBe("hit");
    expect(after.zip.equals(fresh.zip)).toBe(true);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 60_000);

  it("does not record a build whose inputs were modified after it started", () => {
    const first = build();
    const cache = new BundleCache(cacheDir, root);
    const error = cache.put(
      "demo",
      "key-a",
      { zip: first.zip, metafile: first.metafile },
      Date.now() - 60_000,
    );
    expect(error?.message).toMatch(/changed or disappeared while it was bundled/);
    expect(cache.get("demo", "key-a")).toBeUndefined();
  });

  it("builds the same bytes in a worktree whose node_modules is a symlink (the base synth of --changed-only)", () => {
    // A package outside both roots, reached through a node_modules symlink in one and copied into
    // the other: the worktree that synthAtRef makes next to a checkout, and the checkout.
    const store = mkdtempSync(path.join(os.tmpdir(), "finops-bundle-store-"));
    const worktree = mkdtempSync(path.join(os.tmpdir(), "finops-bundle-worktree-"));
    try {
      mkdirSync(path.join(store, "node_modules", "tiny"), { recursive: true });
      writeFileSync(
        path.join(store, "node_modules", "tiny", "index.js"),
        "exports.shout = (s) => s.toUpperCase();\n",
      );
      write(
        "functions/demo/handler.ts",
        'import { shout } from "tiny";\nexport const handler = async () => shout("cache");\n',
      );
      cpSync(path.join(store, "node_modules"), path.join(root, "node_modules"), { recursive: true });
      cpSync(path.join(root, "functions"), path.join(worktree, "functions"), { recursive: true });
      symlinkSync(path.join(store, "node_modules"), path.join(worktree, "node_modules"), "dir");

      const inCheckout = buildBundle("demo", { root, cacheDir: false });
      const inWorktree = buildBundle("demo", { root: worktree, cacheDir: false });
      expect(inWorktree.zip.equals(inCheckout.zip)).toBe(true);
      // The dependency's mappings are trimmed in both: only the function's own source is left.
      expect(JSON.parse(inWorktree.sourceMap.toString()).sources).toEqual(["functions/demo/handler.ts"]);
    } finally {
      rmSync(store, { recursive: true, force: true });
      rmSync(worktree, { recursive: true, force: true });
    }
  });
});
