import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consoleBuildFromEnv, readConsoleBuild } from "../../../../modules/console-hosting";

/** What synth uploads from a console build, and the builds it refuses to ship (files.ts). */
let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "finops-console-build-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string, mtime?: Date): void {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  if (mtime) utimesSync(p, mtime, mtime);
}

describe("readConsoleBuild", () => {
  it("lists every file with its content type, caching and MD5, leaving out the build's config.json", () => {
    write("dist/index.html", "<!doctype html>");
    write("dist/assets/index-abc.js", "x");
    write("dist/favicon.svg", "<svg/>");
    write("dist/config.json", "{}");
    const build = readConsoleBuild(path.join(root, "dist"));
    expect(build.files).toEqual([
      {
        key: "assets/index-abc.js",
        contentType: "text/javascript; charset=utf-8",
        cacheControl: "public, max-age=31536000, immutable",
        md5: "9dd4e461268c8034f5c8564e155c67a6", // md5("x")
      },
      { key: "favicon.svg", contentType: "image/svg+xml", cacheControl: "no-cache", md5: expect.any(String) },
      {
        key: "index.html",
        contentType: "text/html; charset=utf-8",
        cacheControl: "no-cache",
        md5: expect.any(String),
      },
    ]);
  });

  it("refuses a missing build, naming the directory and the command that makes it", () => {
    expect(() => readConsoleBuild(path.join(root, "dist"))).toThrow(
      `the hosted console needs the built console at ${path.join(root, "dist")}, which does not exist: run \`npm run console:build\` first (or set app.console.enabled: false)`,
    );
  });

  it("refuses a build without index.html (empty or partial)", () => {
    write("dist/assets/index-abc.js", "x");
    expect(() => readConsoleBuild(path.join(root, "dist"))).toThrow(
      "has no index.html (an empty or partial build)",
    );
  });

  it("refuses a build older than a source file (stale), and accepts it once rebuilt", () => {
    const old = new Date("2026-01-01T00:00:00Z");
    write("console/dist/index.html", "<!doctype html>", old);
    write("console/src/main.tsx", "changed", new Date("2026-01-02T00:00:00Z"));
    const dist = path.join(root, "console/dist");
    const src = path.join(root, "console");
    expect(() => readConsoleBuild(dist, src)).toThrow(
      `the built console at ${dist} is older than ${path.join("src", "main.tsx")}: it would ship a stale console; run \`npm run console:build\` first`,
    );
    write("console/dist/index.html", "<!doctype html>", new Date("2026-01-03T00:00:00Z"));
    expect(readConsoleBuild(dist, src).files.map((f) => f.key)).toEqual(["index.html"]);
  });

  it("refuses a file type it would serve with the wrong Content-Type", () => {
    write("dist/index.html", "<!doctype html>");
    write("dist/notes.md", "#");
    expect(() => readConsoleBuild(path.join(root, "dist"))).toThrow(
      "the built console has notes.md, whose type (.md) the hosting does not know; add it to CONTENT_TYPES",
    );
  });
});

describe("consoleBuildFromEnv", () => {
  it("takes FINOPS_CONSOLE_DIST when set", () => {
    write("ci-build/index.html", "<!doctype html>");
    expect(consoleBuildFromEnv({ FINOPS_CONSOLE_DIST: path.join(root, "ci-build") }).dir).toBe(
      path.join(root, "ci-build"),
    );
  });
});
