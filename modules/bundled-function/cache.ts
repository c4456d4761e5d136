/**
 * The bundle cache: a function's deployment package kept across synths, reused while nothing that
 * went into it changed. An entry is valid when the SHA-256 of every input esbuild read (its
 * metafile's inputs: the function's sources, contracts/, each dependency file), of the directory
 * listing of every repository folder among them (a new file that would now be resolved instead),
 * and of the build key (esbuild's version, the build options, the bundler's own source,
 * package-lock.json and tsconfig.json) are those recorded when it was built.
 *
 * Layout, in the cache folder:
 *   <name>.json             the manifest: build key, input hashes, metafile, zip hash
 *   <name>.<hex sha>.zip    the package, named by its SHA-256 (never rewritten with other bytes)
 * Both are written to a temporary file and renamed into place (atomic on one file system), so a
 * concurrent synth reads either the old or the new file, never a torn one; a manifest whose zip a
 * concurrent writer has replaced, or whose zip does not have the recorded hash, is a miss, never
 * a wrong package.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Metafile } from "esbuild";

export interface CachedBuild {
  readonly zip: Buffer;
  readonly metafile: Metafile;
}

interface Manifest {
  readonly kind: "finops-landing/bundle-cache";
  readonly name: string;
  readonly key: string;
  /** input (relative to the root) → hex SHA-256 of its bytes, or of its folder's listing for `dir:` keys */
  readonly inputs: Record<string, string>;
  readonly zipSha256: string;
  readonly metafile: Metafile;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** The files and folders an entry depends on: esbuild's inputs and the repository folders holding them. */
function dependencies(
  root: string,
  metafile: Metafile,
  unchangedSinceMs = Number.POSITIVE_INFINITY,
): Record<string, string> | undefined {
  const hashes: Record<string, string> = {};
  const dirs = new Set<string>();
  try {
    for (const input of Object.keys(metafile.inputs).sort()) {
      const file = path.join(root, input);
      // Saved while esbuild was reading it: what was bundled may not be what is hashed now.
      if (statSync(file).mtimeMs >= unchangedSinceMs) return undefined;
      hashes[input] = sha256(readFileSync(file));
      // node_modules changes only with package-lock.json, which is in the build key.
      if (!input.startsWith("node_modules/")) dirs.add(path.posix.dirname(input));
    }
    for (const dir of [...dirs].sort())
      hashes[`dir:${dir}`] = sha256(readdirSync(path.join(root, dir)).sort().join("\n"));
  } catch {
    return undefined; // an input is gone: the entry is stale
  }
  return hashes;
}

/**
 * Writes `data` to `file` through a temporary file in the same folder and a rename: a concurrent
 * reader sees the old file or the new one, never a partly written one.
 */
export function writeAtomically(file: string, data: Buffer | string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export class BundleCache {
  constructor(
    readonly dir: string,
    private readonly root: string,
  ) {}

  /** The package built for `name` with `key` if no input changed since, else undefined. */
  get(name: string, key: string): CachedBuild | undefined {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(path.join(this.dir, `${name}.json`), "utf8")) as Manifest;
    } catch {
      return undefined;
    }
    if (manifest.kind !== "finops-landing/bundle-cache" || manifest.name !== name || manifest.key !== key)
      return undefined;
    const current = dependencies(this.root, manifest.metafile);
    if (!current || Object.keys(current).length !== Object.keys(manifest.inputs).length) return undefined;
    for (const [input, hash] of Object.entries(manifest.inputs))
      if (current[input] !== hash) return undefined;
    let zip: Buffer;
    try {
      zip = readFileSync(path.join(this.dir, `${name}.${manifest.zipSha256}.zip`));
    } catch {
      return undefined;
    }
    if (sha256(zip) !== manifest.zipSha256) return undefined;
    return { zip, metafile: manifest.metafile };
  }

  /**
   * Records a build that started at `startedAtMs` (Date.now()). Not recorded when an input was
   * modified since (it may differ from what was bundled). Best effort: a cache that cannot be
   * written (read-only file system) only costs the next synth a rebuild, so the error is returned,
   * not thrown.
   */
  put(name: string, key: string, build: CachedBuild, startedAtMs: number): Error | undefined {
    try {
      const inputs = dependencies(this.root, build.metafile, startedAtMs);
      if (!inputs) return new Error(`an input of ${name} changed or disappeared while it was bundled`);
      mkdirSync(this.dir, { recursive: true });
      const zipSha256 = sha256(build.zip);
      const zipFile = `${name}.${zipSha256}.zip`;
      writeAtomically(path.join(this.dir, zipFile), build.zip);
      const manifest: Manifest = {
        kind: "finops-landing/bundle-cache",
        name,
        key,
        inputs,
        zipSha256,
        metafile: build.metafile,
      };
      writeAtomically(path.join(this.dir, `${name}.json`), JSON.stringify(manifest));
      // Older packages of this function: a concurrent reader that still wanted one finds it gone
      // and rebuilds, which is only slower.
      for (const f of readdirSync(this.dir))
        if (
          f.startsWith(`${name}.`) &&
          f.endsWith(".zip") &&
          f !== zipFile &&
          /^[0-9a-f]{64}$/.test(f.slice(name.length + 1, -4))
        )
          rmSync(path.join(this.dir, f), { force: true });
      return undefined;
    } catch (e) {
      return e as Error;
    }
  }
}
