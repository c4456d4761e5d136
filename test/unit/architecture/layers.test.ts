/**
 * Imports go one way (docs/architecture.md "Layers"):
 *
 *   contracts ← config ← modules ← stacks ← checks ← deploy ← scripts (and main.ts, bench)
 *   contracts ← functions            contracts ← emulator
 *   contracts, config, functions, emulator ← local (the local organization runner)
 *   contracts, functions ← console (the finance console: the API's types and schemas)
 *
 * Read from the source text (static imports, re-exports, dynamic import() and require()), type-only
 * imports included: a type import still couples the layers. Tests may import anything.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");

/** Each layer and the layers it may import (besides itself). Written out, not derived. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  contracts: [],
  config: ["contracts"],
  modules: ["contracts", "config"],
  stacks: ["contracts", "config", "modules"],
  checks: ["contracts", "config"],
  functions: ["contracts"],
  emulator: ["contracts"],
  local: ["contracts", "config", "functions", "emulator"],
  // The finance console (a browser app) reuses the API's types and zod schemas and the runtime config's contract.
  console: ["contracts", "functions"],
  // deploy starts the local organization for target local (deploy/deploy.ts), so it may use local/.
  deploy: ["contracts", "config", "modules", "stacks", "checks", "local", "emulator"],
  scripts: ["contracts", "config", "modules", "stacks", "checks", "deploy", "local", "emulator", "functions"],
  bench: ["contracts", "config", "modules", "stacks", "checks", "deploy", "local", "emulator", "functions"],
  "main.ts": ["contracts", "config", "stacks", "deploy"],
};

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm;

function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(SPECIFIER)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function layerOf(file: string): string {
  const rel = path.relative(ROOT, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0] : rel;
}

/** Every cross-layer edge that MAY_IMPORT does not allow, as "from → to (specifier)". */
function wrongWayImports(): string[] {
  const files = [path.join(ROOT, "main.ts")];
  for (const layer of Object.keys(MAY_IMPORT)) {
    if (layer.endsWith(".ts")) continue;
    files.push(...sources(path.join(ROOT, layer)));
  }
  const wrong: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const to = layerOf(path.resolve(path.dirname(file), spec));
      if (to === from) continue;
      if (!(MAY_IMPORT[from] ?? []).includes(to))
        wrong.push(`${path.relative(ROOT, file)} → ${to} (${spec})`);
    }
  }
  return wrong;
}

describe("import direction", () => {
  it("reads every kind of import the code uses", () => {
    const sample = [
      'import { a } from "../config/schema";',
      'import type { B } from "../contracts/tables";',
      'export { c } from "./c";',
      'export * from "../d";',
      'const e = await import("../emulator/moto-server");',
      'const f = require("../f");',
      'import "./side-effect";',
      "import {\n  g,\n  h,\n} from '../g';",
    ].join("\n");
    expect(importsOf(sample).sort()).toEqual(
      [
        "../config/schema",
        "../contracts/tables",
        "./c",
        "../d",
        "./side-effect",
        "../g",
        "../emulator/moto-server",
        "../f",
      ].sort(),
    );
  });

  it("every source folder is a known layer", () => {
    const known = new Set([
      ...Object.keys(MAY_IMPORT),
      "test",
      "accounts",
      "docs",
      "node_modules",
      "cdktf.out",
    ]);
    const folders = readdirSync(ROOT).filter(
      (n) =>
        !n.startsWith(".") &&
        statSync(path.join(ROOT, n)).isDirectory() &&
        sources(path.join(ROOT, n)).length,
    );
    expect(folders.filter((f) => !known.has(f))).toEqual([]);
  });

  it("no layer imports a layer above it", () => {
    expect(wrongWayImports()).toEqual([]);
  });

  it("modules/ holds constructs and their private helpers only", () => {
    // A file of modules/ builds constructs (imports constructs, cdktf or the provider bindings), or
    // it is a helper of constructs that only modules/ and the stacks composing them import (the
    // statements or description a construct's props take).
    const moduleFiles = sources(path.join(ROOT, "modules"));
    const importedFromOutside = new Set<string>();
    for (const layer of Object.keys(MAY_IMPORT).filter(
      (l) => l !== "modules" && l !== "stacks" && !l.endsWith(".ts"),
    ))
      for (const file of sources(path.join(ROOT, layer)))
        for (const spec of importsOf(readFileSync(file, "utf8")))
          if (spec.startsWith(".")) importedFromOutside.add(path.resolve(path.dirname(file), spec));
    const notConstructs = moduleFiles.filter((file) => {
      const builds = importsOf(readFileSync(file, "utf8")).some((s) =>
        /^(constructs|cdktf|@cdktf\/)/.test(s),
      );
      const bare = file.replace(/\.ts$/, "");
      return !builds && importedFromOutside.has(bare);
    });
    expect(notConstructs.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
