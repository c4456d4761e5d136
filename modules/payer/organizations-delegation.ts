import { OrganizationsResourcePolicy } from "@cdktf/provider-aws/lib/organizations-resource-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Names } from "../../config/naming";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";

export interface OrganizationsDelegationProps {
  readonly provider: TerraformProvider;
  /** The management (payer) account: the organization's ARNs carry its id. */
  readonly payerAccountId: string;
  /** The delegated-admin account whose role may read. */
  readonly adminAccountId: string;
  /** Name of the admin role that reads Organizations (account-sync's function role). */
  readonly readerRoleName: string;
}

/**
 * The delegation policy's statements: exactly the Organizations reads account-sync makes
 * (functions/account-sync/sync.ts: ListAccounts, ListParents, DescribeOrganizationalUnit), for the
 * admin account root pinned by aws:PrincipalArn to account-sync's role (it may not exist yet when
 * the payer stack is applied). ListAccounts has no resource type; the tree reads are scoped to the
 * payer organization's account, OU and root ARNs, as in the role's own IAM policy.
 */
export function accountSyncDelegationStatements(
  p: Omit<OrganizationsDelegationProps, "provider">,
): PolicyStatement[] {
  const principal = { AWS: Names.accountRoot(p.adminAccountId) };
  const condition = { ArnEquals: { "aws:PrincipalArn": Names.roleArn(p.adminAccountId, p.readerRoleName) } };
  const org = `arn:aws:organizations::${p.payerAccountId}`;
  return [
    {
      Sid: "AccountSyncListsAccounts",
      Effect: "Allow",
      Principal: principal,
      Action: "organizations:ListAccounts",
      Resource: "*",
      Condition: condition,
    },
    {
      Sid: "AccountSyncReadsTheTree",
      Effect: "Allow",
      Principal: principal,
      Action: ["organizations:ListParents", "organizations:DescribeOrganizationalUnit"],
      Resource: [`${org}:account/o-*/*`, `${org}:ou/o-*/ou-*`, `${org}:root/o-*/r-*`],
      Condition: condition,
    },
  ];
}

/**
 * The organization's resource-based delegation policy (management account), present when
 * dataPlatform.accountSync.mode is delegated-admin: lets the admin's account-sync read the
 * organization itself. An organization has one such policy: this resource owns it.
 */
export class OrganizationsDelegation extends Construct {
  readonly policy: OrganizationsResourcePolicy;

  constructor(scope: Construct, id: string, props: OrganizationsDelegationProps) {
    super(scope, id);
    this.policy = new OrganizationsResourcePolicy(this, "policy", {
      provider: props.provider,
      content: policyDocument(accountSyncDelegationStatements(props)),
    });
  }
}
