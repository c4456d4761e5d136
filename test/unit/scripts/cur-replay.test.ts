/**
 * `npm run -s cur:replay -- <export-root> [--json]` as a user runs it, for what needs no emulator: a
 * wrong command line, a root the replay refuses before anything starts, and a FOCUS 1.2 export root,
 * which is summarized from its files (the landing ingests CUR 2.0). The CUR 2.0 path, which brings up
 * the local organization, runs in test/integration/landing.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import { writeFocusMonth } from "../../../emulator/cur/focus";
import { curAccountsFromConfig, generateCurMonth } from "../../../emulator/cur/generator";
import type { FocusPeriodSummary } from "../../../local/cur/focus-replay";

function replay(...args: string[]) {
  return spawnSync("npm", ["run", "-s", "cur:replay", "--", ...args], {
    encoding: "utf8",
    env: { ...process.env, FINOPS_MOTO_PORT: "1" }, // nothing may reach an emulator in these cases
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-replay-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run cur:replay", () => {
  it("without an export root exits 2 with the usage", () => {
    const out = replay();
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(
      /give the export root .*usage: npm run -s cur:replay -- <export-root> \[--json\]/,
    );
  });

  it("with an unknown option exits 2 naming it", () => {
    const out = replay(dir, "--jsn");
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/unknown option --jsn/);
  });

  it("with a folder that is not an export root exits 1 saying what to give, and prints nothing on stdout", () => {
    const out = replay(dir, "--json");
    expect(out.status).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/no metadata\/ folder; give the export's own folder/);
  });

  it("summarizes a FOCUS 1.2 export root per billing period, as JSON only on stdout", async () => {
    const config = loadAccountConfig("accounts/local.yaml");
    const rows = generateCurMonth({
      billingPeriod: "2026-07",
      payer: { id: config.payer.id, name: config.payer.name },
      accounts: curAccountsFromConfig(config),
      exportName: "x",
      s3Prefix: "x",
    }).rows;
    await writeFocusMonth(rows, {
      billingPeriod: "2026-07",
      payerId: config.payer.id,
      exportName: "team-focus",
      s3Prefix: "exports",
      format: "csv",
      overwrite: "CREATE_NEW_REPORT",
      outDir: dir,
    });
    const out = replay(path.join(dir, "exports/team-focus"), "--json");
    expect(out.status).toBe(0);
    const summary = JSON.parse(out.stdout) as FocusPeriodSummary[];
    expect(summary.map((s) => [s.billingPeriod, s.lineItems > 0])).toEqual([["2026-07", true]]);
    expect(summary[0]!.totals.billedCost).toMatch(/^-?\d+\.\d{6}$/);
    expect(out.stderr).toMatch(/a FOCUS export .* summarized from its files, not ingested/);
  }, 60_000);
});
