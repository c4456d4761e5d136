import { mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccountConfig } from "../../config/schema";
import { applyStack, type StackOutcome } from "../../deploy/apply";
import { synthLanding } from "../../deploy/synth";
import { terraformEnv } from "../../deploy/terraform";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import { bootstrapOrganization } from "../../emulator/bootstrap-org";
import { targetFor } from "../../modules/target";

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

/** SDK client options for calls made as one account of the emulated organization. */
export function asAccount(accountId: string, region = "us-east-1") {
  return clientConfigForAccount(emulatorEndpoint(), accountId, region);
}
