import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

function check(args: string[]) {
  const r = spawnSync(TSX, ["scripts/security-check.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FINOPS_LOCAL_DIR: mkdtempSync(path.join(os.tmpdir(), "finops-sec-cli-")) },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run security:check", () => {
  it("exits 2 for a config that does not exist, naming it", () => {
    const { code, stderr } = check(["accounts/nowhere.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toContain("accounts/nowhere.yaml: no such file");
  });

  it("exits 2 for an invalid config, printing its located errors", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "finops-sec-cli-"));
    const file = path.join(dir, "bad.yaml");
    writeFileSync(
      file,
      readFileSync(path.join(ROOT, "accounts/local.yaml"), "utf8").replace(
        /\nrollout:/,
        "\nvpc:\n  cidr: 8.8.8.0/24\n\nrollout:",
      ),
    );
    const { code, stderr } = check([file]);
    expect(code).toBe(2);
    expect(stderr).toContain('vpc.cidr: "8.8.8.0/24" is not a private range');
  });

  it("prints every violation with stack, address, path and rule, and a count, exiting 0 only when there is none", () => {
    const { code, stdout } = check(["accounts/local.yaml"]);
    const violations = stdout.split("\n").filter((l) => l.startsWith("VIOLATION "));
    for (const v of violations)
      expect(v).toMatch(/^VIOLATION [\w-]+: aws_\w+\.[\w-]+ \([^)]+\) \[[\w.-]+\] .+/);
    expect(stdout).toMatch(
      new RegExp(`\\d+ stacks, \\d+ rules: ${violations.length} violation\\(s\\), 0 excepted`),
    );
    expect(code).toBe(violations.length === 0 ? 0 : 1);
  }, 120_000);
});
