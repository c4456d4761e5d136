import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConsoleAtRef, synthAtRef } from "../../../deploy/synth-at-ref";

describe("synthAtRef with a config outside the repository", () => {
  it("refuses it by default: the ref's config is unknown, so npm run plan --changed-only plans every stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-at-ref-"));
    try {
      const file = join(dir, "org.yaml");
      writeFileSync(file, "organization: {}\n");
      const r = synthAtRef("HEAD", file, join(dir, "out"), process.env);
      expect(r).toEqual({ ok: false, reason: expect.stringMatching(/org\.yaml does not exist at HEAD$/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("buildConsoleAtRef: the ref's own finance console build in its worktree", () => {
  // A stand-in worktree whose `console:build` script only records that it ran: the real build
  // (tsc + vite, ~15 s) is `npm run console:build`; what is tested here is when it runs.
  let tree: string;
  const env = { ...process.env, FINOPS_CONSOLE_DIST: "" };
  beforeEach(() => {
    tree = mkdtempSync(join(tmpdir(), "console-at-ref-"));
    mkdirSync(join(tree, "console"));
    writeFileSync(join(tree, "console", "vite.config.ts"), "export default {};\n");
    writeFileSync(
      join(tree, "package.json"),
      JSON.stringify({
        scripts: { "console:build": "node -e \"require('fs').writeFileSync('built', 'yes')\"" },
      }),
    );
  });
  afterEach(() => rmSync(tree, { recursive: true, force: true }));

  it("builds for a target-aws config (the admin stack uploads the build)", () => {
    expect(buildConsoleAtRef(tree, "target: aws\n", env)).toEqual({ ok: true });
    expect(existsSync(join(tree, "built"))).toBe(true);
  });

  it("builds nothing for target local, with FINOPS_CONSOLE_DIST set, or before the console existed", () => {
    expect(buildConsoleAtRef(tree, "target: local\n", env)).toEqual({ ok: true });
    expect(
      buildConsoleAtRef(tree, "target: aws\n", { ...env, FINOPS_CONSOLE_DIST: "/builds/console" }),
    ).toEqual({
      ok: true,
    });
    rmSync(join(tree, "console"), { recursive: true });
    expect(buildConsoleAtRef(tree, "target: aws\n", env)).toEqual({ ok: true });
    expect(existsSync(join(tree, "built"))).toBe(false);
  });

  it("reports a failed build, so the plan falls back to planning every stack and says why", () => {
    writeFileSync(
      join(tree, "package.json"),
      JSON.stringify({
        scripts: { "console:build": "node -e \"console.error('vite: boom'); process.exit(1)\"" },
      }),
    );
    expect(buildConsoleAtRef(tree, "target: aws\n", env)).toEqual({
      ok: false,
      reason: expect.stringContaining("npm run console:build: vite: boom"),
    });
  });
});
