import { readFileSync } from "node:fs";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { bundleFunction } from "../../../modules/bundled-function/bundle";
import { deterministicZip } from "../../../modules/bundled-function/zip";

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
