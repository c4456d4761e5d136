/**
 * npm run -s aws-profiles -- --role <plan|apply> [--config <file>] [--read-role <name>] [--state-role <arn>]
 *
 * Prints the AWS shared config (`~/.aws/config` format) with the profiles that
 * organization.credentials "profiles" names: finops-<account-id> for every account (plan: the
 * account's read-only role, default finops-landing-read; apply: its deploy role) and finops-state
 * when stateBackend.roleArn is set (that role, or --state-role). Every profile assumes its role
 * with the credentials in the environment (credential_source = Environment). The workflows write
 * it to a file and point AWS_CONFIG_FILE at it (docs/gitops.md).
 *
 * Config: --config, else FINOPS_CONFIG, else accounts/local.yaml.
 * Exit codes: 0 printed; 1 the config is invalid or cannot use profiles (target local); 2 usage.
 */
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { type ProfileRole, renderAwsConfig } from "../deploy/aws-profiles";
import { parseCli, UsageError } from "./cli-args";

const USAGE =
  "usage: npm run -s aws-profiles -- --role <plan|apply> [--config <file>] [--read-role <name>] [--state-role <arn>]";

interface Args {
  role: ProfileRole;
  config?: string;
  readRole?: string;
  stateRole?: string;
}

function parseArgs(argv: readonly string[]): Args | "help" {
  const { values } = parseCli(
    argv,
    {
      help: { type: "boolean", short: "h", default: false },
      role: { type: "string" },
      config: { type: "string" },
      "read-role": { type: "string" },
      "state-role": { type: "string" },
    },
    "see npm run -s aws-profiles -- --help",
  );
  if (values.help) return "help";
  const role = values.role;
  if (role === undefined) {
    throw new UsageError("--role is required: plan (read-only roles) or apply (deploy roles)");
  }
  if (role !== "plan" && role !== "apply") {
    throw new UsageError(
      `--role "${role}" is not a role; use plan (read-only roles) or apply (deploy roles)`,
    );
  }
  return { role, config: values.config, readRole: values["read-role"], stateRole: values["state-role"] };
}

export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  let args: Args | "help";
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`aws-profiles: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const file = args.config ?? configFileFromEnv(env);
  try {
    const config = loadAccountConfig(file);
    const text = renderAwsConfig(config, {
      role: args.role,
      readRoleName: args.readRole,
      stateRoleArn: args.stateRole,
      configFile: file,
    });
    if (config.organization.credentials !== "profiles") {
      process.stderr.write(
        `aws-profiles: note: ${file} has organization.credentials ${config.organization.credentials}; its stacks name no profiles, so these are unused until it is set to profiles\n`,
      );
    }
    process.stdout.write(text);
    return 0;
  } catch (error) {
    process.stderr.write(`aws-profiles: ${failureMessage(error, file)}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
