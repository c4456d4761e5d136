import {
  type Account,
  AWSOrganizationsNotInUseException,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  EnableAWSServiceAccessCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  paginateListAccounts,
  RegisterDelegatedAdministratorCommand,
} from "@aws-sdk/client-organizations";
import type { AccountConfig } from "../config/schema";
import { clientConfigForAccount } from "../emulator/aws-clients";

/** Tag our moto launcher reads to give a created account its id from the config. */
export const PIN_TAG = "finops-local:account-id";
export const STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com";

export interface BootstrapResult {
  readonly organizationId: string;
  readonly created: string[];
  readonly existing: string[];
  readonly delegatedAdmin: string;
}

/**
 * Creates the emulated organization with the real Organizations API, idempotently: the
 * organization in the payer account, the OUs, every account of the config (admin and members)
 * under its configured id, each in its OU, and the admin registered as delegated administrator.
 */
export async function bootstrapOrganization(
  config: AccountConfig,
  endpoint: string,
): Promise<BootstrapResult> {
  const region = config.organization.homeRegion;
  const payerRole = config.payer.deployRole ?? config.organization.deployRoleName;
  const org = new OrganizationsClient(
    await clientConfigForAccount(endpoint, config.payer.id, region, payerRole),
  );
  try {
    let organizationId: string;
    try {
      const d = await org.send(new DescribeOrganizationCommand({}));
      organizationId = d.Organization!.Id!;
      if (d.Organization!.MasterAccountId !== config.payer.id) {
        throw new Error(
          `the emulator's organization belongs to ${d.Organization!.MasterAccountId}, not the payer ${config.payer.id}; run npm run local:down and start again`,
        );
      }
    } catch (e) {
      if (!(e instanceof AWSOrganizationsNotInUseException)) throw e;
      const c = await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
      organizationId = c.Organization!.Id!;
    }

    const rootId = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const ouIds = await ensureOus(org, config, rootId);

    const existingAccounts = new Map<string, Account>();
    for await (const page of paginateListAccounts({ client: org }, {})) {
      for (const a of page.Accounts ?? []) existingAccounts.set(a.Id!, a);
    }

    const created: string[] = [];
    const existing: string[] = [];
    const wanted = [
      { ...config.admin, ou: undefined as string | undefined },
      ...config.members.filter((m) => !m.retired).map((m) => ({ ...m, ou: m.ou as string | undefined })),
    ];
    for (const account of wanted) {
      if (existingAccounts.has(account.id)) {
        existing.push(account.id);
      } else {
        const status = await org.send(
          new CreateAccountCommand({
            AccountName: account.name,
            Email: account.email,
            Tags: [{ Key: PIN_TAG, Value: account.id }],
          }),
        );
        const described = await org.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.CreateAccountStatus!.Id! }),
        );
        const got = described.CreateAccountStatus?.AccountId;
        if (got !== account.id) {
          throw new Error(
            `the emulator at ${endpoint} created account "${account.name}" as ${got}, not ${account.id}: it was not started by finops-landing's launcher, which pins the ids of accounts/local.yaml. Stop that server (or set FINOPS_MOTO_PORT to a free port) and run npm run local again`,
          );
        }
        created.push(account.id);
      }
      const targetParent = account.ou ? ouIds.get(account.ou)! : rootId;
      const parents = await org.send(new ListParentsCommand({ ChildId: account.id }));
      const current = parents.Parents?.[0]?.Id;
      if (current && current !== targetParent) {
        await org.send(
          new MoveAccountCommand({
            AccountId: account.id,
            SourceParentId: current,
            DestinationParentId: targetParent,
          }),
        );
      }
    }

    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: STACKSETS_PRINCIPAL }));
    const admins = await org.send(
      new ListDelegatedAdministratorsCommand({ ServicePrincipal: STACKSETS_PRINCIPAL }),
    );
    if (!admins.DelegatedAdministrators?.some((a) => a.Id === config.admin.id)) {
      await org.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: config.admin.id,
          ServicePrincipal: STACKSETS_PRINCIPAL,
        }),
      );
    }
    return { organizationId, created, existing, delegatedAdmin: config.admin.id };
  } finally {
    org.destroy();
  }
}

async function ensureOus(
  org: OrganizationsClient,
  config: AccountConfig,
  rootId: string,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const pending = [...config.organization.organizationalUnits];
  // Parents first: repeat passes until every OU whose parent exists is created (validation rules out cycles).
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; ) {
      const ou = pending[i]!;
      const parentId = ou.parent === undefined ? rootId : ids.get(ou.parent);
      if (parentId === undefined) {
        i++;
        continue;
      }
      const children = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }));
      const found = children.OrganizationalUnits?.find((c) => c.Name === ou.name);
      const id =
        found?.Id ??
        (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: ou.name })))
          .OrganizationalUnit!.Id!;
      ids.set(ou.name, id);
      pending.splice(i, 1);
    }
    if (pending.length === before)
      throw new Error(`cannot place OUs ${pending.map((o) => o.name).join(", ")}`);
  }
  return ids;
}
