import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Names } from "../../config/naming";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";
import { DATA_EXPORTS_REGION } from "./bucket-policies";

/** The Cost Explorer calls of the application's Cost Explorer tool (functions/shared/cost-explorer-params.ts). */
export const PAYER_READ_CE_ACTIONS = ["ce:GetCostAndUsage", "ce:GetCostForecast"] as const;

/** Organizations calls of the account sync that have no resource-level permission. */
export const PAYER_READ_ORG_GLOBAL_ACTIONS = [
  "organizations:DescribeOrganization",
  "organizations:ListAccounts",
  "organizations:ListRoots",
] as const;

export interface PayerReadRoleProps {
  readonly provider: TerraformProvider;
  readonly payerAccountId: string;
  readonly adminAccountId: string;
  readonly roleName: string;
  /** Admin role names allowed to assume this role (pinned with aws:PrincipalArn). */
  readonly trustedRoleNames: readonly string[];
  /** The external id (a Terraform reference: never a literal in the synthesized JSON). */
  readonly externalId: string;
}

export function payerReadTrustPolicy(p: PayerReadRoleProps): PolicyStatement[] {
  return [
    {
      Sid: "AdminFunctionsWithExternalId",
      Effect: "Allow",
      Principal: { AWS: Names.accountRoot(p.adminAccountId) },
      Action: "sts:AssumeRole",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": p.trustedRoleNames.map((n) => Names.roleArn(p.adminAccountId, n)) },
        StringEquals: { "sts:ExternalId": p.externalId },
      },
    },
  ];
}

export function payerReadStatements(payerAccountId: string): PolicyStatement[] {
  const org = `arn:aws:organizations::${payerAccountId}`;
  return [
    { Sid: "CostExplorerRead", Effect: "Allow", Action: [...PAYER_READ_CE_ACTIONS], Resource: "*" },
    {
      Sid: "OrganizationsReadGlobal",
      Effect: "Allow",
      Action: [...PAYER_READ_ORG_GLOBAL_ACTIONS],
      Resource: "*",
    },
    {
      Sid: "OrganizationsReadTree",
      Effect: "Allow",
      Action: [
        "organizations:DescribeAccount",
        "organizations:DescribeOrganizationalUnit",
        "organizations:ListAccountsForParent",
        "organizations:ListChildren",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListParents",
        "organizations:ListTagsForResource",
      ],
      Resource: [`${org}:account/o-*/*`, `${org}:ou/o-*/ou-*`, `${org}:root/o-*/r-*`],
    },
    {
      Sid: "DataExportsReadList",
      Effect: "Allow",
      Action: ["bcm-data-exports:ListExports", "cur:DescribeReportDefinitions"],
      Resource: "*",
    },
    {
      Sid: "DataExportsRead",
      Effect: "Allow",
      Action: [
        "bcm-data-exports:GetExport",
        "bcm-data-exports:ListExecutions",
        "bcm-data-exports:GetExecution",
      ],
      Resource: `arn:aws:bcm-data-exports:${DATA_EXPORTS_REGION}:${payerAccountId}:export/*`,
    },
  ];
}

/**
 * finops-payer-read: what the admin account's functions read in the payer (Cost Explorer of the
 * whole organization, the account tree, the export definitions). Trust: the admin root pinned to
 * named function roles, with the external id, one-hour sessions.
 */
export class PayerReadRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PayerReadRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      provider: props.provider,
      name: props.roleName,
      description:
        "Read-only FinOps access from the delegated admin (Cost Explorer, Organizations, Data Exports)",
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument(payerReadTrustPolicy(props)),
    });
    new IamRolePolicy(this, "policy", {
      provider: props.provider,
      name: "payer-read",
      role: this.role.id,
      policy: policyDocument(payerReadStatements(props.payerAccountId)),
    });
  }
}
