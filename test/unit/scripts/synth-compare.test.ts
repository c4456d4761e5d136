import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../../..");
const tsx = resolve(root, "node_modules/.bin/tsx");

function synthCompare(args: string[]) {
  const r = spawnSync(tsx, ["scripts/synth-compare.ts", ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The comparison itself is tested in test/unit/deploy/synth-compare.test.ts; these are the refusals,
// which stop before any synth.
describe("scripts/synth-compare.ts refuses bad input with one line and exit 2", () => {
  it("needs exactly one ref", () => {
    const r = synthCompare([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("give exactly one ref to compare against; usage: npm run -s synth:compare");
  });

  it("names the fields of a config this checkout refuses, without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-compare-cli-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, "organization: {}\n");
      const r = synthCompare(["HEAD", "--config", file]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("organization.name: is required");
      expect(r.stderr).toContain("payer: is required");
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
