import { CeCostAllocationTag } from "@cdktf/provider-aws/lib/ce-cost-allocation-tag";
import { CostoptimizationhubEnrollmentStatus } from "@cdktf/provider-aws/lib/costoptimizationhub-enrollment-status";
import { OrganizationsDelegatedAdministrator } from "@cdktf/provider-aws/lib/organizations-delegated-administrator";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AccountConfig } from "../../config/schema";
import { defaultTags } from "../tags";

/** The service principal StackSets' delegated administrators are registered for. */
export const STACKSETS_SERVICE_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com";

/** The tag keys every provider puts on every resource under the organization's prefix (modules/tags.ts). */
export function landingTagKeys(config: AccountConfig): string[] {
  const prefix = `${config.organization.tagPrefix}:`;
  return Object.keys(defaultTags(config, { name: "-", environment: "-", owner: "-" })).filter((k) =>
    k.startsWith(prefix),
  );
}

export interface OrganizationPrerequisitesProps {
  /** The management account's provider in us-east-1 (Cost Explorer and Cost Optimization Hub are there). */
  readonly provider: TerraformProvider;
  readonly config: AccountConfig;
}

/**
 * What the management account turns on for the landing, where Terraform has a resource for it:
 * - the admin account as a delegated administrator of CloudFormation StackSets (monitoring mode
 *   stackset runs its StackSet from there, call_as DELEGATED_ADMIN). Trusted access for StackSets
 *   has no resource outside aws_organizations_organization (which would take over the whole
 *   organization): `npm run bootstrap` activates it first (deploy/bootstrap.ts);
 * - Cost Optimization Hub enrollment of the organization (management and members), when the
 *   config's Cost Optimization Hub export is on: the export has no data without it;
 * - the landing's tag keys as active cost allocation tags (gitops.costAllocationTags), so CUR
 *   carries them and the platform can allocate its own costs.
 * Data Exports themselves need no enablement; split cost allocation data (cur.splitCostAllocationData)
 * is a Billing preference with no API resource (docs/bootstrap.md).
 */
export class OrganizationPrerequisites extends Construct {
  readonly delegatedAdministrator: OrganizationsDelegatedAdministrator;
  readonly costAllocationTags: CeCostAllocationTag[] = [];
  readonly costOptimizationHub?: CostoptimizationhubEnrollmentStatus;

  constructor(scope: Construct, id: string, props: OrganizationPrerequisitesProps) {
    super(scope, id);
    const { provider, config } = props;
    this.delegatedAdministrator = new OrganizationsDelegatedAdministrator(this, "stacksets-admin", {
      provider,
      accountId: config.admin.id,
      servicePrincipal: STACKSETS_SERVICE_PRINCIPAL,
    });
    if (config.cur.costOptimizationHub.enabled) {
      this.costOptimizationHub = new CostoptimizationhubEnrollmentStatus(this, "cost-optimization-hub", {
        provider,
        includeMemberAccounts: true,
      });
    }
    if (config.gitops?.costAllocationTags ?? true) {
      for (const key of landingTagKeys(config)) {
        this.costAllocationTags.push(
          new CeCostAllocationTag(this, `tag-${key.replace(/\W+/g, "-")}`, {
            provider,
            tagKey: key,
            status: "Active",
          }),
        );
      }
    }
  }
}
