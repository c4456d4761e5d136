import { existsSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { bundleFunction } from "../../../modules/bundled-function/bundle";
import { trimSourceMap } from "../../../modules/bundled-function/source-map";
import { deterministicZip, unzipEntries } from "../../../modules/bundled-function/zip";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: Record<string, string> };
const devDependencies = Object.keys(pkg.devDependencies);

describe.each(["account-sync", "cur-ingest"])("the %s bundle", (name) => {
  const bundle = bundleFunction(name);
  const inputs = Object.keys(bundle.metafile.inputs);

  it("starts at functions/<name>/handler.ts", () => {
    expect(inputs).toContain(`functions/${name}/handler.ts`);
  });

  it("contains no dev dependencies, no test files, no CDKTF and no DuckDB", () => {
    const packages = new Set(
      inputs
        .filter((i) => i.startsWith("node_modules/"))
        .map((i) => {
          const parts = i.split("/");
          return parts[1]!.startsWith("@") ? `${parts[1]}/${parts[2]}` : parts[1]!;
        }),
    );
    for (const dev of devDependencies) expect([...packages]).not.toContain(dev);
    for (const never of ["cdktf", "constructs", "@cdktf/provider-aws", "@duckdb/node-api", "esbuild", "jest"])
      expect([...packages]).not.toContain(never);
    expect(inputs.filter((i) => i.startsWith("test/") || /\.test\.ts$/.test(i))).toEqual([]);
    // Functions import only contracts/ from the rest of the project (issue 13's layers).
    expect(
      inputs.filter(
        (i) => !i.startsWith("node_modules/") && !i.startsWith("functions/") && !i.startsWith("contracts/"),
      ),
    ).toEqual([]);
  });

  it("holds only the function's own code from the repository (no other function's handler)", () => {
    const other = name === "account-sync" ? "cur-ingest" : "account-sync";
    expect(inputs.filter((i) => i.startsWith(`functions/${other}/`))).toEqual([]);
  });

  it("names no machine path in the code or the source map", () => {
    const root = path.resolve(".");
    expect(bundle.code.includes(root)).toBe(false);
    expect(bundle.sourceMap.includes(root)).toBe(false);
    const sources = JSON.parse(bundle.sourceMap.toString()).sources as string[];
    expect(sources).toContain(`functions/${name}/handler.ts`);
  });

  it("zips index.js and its source map", () => {
    expect(bundle.zip.subarray(0, 4).toString("hex")).toBe("504b0304");
    expect(bundle.zip.includes("index.js.map")).toBe(true);
  });
});

/** Every function the landing can deploy: functions/<name>/handler.ts. */
const FUNCTIONS = readdirSync("functions")
  .filter((n) => existsSync(path.join("functions", n, "handler.ts")))
  .sort();

/**
 * Functions allowed to keep all of zod: none. `import { z } from "zod"` (zod's `z` export is a
 * namespace object) keeps all of it, about 440 KiB with fifty locales; `import * as z from "zod"`
 * keeps what is called. The test below fails for a function that imports it by name again.
 */
const ZOD_NAMED_IMPORT_PENDING: string[] = [];

/** Issue 18: each deployment package at most 500 KB zipped (a size budget, not a timing). */
const ZIP_BUDGET_BYTES = 500_000;

describe.each(FUNCTIONS)("the %s deployment package", (name) => {
  const bundle = bundleFunction(name);
  const output = bundle.metafile.outputs["index.js"]!;

  it(`is at most ${ZIP_BUDGET_BYTES / 1000} KB zipped`, () => {
    expect(bundle.zip.length).toBeLessThanOrEqual(ZIP_BUDGET_BYTES);
  });

  it("holds exactly index.js and its source map, as the bundle reports them", () => {
    const entries = unzipEntries(bundle.zip);
    expect(entries.map((e) => e.name)).toEqual(["index.js", "index.js.map"]);
    expect(entries[0]!.data.equals(bundle.code)).toBe(true);
    expect(entries[1]!.data.equals(bundle.sourceMap)).toBe(true);
  });

  it("keeps only the zod it calls (no locale but English, no JSON Schema import)", () => {
    const zod = Object.keys(output.inputs).filter((i) => i.startsWith("node_modules/zod/"));
    const unused = zod.filter(
      (i) => (i.includes("/locales/") && !i.endsWith("/locales/en.js")) || i.endsWith("/from-json-schema.js"),
    );
    if (ZOD_NAMED_IMPORT_PENDING.includes(name)) expect(unused.length).toBeGreaterThan(0);
    else expect(unused).toEqual([]);
  });

  it("maps only the repository's own sources (dependencies' mappings trimmed)", () => {
    const sources = JSON.parse(bundle.sourceMap.toString()).sources as string[];
    expect(sources.filter((s) => s.startsWith("node_modules/"))).toEqual([]);
    expect(sources).toContain(`functions/${name}/handler.ts`);
  });
});

