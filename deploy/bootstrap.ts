import { existsSync, mkdirSync, renameSync } from "node:fs";
import * as path from "node:path";
import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
  DescribeOrganizationsAccessCommand,
} from "@aws-sdk/client-cloudformation";
import { ListDelegatedAdministratorsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { BootstrapNames } from "../config/bootstrap-names";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import { BOOTSTRAP_STACK } from "../contracts/gitops";
import { clientConfigForAccount } from "../emulator/aws-clients";
import { STACKSETS_SERVICE_PRINCIPAL } from "../modules/bootstrap/organization-prerequisites";
import { describeBootstrap } from "../stacks/landing";
import { readStackJson, stackDir, synthLanding } from "./synth";
import { lastLines, runTerraform, terraformApply, terraformInit, terraformPlan } from "./terraform";

/**
 * `npm run bootstrap`: synth, init, plan and apply the bootstrap stack (stacks/bootstrap-stack.ts),
 * the one stack a person with admin rights applies by hand (docs/bootstrap.md).
 *
 * Its state, target aws: the first apply keeps it in a local file (<localDir>/bootstrap/
 * bootstrap.tfstate), because the bucket that will hold it does not exist yet; `--migrate` then
 * moves it into that bucket (`terraform init -migrate-state`) at <keyPrefix>/bootstrap.tfstate,
 * the backend the app synthesizes for it, and renames the local file to *.migrated. Which backend
 * a run uses is decided from the disk, not guessed: a local state file that was not migrated means
 * the local backend; otherwise the config's S3 backend. Target local keeps every stack's state on
 * disk, the bootstrap stack's too (<localDir>/state/bootstrap.tfstate): nothing to migrate.
 */
export type BootstrapMode = "apply" | "plan" | "migrate";

export interface BootstrapOptions {
  readonly config: AccountConfig;
  readonly target: Target;
  /** Terraform's environment (terraformEnv), with the emulator's port in the local target. */
  readonly env: NodeJS.ProcessEnv;
  /** The local directory of the tools (.local): synth output and the first apply's state live below it. */
  readonly localDir: string;
  readonly mode: BootstrapMode;
  readonly log: (line: string) => void;
  /** Whether the state bucket exists (target aws, first run). @default HeadBucket */
  readonly bucketExists?: () => Promise<boolean>;
  /** Preparation against the real organization (trusted access, adoption); tests replace it. @default awsPreparation */
  readonly prepare?: (stackDirectory: string) => Promise<void>;
}

export interface BootstrapResult {
  /** Where the stack was synthesized and planned. */
  readonly stackDir: string;
  /** local-file: the first apply's local state; bucket: the state bucket; local-target: the emulator's state dir. */
  readonly backend: "local-file" | "bucket" | "local-target";
  /** The plan's outcome: changes, or none. */
  readonly changes: boolean;
  readonly applied: boolean;
  readonly planOutput: string;
}

/** The first apply's state file (target aws), below the tools' local directory. */
export function initialStateFile(localDir: string): string {
  return path.join(localDir, "bootstrap", "bootstrap.tfstate");
}

/**
 * Which backend this run uses (see the module comment). Target aws without a local state file:
 * the bucket if it exists (migrated already, or another machine), else this is the first apply.
 */
export async function bootstrapBackend(
  config: AccountConfig,
  localDir: string,
  mode: BootstrapMode,
  bucketExists: () => Promise<boolean> = () => stateBucketExists(config),
): Promise<BootstrapResult["backend"]> {
  if (config.target === "local") {
    if (mode === "migrate")
      throw new Error(
        "--migrate is for target aws: the local target keeps every stack's state on disk, the bootstrap stack's too (nothing to migrate)",
      );
    return "local-target";
  }
  const initial = existsSync(initialStateFile(localDir));
  if (mode === "migrate") {
    if (!initial)
      throw new Error(
        `--migrate moves the first apply's local state into the state bucket, but ${initialStateFile(localDir)} does not exist: run npm run bootstrap first (or, if it was migrated already, run it without --migrate)`,
      );
    return "bucket";
  }
  if (initial) return "local-file";
  return (await bucketExists()) ? "bucket" : "local-file";
}

function requireBootstrap(config: AccountConfig): void {
  if (!describeBootstrap(config))
    throw new Error(
      'the config has no gitops section, so there is no bootstrap stack: add gitops: { repository: "<owner>/<name>" } (docs/bootstrap.md)',
    );
}

async function synthBootstrap(opts: BootstrapOptions, localStateFile?: string): Promise<string> {
  const outdir = path.join(opts.localDir, "bootstrap", "synth");
  synthLanding(
    opts.config,
    outdir,
    opts.target,
    localStateFile ? { bootstrapLocalStateFile: localStateFile } : {},
  );
  return stackDir(outdir, BOOTSTRAP_STACK);
}

async function init(dir: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<void> {
  const r = extra.length
    ? await runTerraform(dir, ["init", "-input=false", "-no-color", ...extra], env)
    : await terraformInit(dir, env);
  if (r.code !== 0)
    throw new Error(
      `terraform init ${extra.join(" ")} failed in ${dir}:\n${lastLines(r.stderr || r.stdout)}`,
    );
}

/**
 * Runs the bootstrap: plan, and in mode apply (or migrate, when the plan has changes after the move)
 * applies. Throws with Terraform's last lines on any failure.
 */
export async function runBootstrap(opts: BootstrapOptions): Promise<BootstrapResult> {
  requireBootstrap(opts.config);
  const backend = await bootstrapBackend(opts.config, opts.localDir, opts.mode, opts.bucketExists);
  const stateFile = initialStateFile(opts.localDir);
  let dir: string;
  if (opts.mode === "migrate") {
    // The working directory must know the old backend for -migrate-state: init it with the local
    // file first, then synthesize the bucket backend into the same directory and migrate.
    dir = await synthBootstrap(opts, stateFile);
    await init(dir, opts.env);
    dir = await synthBootstrap(opts);
    opts.log(
      `migrate    ${stateFile} → s3://${new BootstrapNames(opts.config).stateBucket}/${new BootstrapNames(opts.config).bootstrapStateKey}`,
    );
    await init(dir, opts.env, ["-migrate-state", "-force-copy"]);
    renameSync(stateFile, `${stateFile}.migrated`);
    opts.log(
      `migrate    done; the local file is kept as ${stateFile}.migrated (delete it once a plan is clean)`,
    );
  } else {
    if (backend === "local-file") mkdirSync(path.dirname(stateFile), { recursive: true });
    dir = await synthBootstrap(opts, backend === "local-file" ? stateFile : undefined);
    await init(dir, opts.env, backend === "bucket" ? ["-reconfigure"] : []);
  }
  opts.log(
    `state      ${backend === "local-file" ? `${stateFile} (first apply: migrate with --migrate afterwards)` : backend === "bucket" ? "the state bucket" : "the local target's state directory"}`,
  );
  if (opts.mode !== "plan") await (opts.prepare ?? ((d) => awsPreparation(opts, d)))(dir);

  const planFile = "bootstrap.tfplan";
  // --plan writes no state: no lock either, so the plan role (read-only on state) can run it in a pull request.
  const plan = await terraformPlan(dir, opts.env, planFile, opts.mode === "plan" ? ["-lock=false"] : []);
  if (plan.code === 1)
    throw new Error(
      `terraform plan of the bootstrap stack failed:\n${lastLines(plan.stderr || plan.stdout)}`,
    );
  const changes = plan.code === 2;
  const summary = /Plan: .*|No changes\..*/.exec(plan.stdout)?.[0] ?? (changes ? "changes" : "no changes");
  opts.log(`plan       ${summary}`);
  if (!changes || opts.mode === "plan") {
    return { stackDir: dir, backend, changes, applied: false, planOutput: plan.stdout };
  }
  const apply = await terraformApply(dir, opts.env, planFile);
  if (apply.code !== 0)
    throw new Error(
      `terraform apply of the bootstrap stack failed:\n${lastLines(apply.stderr || apply.stdout)}`,
    );
  opts.log(`apply      ${/Apply complete!.*/.exec(apply.stdout)?.[0] ?? "done"}`);
  return { stackDir: dir, backend, changes, applied: true, planOutput: plan.stdout };
}

/** The resource address of the first resource of a type in a synthesized stack. */
export function addressOf(
  json: { resource?: Record<string, Record<string, unknown>> },
  type: string,
): string | undefined {
  const name = Object.keys(json.resource?.[type] ?? {})[0];
  return name ? `${type}.${name}` : undefined;
}

/**
 * What Terraform cannot do itself, before the plan: target aws activates StackSets trusted access
 * (CloudFormation ActivateOrganizationsAccess; its only Terraform home would be
 * aws_organizations_organization, which owns the whole organization), and on either target a
 * StackSets delegated admin registered before (by hand, or by the local organization bootstrap) is
 * adopted into state (`terraform import`) instead of failing as already registered.
 */
export async function awsPreparation(opts: BootstrapOptions, dir: string): Promise<void> {
  const { config, target } = opts;
  const region = "us-east-1";
  // The local target: the management account's credentials from the emulator, Organizations through the gap-filler.
  const local =
    target.kind === "local"
      ? {
          ...(await clientConfigForAccount(
            target.endpoint,
            config.payer.id,
            region,
            config.payer.deployRole ?? config.organization.deployRoleName,
          )),
          endpoint: target.serviceEndpoints.organizations ?? target.endpoint,
        }
      : {};
  if (target.kind === "aws") {
    const cfn = new CloudFormationClient({ region });
    try {
      const access = await cfn.send(new DescribeOrganizationsAccessCommand({}));
      if (access.Status !== "ENABLED") {
        await cfn.send(new ActivateOrganizationsAccessCommand({}));
        opts.log("access     StackSets trusted access with AWS Organizations activated");
      }
    } finally {
      cfn.destroy();
    }
  }
  const address = addressOf(
    readStackJson(path.dirname(path.dirname(dir)), BOOTSTRAP_STACK),
    "aws_organizations_delegated_administrator",
  );
  if (!address) return;
  const state = await runTerraform(dir, ["state", "list"], opts.env);
  if (state.code === 0 && state.stdout.split("\n").includes(address)) return;
  const org = new OrganizationsClient({ region, ...local });
  try {
    const admins = await org.send(
      new ListDelegatedAdministratorsCommand({ ServicePrincipal: STACKSETS_SERVICE_PRINCIPAL }),
    );
    if (!admins.DelegatedAdministrators?.some((a) => a.Id === config.admin.id)) return;
  } finally {
    org.destroy();
  }
  const id = `${config.admin.id}/${STACKSETS_SERVICE_PRINCIPAL}`;
  const r = await runTerraform(dir, ["import", "-input=false", "-no-color", address, id], opts.env);
  if (r.code !== 0)
    throw new Error(
      `terraform import of the existing StackSets delegated admin failed:\n${lastLines(r.stderr || r.stdout)}`,
    );
  opts.log(
    `adopt      ${config.admin.id} is already a StackSets delegated administrator: imported into the bootstrap state`,
  );
}

/** Whether the state bucket exists yet (target aws): informs the first-run message. */
export async function stateBucketExists(config: AccountConfig): Promise<boolean> {
  const bn = new BootstrapNames(config);
  const s3 = new S3Client({ region: bn.stateRegion });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bn.stateBucket }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}
