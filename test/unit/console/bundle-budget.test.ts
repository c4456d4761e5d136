import { bundleBudget, firstLoadFiles } from "../../../console/bundle-budget";

describe("the console's first-load budget", () => {
  it("counts the entry, its static imports and their CSS, not dynamically imported chunks", () => {
    const bundle = {
      "assets/index.js": {
        type: "chunk" as const,
        fileName: "assets/index.js",
        isEntry: true,
        imports: ["assets/vendor.js"],
        viteMetadata: { importedCss: new Set(["assets/index.css"]) },
      },
      "assets/vendor.js": { type: "chunk" as const, fileName: "assets/vendor.js", imports: [] },
      "assets/charts.js": {
        type: "chunk" as const,
        fileName: "assets/charts.js",
        imports: ["assets/vendor.js"],
      },
      "assets/index.css": { type: "asset" as const, fileName: "assets/index.css" },
    };
    expect(firstLoadFiles(bundle)).toEqual(["assets/index.css", "assets/index.js", "assets/vendor.js"]);
  });

  it("fails the build above the budget, naming the sizes, and passes within it", () => {
    const bundle = {
      "assets/index.js": {
        type: "chunk",
        fileName: "assets/index.js",
        isEntry: true,
        imports: [],
        code: "x".repeat(5000),
      },
      "assets/charts.js": { type: "chunk", fileName: "assets/charts.js", imports: [], code: "y".repeat(1e6) },
    };
    const run = (budget: number) => {
      const out: { error?: string; info?: string } = {};
      const plugin = bundleBudget(budget) as unknown as {
        generateBundle(this: unknown, o: unknown, b: unknown): void;
      };
      try {
        plugin.generateBundle.call(
          {
            error: (m: string) => {
              throw new Error(m);
            },
            info: (m: string) => {
              out.info = m;
            },
          },
          {},
          bundle,
        );
      } catch (e) {
        out.error = (e as Error).message;
      }
      return out;
    };
    // 5000 repeated characters gzip to a few dozen bytes; the dynamically imported chunk is not counted.
    expect(run(10).error).toMatch(
      /first load 0\.\d KB gzipped \(budget 0 KB\):\n {2}assets\/index\.js: .*\nover budget/,
    );
    expect(run(1024).info).toMatch(/^first load 0\.\d KB gzipped \(budget 1 KB\):\n {2}assets\/index\.js: /);
  });
});
