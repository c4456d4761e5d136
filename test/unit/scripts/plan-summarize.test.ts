import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PLANS } from "../deploy/fixtures";

const ROOT = path.join(__dirname, "../../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const SCRIPT = path.join(ROOT, "scripts/plan-summarize.ts");

function cli(args: string[], env: Record<string, string> = {}) {
  const { FINOPS_ALLOW_DATA_STORE_DESTROY: _ignored, ...base } = process.env;
  const result = spawnSync(TSX, [SCRIPT, ...args], {
    cwd: PLANS,
    env: { ...base, ...env },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("scripts/plan-summarize.ts", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), "plan-summarize-"));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("prints the Markdown and exits 0 without --guard, even when data stores would be lost", () => {
    const { code, stdout } = cli(["derived/member-dev.json", "derived/admin.json"]);
    expect(code).toBe(0);
    expect(stdout).toContain("### Terraform plan: 2 of 2 stacks change");
    expect(stdout).toContain("`aws_s3_bucket.cur_archive` — **destroy**");
  });

  it("exits 1 with --guard when a data store would be destroyed, after printing the summary", () => {
    const { code, stdout, stderr } = cli(["--guard", "derived/member-dev.json"]);
    expect(code).toBe(1);
    expect(stdout).toContain("| `member-dev` | account unknown |");
    expect(stderr).toContain("member-dev (account unknown): aws_s3_bucket.cur_archive would be destroyed");
  });

  it("exits 0 with --guard when FINOPS_ALLOW_DATA_STORE_DESTROY=true", () => {
    const { code, stdout } = cli(["--guard", "derived/member-dev.json"], {
      FINOPS_ALLOW_DATA_STORE_DESTROY: "true",
    });
    expect(code).toBe(0);
    expect(stdout).toContain("Allowed explicitly");
  });

  it("exits 0 with --guard and --allow-data-store-destroy", () => {
    expect(cli(["--guard", "--allow-data-store-destroy", "derived/member-dev.json"]).code).toBe(0);
  });

  it("exits 0 with --guard when no data store is touched", () => {
    expect(cli(["--guard", "derived/admin.json", "recorded/noop.json"]).code).toBe(0);
  });

  it("writes the JSON summary and shows account names from --stacks", () => {
    const out = path.join(tmp, "summary.json");
    const { code, stdout } = cli(["--json", out, "--stacks", "stacks.json", "derived/payer.json"]);
    expect(code).toBe(0);
    expect(stdout).toContain("| `payer` | payer (111111111111) | us-east-1 |");
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(json).toMatchObject({ schemaVersion: 1, totals: { replace: 1 } });
  });

  it.each([
    [
      ["invalid/missing-format-version.json"],
      "invalid/missing-format-version.json: not a terraform show -json plan: missing format_version",
    ],
    [["invalid/truncated.json"], "invalid/truncated.json: not valid JSON"],
    [
      ["invalid/state-not-plan.json"],
      "invalid/state-not-plan.json: not a terraform show -json plan: this is a state",
    ],
    [["recorded/noop.json", "nowhere.json"], "nowhere.json: cannot read: ENOENT"],
    [[], "give at least one plan JSON file"],
    [["--json"], "--json needs a value"],
    [["--frobnicate", "recorded/noop.json"], "unknown option --frobnicate"],
  ])("exits 2 for %j, saying what is wrong", (args, message) => {
    const { code, stderr, stdout } = cli(["--guard", ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe("");
  });
});
