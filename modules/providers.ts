import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, type TerraformStack } from "cdktf";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import { EmulatorGapsAspect } from "./emulator-gaps";
import { defaultTags } from "./tags";

/** An account as the provider factory needs it. */
export interface ProviderAccount {
  readonly id: string;
  readonly name: string;
  readonly deployRole?: string;
  readonly environment: string;
  readonly owner: string;
  /** Regions of the account's stack; the first gets the default (unaliased) provider. */
  readonly regions: readonly string[];
}

/**
 * Services the landing calls, and so the endpoints the local target points at the emulator.
 * Keys are the AWS provider's endpoint names.
 */
export const LOCAL_ENDPOINT_SERVICES = [
  "apigatewayv2",
  "athena",
  "bcmdataexports",
  "budgets",
  "ce",
  "cloudformation",
  "cloudwatch",
  "cloudwatchlogs",
  "cognitoidp",
  "costoptimizationhub",
  "cur",
  "dynamodb",
  "ec2",
  "events",
  "glue",
  "iam",
  "kms",
  "lambda",
  "organizations",
  "s3",
  "scheduler",
  "secretsmanager",
  "sfn",
  "sns",
  "sqs",
  "ssm",
  "sts",
  "xray",
] as const;

/**
 * AWS shared-config profile of an account when organization.credentials is "profiles". The plan
 * job maps it to the account's read-only role, the apply job to its deploy role
 * (scripts/aws-profiles.ts), so one saved plan serves both.
 */
export function accountProfileName(accountId: string): string {
  return `finops-${accountId}`;
}

/** Profile of the S3 backend when organization.credentials is "profiles" and stateBackend.roleArn is set. */
export const STATE_PROFILE_NAME = "finops-state";

/** Provider alias of a non-primary region: "eu_west_1". */
export function regionAlias(region: string): string {
  return region.replace(/-/g, "_");
}

/**
 * The one place AWS providers are made. Every provider assumes the account's deploy role (or, with
 * organization.credentials "profiles", names the account's profile finops-<id>), may only ever act
 * in that account (allowed_account_ids), and tags everything with the account's tags.
 * The local target adds the emulator's endpoints and test credentials here and nowhere else.
 * Returns the providers by region; the first region's provider is the stack's default.
 */
export function createAwsProviders(
  stack: TerraformStack,
  config: AccountConfig,
  account: ProviderAccount,
  target: Target,
): Map<string, AwsProvider> {
  const providers = new Map<string, AwsProvider>();
  account.regions.forEach((region, i) => {
    providers.set(
      region,
      createAwsProvider(stack, config, account, target, region, i === 0 ? undefined : regionAlias(region)),
    );
  });
  if (target.kind === "local") {
    Aspects.of(stack).add(new EmulatorGapsAspect());
  }
  return providers;
}

/**
 * One provider of the factory: the account's deploy role, allowed_account_ids, default tags and, in
 * the local target, the emulator's endpoints. `alias` undefined makes the stack's default provider.
 * Stacks use createAwsProviders; a stack that must write one value into another account (the payer
 * writing the external id secret into the admin account) makes an aliased provider here.
 */
export function createAwsProvider(
  stack: TerraformStack,
  config: AccountConfig,
  account: ProviderAccount,
  target: Target,
  region: string,
  alias?: string,
): AwsProvider {
  const names = new Names(config);
  const local =
    target.kind === "local"
      ? {
          accessKey: "test",
          secretKey: "test",
          skipCredentialsValidation: true,
          skipMetadataApiCheck: "true",
          s3UsePathStyle: true,
          // The emulator answers unimplemented calls with HTTP 500 and the default 25 retries back off
          // for minutes; a few retries still ride out its dev server dropping a connection under load.
          maxRetries: 3,
          endpoints: [
            Object.fromEntries(
              LOCAL_ENDPOINT_SERVICES.map((s) => [s, target.serviceEndpoints[s] ?? target.endpoint]),
            ),
          ],
        }
      : {};
  const profiles = config.organization.credentials === "profiles";
  if (profiles && target.kind === "local") {
    throw new Error(
      'organization.credentials "profiles" is for target aws only (validation should have caught this); the local target uses the emulator\'s test credentials',
    );
  }
  const credentials = profiles
    ? { profile: accountProfileName(account.id) }
    : {
        assumeRole: [
          {
            roleArn: names.deployRoleArn(account),
            sessionName: `${names.prefix}-landing-${account.name}`.slice(0, 64),
          },
        ],
      };
  return new AwsProvider(stack, alias ? `aws_${alias}` : "aws", {
    alias,
    region,
    allowedAccountIds: [account.id],
    ...credentials,
    defaultTags: [{ tags: defaultTags(config, account) }],
    ...local,
  });
}
