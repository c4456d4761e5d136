import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccountConfig } from "../../config/schema";
import { targetFor } from "../../config/target";
import { applyStack, type StackOutcome } from "../../deploy/apply";
import { synthLanding } from "../../deploy/synth";
import { runTerraform, terraformEnv, terraformInit } from "../../deploy/terraform";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import { bootstrapOrganization } from "../../local/bootstrap-org";

/**
 * Test support for the emulated organization. The integration project's global setup starts one
 * moto server for the whole run (FINOPS_MOTO_PORT, FINOPS_LOCAL_DIR point at it); each test file
 * deploys into it with its own output directory.
 */
export function emulatorEndpoint(): string {
  const port = process.env.FINOPS_MOTO_PORT;
  if (!port)
    throw new Error(
      "FINOPS_MOTO_PORT is not set: run integration tests through jest (global setup starts the emulator)",
    );
  return `http://127.0.0.1:${port}`;
}

/** Bootstraps the organization and applies the named stacks (all when omitted), in the given order. */
export async function deployLocal(
  config: AccountConfig,
  stacks?: readonly string[],
): Promise<{ outdir: string; outcomes: StackOutcome[] }> {
  const endpoint = emulatorEndpoint();
  await bootstrapOrganization(config, endpoint);
  const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-synth-"));
  const all = synthLanding(config, outdir, targetFor(config));
  const chosen = stacks ? stacks.map((s) => all.find((x) => x.stack === s)!) : all;
  const env = terraformEnv(process.env.FINOPS_LOCAL_DIR!);
  const outcomes: StackOutcome[] = [];
  for (const info of chosen) outcomes.push(await applyStack(info, { outdir, env }));
  return { outdir, outcomes };
}

/**
 * Destroys the named stacks where their local state holds resources (stacks another test file
 * applied into the shared emulated organization), so a file can start from accounts without them:
 * e.g. stackset mode, whose instances would collide with the direct-mode member stacks' roles.
 * Returns the stacks it destroyed.
 */
export async function destroyLocal(config: AccountConfig, stacks: readonly string[]): Promise<string[]> {
  const target = targetFor(config);
  if (target.kind !== "local") throw new Error("destroyLocal is for the local target only");
  const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-synth-"));
  const all = synthLanding(config, outdir, target);
  const env = terraformEnv(process.env.FINOPS_LOCAL_DIR!);
  const destroyed: string[] = [];
  for (const stack of stacks) {
    const state = path.join(target.stateDir, `${stack}.tfstate`);
    if (!existsSync(state) || !(JSON.parse(readFileSync(state, "utf8")).resources ?? []).length) continue;
    const info = all.find((s) => s.stack === stack);
    if (!info) throw new Error(`${stack} is not a stack of ${config.organization.name}`);
    const dir = path.join(outdir, "stacks", stack);
    const init = await terraformInit(dir, env);
    if (init.code !== 0) throw new Error(`${stack}: terraform init: ${init.stderr}`);
    const out = await runTerraform(dir, ["destroy", "-auto-approve", "-input=false", "-no-color"], env);
    if (out.code !== 0) throw new Error(`${stack}: terraform destroy: ${out.stderr}`);
    destroyed.push(stack);
  }
  return destroyed;
}

/** SDK client options for calls made as one account of the emulated organization. */
export function asAccount(accountId: string, region = "us-east-1") {
  return clientConfigForAccount(emulatorEndpoint(), accountId, region);
}