describe("trimSourceMap", () => {
  // Source map v3 (https://tc39.es/ecma426/): "AAAA" maps generated column 0 to source 0, line 0,
  // column 0; "CCCAA" is +1 column, +1 source, +1 line, +0 column, +0 name.
  const map = {
    version: 3,
    sources: ["functions/a.ts", "node_modules/dep/index.js", "contracts/b.ts"],
    names: ["dependencyName", "ownName"],
    mappings: "AAAA,CCCAA,CCCAC;AAAA,EAAAA;;AAAA",
  };

  it("drops the dropped sources' segments and names and keeps every other position mapped the same", () => {
    const input = Buffer.from(JSON.stringify(map));
    const trimmed = JSON.parse(trimSourceMap(input, (s) => s.startsWith("node_modules/")).toString());
    expect(trimmed.sources).toEqual(["functions/a.ts", "contracts/b.ts"]);
    expect(trimmed.names).toEqual(["ownName"]);
    // Node's own decoder (node:module SourceMap) reads the same original positions from both maps.
    const before = new SourceMap(map as never);
    const after = new SourceMap(trimmed);
    const position = (m: SourceMap, line: number, column: number) => {
      const e = m.findEntry(line, column) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
        name?: string;
      };
      return [e.originalSource, e.originalLine, e.originalColumn, e.name];
    };
    expect(position(after, 0, 0)).toEqual(position(before, 0, 0));
    expect(position(after, 0, 2)).toEqual(position(before, 0, 2));
    expect(position(after, 0, 2)).toEqual(["contracts/b.ts", 2, 0, "ownName"]);
    expect(position(after, 1, 2)).toEqual(position(before, 1, 2));
    expect(position(after, 3, 0)).toEqual(position(before, 3, 0));
    // The dependency's generated column now maps to what precedes it on the line, never to the dependency.
    expect(position(after, 0, 1)[0]).not.toBe("node_modules/dep/index.js");
  });

  it("keeps a real bundle's own mappings: every position of functions/ and contracts/ maps as before", () => {
    const name = "tool-cur-summary";
    const bundle = bundleFunction(name);
    const own = new SourceMap(JSON.parse(bundle.sourceMap.toString()));
    const lines = bundle.code.toString().split("\n");
    // Sample generated positions across the code; those the trimmed map resolves to a source must be own sources.
    let checked = 0;
    for (let line = 0; line < lines.length; line++)
      for (let column = 0; column < lines[line]!.length; column += 997) {
        const e = own.findEntry(line, column) as { originalSource?: string };
        if (!e.originalSource) continue;
        expect(e.originalSource).toMatch(/^(functions|contracts)\//);
        checked++;
      }
    expect(checked).toBeGreaterThan(0);
  });
});

describe("deterministicZip", () => {
  it("gives the same bytes for the same files and stores them inflatable", () => {
    const files = [{ name: "a.txt", data: Buffer.from("hello hello hello") }];
    const a = deterministicZip(files);
    expect(deterministicZip(files).equals(a)).toBe(true);
    const compressedSize = a.readUInt32LE(18);
    const nameLength = a.readUInt16LE(26);
    expect(inflateRawSync(a.subarray(30 + nameLength, 30 + nameLength + compressedSize)).toString()).toBe(
      "hello hello hello",
    );
  });
});
