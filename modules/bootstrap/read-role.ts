import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Names } from "../../config/naming";
import { GITOPS_ROLE_NAMES } from "../../contracts/gitops";
import { type PolicyStatement, policyDocument } from "../../contracts/iam-policy";

/** AWS managed ReadOnlyAccess: what every plan needs to refresh the landing's resources. */
export const READ_ONLY_ACCESS_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess";

export interface ReadRoleProps {
  /** Provider of the account the role is in. */
  readonly provider: TerraformProvider;
  /** The management account, where the plan role is. */
  readonly managementAccountId: string;
  /** The plan role's ARN: the only principal the trust lets in. */
  readonly planRoleArn: string;
  /** Reads ReadOnlyAccess leaves out that this account's plans need (none for most accounts). */
  readonly extraStatements?: readonly PolicyStatement[];
}

/**
 * Trust of a read role: the management account, pinned to the plan role by aws:PrincipalArn (the
 * account root as principal, so the trust is valid in the same apply that creates the plan role).
 */
export function readRoleTrust(managementAccountId: string, planRoleArn: string): PolicyStatement[] {
  return [
    {
      Sid: "PlanRoleOnly",
      Effect: "Allow",
      Principal: { AWS: Names.accountRoot(managementAccountId) },
      Action: "sts:AssumeRole",
      Condition: { ArnEquals: { "aws:PrincipalArn": planRoleArn } },
    },
  ];
}

/**
 * finops-landing-read in one account: ReadOnlyAccess, assumable only by the plan role. What plans
 * (pull requests, drift) run as with organization.credentials "profiles" (docs/gitops.md).
 */
export class ReadRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ReadRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      provider: props.provider,
      name: GITOPS_ROLE_NAMES.read,
      description: "finops-landing plans: read-only, assumable only by the plan role",
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument(readRoleTrust(props.managementAccountId, props.planRoleArn)),
    });
    new IamRolePolicyAttachment(this, "read-only-access", {
      provider: props.provider,
      role: this.role.name,
      policyArn: READ_ONLY_ACCESS_ARN,
    });
    if (props.extraStatements?.length) {
      new IamRolePolicy(this, "plan-reads", {
        provider: props.provider,
        name: "plan-reads",
        role: this.role.id,
        policy: policyDocument([...props.extraStatements]),
      });
    }
  }
}
