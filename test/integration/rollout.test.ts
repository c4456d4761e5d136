import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { loadAccountConfig } from "../../config/load";
import type { AccountConfig } from "../../config/schema";
import { targetFor } from "../../config/target";
import { deployLanding } from "../../deploy/deploy";
import { planLanding } from "../../deploy/plan";
import { checkOrphanStates, listLocalStates } from "../../deploy/retirement";
import { stackDir } from "../../deploy/synth";
import { terraformEnv } from "../../deploy/terraform";
import type { StackRunner } from "../../deploy/waves";
import { bootstrapOrganization } from "../../local/bootstrap-org";
import { asAccount, emulatorEndpoint } from "../support/local-org";

/**
 * The rollout on the emulator: real terraform applies of small member stacks with StackSet
 * semantics. One member fails for real: the test injects an invalid resource (an SSM parameter of a
 * type that does not exist) into that member's synthesized JSON just before its apply, by wrapping
 * the runner for that one stack, so terraform itself refuses it. Admin and payer are left out
 * (`only`) to keep the run short; their waves are covered by the scheduler's unit tests.
 */

const BASE = loadAccountConfig(path.join(__dirname, "../../accounts/local.yaml"));
const member = (n: number, name: string): AccountConfig["members"][number] => ({
  ...BASE.members[0]!,
  id: `7770000000${String(n).padStart(2, "0")}`,
  name,
  email: `${name}@example.com`,
  regions: ["us-east-1"],
  budget: undefined,
});
const MEMBERS = [member(1, "ro-broken"), member(2, "ro-alpha"), member(3, "ro-beta")];
const CONFIG: AccountConfig = {
  ...BASE,
  members: MEMBERS,
  rollout: { ...BASE.rollout, maxConcurrentCount: 2, failureToleranceCount: 1, regionOrder: [] },
};
const ONLY = MEMBERS.map((m) => `member-${m.name}`);

function breakStack(synthDir: string, stack: string): void {
  const file = path.join(stackDir(synthDir, stack), "cdk.tf.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  json.resource = {
    ...json.resource,
    aws_ssm_parameter: {
      ...json.resource?.aws_ssm_parameter,
      injected_failure: { name: "/finops/injected-failure", type: "NotAType", value: "x" },
    },
  };
  writeFileSync(file, JSON.stringify(json));
}

async function parameterExists(accountId: string): Promise<boolean> {
  const ssm = new SSMClient(await asAccount(accountId, "us-east-1"));
  try {
    await ssm.send(new GetParameterCommand({ Name: "/finops/central-bus-arn" }));
    return true;
  } catch {
    return false;
  }
}

describe("rollout on the emulator", () => {
  const localDir = process.env.FINOPS_LOCAL_DIR!;
  const env = terraformEnv(localDir);
  const work = mkdtempSync(path.join(os.tmpdir(), "finops-rollout-"));
  const outdir = path.join(work, "synth");
  // Own state directory: other test files' stacks share the emulator but not these checks.
  const stateDir = path.join(work, "state");
  const target = (config: AccountConfig) => ({ ...targetFor(config), stateDir });

  beforeAll(async () => {
    await bootstrapOrganization(CONFIG, emulatorEndpoint());
  }, 120_000);

  it("completes the other members within tolerance when one member's apply fails", async () => {
    const wrap =
      (runner: StackRunner): StackRunner =>
      async (unit) => {
        if (unit.stack === "member-ro-broken") breakStack(outdir, unit.stack);
        return runner(unit);
      };
    const run = await deployLanding({
      config: CONFIG,
      target: target(CONFIG),
      env,
      outdir,
      localStateDir: stateDir,
      only: ONLY,
      wrapRunner: wrap,
    });
    const byStack = new Map(run.result.outcomes.map((o) => [o.unit.stack, o]));

    expect(byStack.get("member-ro-broken")).toMatchObject({ status: "failed" });
    expect(byStack.get("member-ro-broken")!.detail).toMatch(/NotAType/);
    expect(byStack.get("member-ro-alpha")).toMatchObject({ status: "succeeded" });
    expect(byStack.get("member-ro-beta")).toMatchObject({ status: "succeeded" });
    expect(run.result).toMatchObject({
      failed: 1,
      succeeded: 2,
      skipped: 0,
      toleranceExceeded: false,
      exitCode: 1,
    });
    // Strict mode: tolerance 1 allows 2 at once; after the failure only 1 more at a time.
    expect(run.result.peakConcurrency).toBeLessThanOrEqual(2);
    expect(await parameterExists("777000000002")).toBe(true);
    expect(await parameterExists("777000000003")).toBe(true);
    expect(await parameterExists("777000000001")).toBe(false);
  }, 900_000);

  it("retires a member: its empty stack plans the destroys, the apply of that saved plan empties its state, then the entry may go", async () => {
    const retired: AccountConfig = {
      ...CONFIG,
      members: CONFIG.members.map((m) => (m.name === "ro-beta" ? { ...m, retired: true } : m)),
    };
    const planDir = mkdtempSync(path.join(os.tmpdir(), "finops-retire-plan-"));
    const plan = await planLanding({
      config: retired,
      configFile: "accounts/local.yaml",
      target: target(retired),
      outDir: planDir,
      env,
      localStateDir: stateDir,
      only: ["member-ro-beta"],
    });
    const stack = plan.summary.stacks.find((s) => s.stack === "member-ro-beta")!;

    expect(plan.manifest.stacks.map((s) => [s.info.stack, s.status])).toEqual([
      ["member-ro-beta", "changes"],
    ]);
    expect(stack.counts.delete).toBeGreaterThan(0);
    expect(stack.counts.create).toBe(0);
    expect(plan.markdown).toContain("**Retiring:** member-ro-beta");

    const deploy = await deployLanding({
      config: retired,
      target: target(retired),
      env,
      outdir: path.join(planDir, "unused"),
      plansDir: planDir,
      localStateDir: stateDir,
    });
    expect(deploy.result).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await parameterExists("777000000003")).toBe(false);

    const states = listLocalStates(stateDir).filter((s) => ONLY.includes(s.stack));
    expect(states.find((s) => s.stack === "member-ro-beta")?.resources).toBe(0);
    const removed = { ...CONFIG, members: CONFIG.members.filter((m) => m.name !== "ro-beta") };
    expect(checkOrphanStates(states, removed).filter((i) => i.severity === "error")).toEqual([]);
    // Removing ro-alpha (still deployed) without retiring it is refused.
    const removedAlpha = { ...CONFIG, members: CONFIG.members.filter((m) => m.name !== "ro-alpha") };
    expect(checkOrphanStates(states, removedAlpha)).toEqual([
      expect.objectContaining({ severity: "error", stack: "member-ro-alpha" }),
    ]);
  }, 900_000);
});
