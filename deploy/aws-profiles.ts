import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { GITOPS_ROLE_NAMES } from "../contracts/gitops";
import { accountProfileName, STATE_PROFILE_NAME } from "../modules/providers";

/**
 * The AWS shared-config profiles that organization.credentials "profiles" names (modules/providers.ts,
 * modules/backend.ts): one `finops-<account-id>` profile per account and, when the state bucket is
 * reached through stateBackend.roleArn, `finops-state`. A saved plan records only the profile
 * name, so the plan job and the apply job can map the same names to different roles:
 *
 * - plan (pull requests, drift): each account's read-only role (`finops-landing-read` by default);
 * - apply (after approval): each account's deploy role (organization.deployRoleName or the
 *   account's deployRole), exactly the role the assume-role mode would use.
 *
 * Every profile takes its source credentials from the environment (`credential_source =
 * Environment`): the job's OIDC role credentials that aws-actions/configure-aws-credentials exports.
 */

export type ProfileRole = "plan" | "apply";

/** Name of the read-only role in every account that plans assume. */
export const DEFAULT_READ_ROLE_NAME = GITOPS_ROLE_NAMES.read;

export interface ProfileOptions {
  readonly role: ProfileRole;
  /** Role name plans assume in each account. @default DEFAULT_READ_ROLE_NAME */
  readonly readRoleName?: string;
  /** Role behind the finops-state profile. @default organization.stateBackend.roleArn */
  readonly stateRoleArn?: string;
  /** Shown in the header comment (the account file). */
  readonly configFile?: string;
}

export interface AwsProfile {
  readonly name: string;
  /** What the profile is for, written as a comment above it. */
  readonly comment: string;
  readonly roleArn: string;
  readonly sessionName: string;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Every profile the config's stacks name, payer and admin first, then members in config order. */
export function awsProfiles(config: AccountConfig, options: ProfileOptions): AwsProfile[] {
  if (config.target !== "aws") {
    throw new Error(
      `the config is target ${config.target}: the local target reaches the emulator with its test credentials and names no profiles; profiles are for target aws with organization.credentials: profiles`,
    );
  }
  if (options.role === "plan" && config.organization.credentials !== "profiles") {
    // With assume-role every provider assumes the deploy role itself, whatever profiles exist: the
    // plan job (pull requests, drift) would need the plan role to hold every deploy role.
    throw new Error(
      `organization.credentials is ${config.organization.credentials}: every provider assumes the deploy role itself, so a pull-request plan would hold deploy rights in every account; set organization.credentials: profiles (or remove the line: profiles is the default for target aws) and roll out the read roles first (docs/gitops.md, "Order of the switch")`,
    );
  }
  const readRole = options.readRoleName ?? DEFAULT_READ_ROLE_NAME;
  const deployRoles = new Set([
    config.organization.deployRoleName,
    ...[config.payer, config.admin, ...config.members].flatMap((a) => (a.deployRole ? [a.deployRole] : [])),
  ]);
  if (options.role === "plan" && deployRoles.has(readRole)) {
    throw new Error(
      `--read-role "${readRole}" is a deploy role of this config: plans would hold deploy rights; give the read-only role's name (default ${DEFAULT_READ_ROLE_NAME})`,
    );
  }
  if (!ROLE_NAME.test(readRole)) {
    throw new Error(
      `--read-role "${readRole}" is not an IAM role name; give the name only (1-64 letters, digits or +=,.@_-), e.g. ${DEFAULT_READ_ROLE_NAME}`,
    );
  }
  if (options.stateRoleArn !== undefined && !ROLE_ARN.test(options.stateRoleArn)) {
    throw new Error(
      `--state-role "${options.stateRoleArn}" is not an IAM role ARN; give e.g. arn:aws:iam::123456789012:role/finops-landing-state-read`,
    );
  }
  if (options.stateRoleArn !== undefined && !config.organization.stateBackend?.roleArn) {
    throw new Error(
      "--state-role is set but organization.stateBackend.roleArn is not: the backend then reads state with the job's own credentials and names no finops-state profile; drop --state-role or set stateBackend.roleArn",
    );
  }
  const names = new Names(config);
  const accounts = [
    { kind: "payer", ...config.payer },
    { kind: "admin", ...config.admin },
    ...config.members.map((m) => ({ kind: m.retired ? "member, retired" : "member", ...m })),
  ];
  const profiles: AwsProfile[] = accounts.map((a) => ({
    name: accountProfileName(a.id),
    comment: `${a.name} (${a.kind})`,
    roleArn: options.role === "plan" ? Names.roleArn(a.id, readRole) : names.deployRoleArn(a),
    sessionName: `${names.prefix}-${options.role === "plan" ? "plan" : "landing"}-${a.name}`.slice(0, 64),
  }));
  const stateRole = options.stateRoleArn ?? config.organization.stateBackend?.roleArn;
  if (config.organization.stateBackend && stateRole) {
    profiles.push({
      name: STATE_PROFILE_NAME,
      comment: `state bucket ${config.organization.stateBackend.bucket}`,
      roleArn: stateRole,
      sessionName: `${names.prefix}-${options.role}-state`,
    });
  }
  return profiles;
}

/** The profiles as `~/.aws/config` text (the file AWS_CONFIG_FILE points at). */
export function renderAwsConfig(config: AccountConfig, options: ProfileOptions): string {
  const profiles = awsProfiles(config, options);
  const lines = [
    `# AWS shared config for the ${options.role} job of ${config.organization.name}, written by`,
    `# \`npm run -s aws-profiles -- --role ${options.role}\`${options.configFile ? ` from ${options.configFile}` : ""}. Each profile assumes its`,
    `# role with the credentials in the environment (the job's OIDC role). Regenerate, do not edit.`,
  ];
  if (config.organization.credentials !== "profiles") {
    lines.push(
      `# organization.credentials is ${config.organization.credentials}: the stacks name no profiles yet;`,
      "# set organization.credentials: profiles to use these.",
    );
  }
  for (const p of profiles) {
    lines.push(
      "",
      `# ${p.comment}`,
      `[profile ${p.name}]`,
      `role_arn = ${p.roleArn}`,
      "credential_source = Environment",
      `role_session_name = ${p.sessionName}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
