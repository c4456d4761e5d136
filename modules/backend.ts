import * as path from "node:path";
import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import { BootstrapNames } from "../config/bootstrap-names";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import { STATE_PROFILE_NAME } from "./providers";

/**
 * Each stack keeps its own state: in AWS an S3 object <keyPrefix>/<stack>.tfstate, encrypted,
 * locked with Terraform's native S3 lock file (no DynamoDB table); in the local target a file under
 * the local state directory.
 */
export function configureBackend(
  stack: TerraformStack,
  stackName: string,
  config: AccountConfig,
  target: Target,
  outdir: string,
): void {
  if (target.kind === "local") {
    configureLocalBackend(stack, stackName, outdir, path.join(target.stateDir, `${stackName}.tfstate`));
    return;
  }
  const sb = config.organization.stateBackend;
  if (!sb) {
    throw new Error(
      "organization.stateBackend is required for target aws (validation should have caught this)",
    );
  }
  // With credentials "profiles" the backend's role comes from the profile finops-state, like the
  // providers' (scripts/aws-profiles.ts writes it), so plan and apply jobs can map it differently.
  const profiles = config.organization.credentials === "profiles";
  const backend = new S3Backend(stack, {
    bucket: sb.bucket,
    key: `${sb.keyPrefix}/${stackName}.tfstate`,
    region: sb.region,
    encrypt: true,
    // A bootstrap-managed bucket (gitops section) has its own key: state is written under it, not SSE-S3.
    kmsKeyId: config.gitops ? new BootstrapNames(config).stateKeyAliasArn : undefined,
    profile: sb.roleArn && profiles ? STATE_PROFILE_NAME : undefined,
    assumeRole:
      sb.roleArn && !profiles
        ? { roleArn: sb.roleArn, sessionName: `${config.organization.tagPrefix}-landing-state` }
        : undefined,
  });
  // Terraform >= 1.10: lock with a .tflock object next to the state (cdktf 0.21 has no typed field).
  backend.addOverride("use_lockfile", true);
}

/**
 * A local state file, named relative to the stack's working directory (<outdir>/stacks/<stack>) so
 * that the synthesized JSON names no absolute path of this machine.
 */
export function configureLocalBackend(
  stack: TerraformStack,
  stackName: string,
  outdir: string,
  stateFile: string,
): void {
  const stackDir = path.resolve(outdir, "stacks", stackName);
  new LocalBackend(stack, { path: path.relative(stackDir, stateFile) });
}
