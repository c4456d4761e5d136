import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import { Names } from "../../config/naming";
import type { DataPlatformConfig } from "../../config/schema";
import { ACCOUNT_EVENTS_PATTERN } from "../../contracts/organizations-events";
import { type BindableTable, BundledFunction, type FunctionDefaults } from "../bundled-function";

export interface AccountSyncProps {
  readonly functionDefaults: FunctionDefaults;
  /** The accounts table. */
  readonly accounts: BindableTable;
  /** The payer account (the organization's management account). */
  readonly payerAccountId: string;
  /** dataPlatform.accountSync: where the accounts are read from, and how often. */
  readonly settings: DataPlatformConfig["accountSync"];
  /**
   * The admin's central bus (organization.homeRegion), where the payer forwards Organizations'
   * account events (modules/payer/org-events-forwarding.ts); it must be in the function's region.
   */
  readonly centralBus: {
    readonly name: string;
    readonly region: string;
    readonly provider?: TerraformProvider;
  };
}

/** account-sync with the rule that runs it on Organizations' account events. */
export interface AccountSyncParts {
  readonly fn: BundledFunction;
  /** The rule on the central bus (it must be created after the bus). */
  readonly accountEventsRule: CloudwatchEventRule;
}

/**
 * account-sync (docs/data-platform.md): upserts the organization's accounts into the accounts
 * table, on its schedule and as soon as Organizations creates an account; reads Organizations as
 * the delegated admin or through the payer's read role (dataPlatform.accountSync.mode). Created in
 * `scope` itself, with the ids DataPlatform always gave them (Terraform addresses unchanged).
 */
export function addAccountSync(scope: Construct, props: AccountSyncProps): AccountSyncParts {
  const d = props.functionDefaults;
  const { names, region, accountId: account, provider } = d;
  const payerRole = props.settings.mode === "payer-role";
  const org = `arn:aws:organizations::${props.payerAccountId}`;
  const payerReadRoleArn = Names.roleArn(props.payerAccountId, names.payerReadRoleName);
  const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:${names.externalIdSecretName}-??????`;
  const accountSync = new BundledFunction(scope, "account-sync", {
    ...d,
    name: "account-sync",
    description: "Upserts the organization's accounts (new ones unallocated) into the accounts table",
    timeoutSeconds: 300,
    memorySizeMb: 256,
    environment: {
      SYNC_MODE: props.settings.mode,
      ...(payerRole
        ? { PAYER_READ_ROLE_ARN: payerReadRoleArn, EXTERNAL_ID_SECRET_ID: names.externalIdSecretName }
        : {}),
    },
  });
  accountSync.bindTable(props.accounts, ["GetItem", "UpdateItem", "Scan"], { sid: "AccountsTable" });
  accountSync.addToPolicy(
    ...(payerRole
      ? [
          {
            Sid: "AssumePayerReadRole",
            Effect: "Allow" as const,
            Action: "sts:AssumeRole",
            Resource: payerReadRoleArn,
          },
          {
            Sid: "ReadExternalId",
            Effect: "Allow" as const,
            Action: "secretsmanager:GetSecretValue",
            Resource: secretArn,
          },
        ]
      : [
          {
            Sid: "OrganizationsListAccounts",
            Effect: "Allow" as const,
            Action: "organizations:ListAccounts",
            Resource: "*",
          },
          {
            Sid: "OrganizationsReadTree",
            Effect: "Allow" as const,
            Action: ["organizations:ListParents", "organizations:DescribeOrganizationalUnit"],
            Resource: [`${org}:account/o-*/*`, `${org}:ou/o-*/ou-*`, `${org}:root/o-*/r-*`],
          },
        ]),
  );
  const schedule = new CloudwatchEventRule(scope, "account-sync-schedule", {
    provider,
    name: names.accountSyncRule("schedule"),
    description: "Full account sync",
    scheduleExpression: props.settings.scheduleExpression,
  });
  // Organizations' account events reach the central bus from the payer (us-east-1 → homeRegion),
  // and a rule's Lambda target must be in the rule's region.
  const bus = props.centralBus;
  if (bus.region !== region)
    throw new Error(
      `account-sync runs in ${region}, but Organizations' account events arrive on the central bus in organization.homeRegion ${bus.region} and a rule invokes only functions of its own region; list ${bus.region} first in admin.regions`,
    );
  const created = new CloudwatchEventRule(scope, "account-sync-account-created", {
    provider,
    name: names.accountSyncRule("account-created"),
    description: "Sync as soon as Organizations creates, closes, removes or moves an account",
    eventBusName: bus.name,
    eventPattern: JSON.stringify(ACCOUNT_EVENTS_PATTERN),
  });
  for (const [rid, rule, busName] of [
    ["schedule", schedule, undefined],
    ["account-created", created, bus.name],
  ] as const) {
    new CloudwatchEventTarget(scope, `account-sync-${rid}-target`, {
      provider,
      rule: rule.name,
      eventBusName: busName,
      targetId: "account-sync",
      arn: accountSync.function.arn,
      retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
    });
    new LambdaPermission(scope, `account-sync-${rid}-permission`, {
      provider,
      statementId: `events-${rid}`,
      action: "lambda:InvokeFunction",
      functionName: accountSync.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
  }
  return { fn: accountSync, accountEventsRule: created };
}
