import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(__dirname, "../../..");
const tsx = resolve(root, "node_modules/.bin/tsx");

function sqlCheck(args: string[], stdin?: string) {
  const result = spawnSync(tsx, ["scripts/sql-check.ts", ...args], {
    cwd: root,
    input: stdin,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("scripts/sql-check.ts", () => {
  it("prints allowed and exits 0 for a read-only SELECT", () => {
    const { status, stdout } = sqlCheck(["SELECT line_item_usage_account_id FROM cur2 LIMIT 1"]);

    expect(stdout).toBe("allowed: one read-only SELECT statement\n");
    expect(status).toBe(0);
  });

  it("prints the reason and exits 1 for SELECT 1; DROP TABLE t", () => {
    const { status, stdout } = sqlCheck(["SELECT 1; DROP TABLE t"]);

    expect(stdout).toContain(
      "rejected (multiple-statements): multiple statements: only one statement is allowed",
    );
    expect(status).toBe(1);
  });

  it("reads the statement from stdin when the argument is -", () => {
    const { status, stdout } = sqlCheck(["-"], "DROP TABLE cur2\n");

    expect(stdout).toContain("rejected (ddl): DROP is DDL");
    expect(status).toBe(1);
  });

  it("prints usage and exits 2 without an argument", () => {
    const { status, stderr } = sqlCheck([]);

    expect(stderr).toContain("usage: sql-check '<sql>'");
    expect(status).toBe(2);
  });

  it("exits 2 when given more than one argument", () => {
    expect(sqlCheck(["SELECT 1", "SELECT 2"]).status).toBe(2);
  });
});
