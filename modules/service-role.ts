import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import {
  type PolicyStatement,
  policyDocument,
  type ServiceTrustOptions,
  serviceTrustPolicy,
} from "../contracts/iam-policy";

export interface ServiceRoleProps {
  readonly provider?: TerraformProvider;
  readonly name: string;
  readonly description: string;
  /** The AWS service that assumes the role, e.g. "states.amazonaws.com". */
  readonly service: string;
  /** The trust statement's id, source account and further conditions (serviceTrustStatement). */
  readonly trust?: ServiceTrustOptions;
  /** Seconds. @default IAM's default (3600) */
  readonly maxSessionDuration?: number;
  /** Construct id of the inline policy (kept from before, so Terraform addresses stay). */
  readonly policyId: string;
  /** Name of the inline policy. */
  readonly policyName: string;
  /** The role's only permissions. */
  readonly statements: PolicyStatement[];
}

/**
 * A role a service assumes, with its one inline least-privilege policy: the pair the landing
 * creates for Step Functions, EventBridge Scheduler, S3 replication and VPC flow logs. Both are
 * created in `scope` with the ids given, so callers keep their resources' addresses.
 */
export function addServiceRole(
  scope: Construct,
  id: string,
  props: ServiceRoleProps,
): { role: IamRole; policy: IamRolePolicy } {
  const role = new IamRole(scope, id, {
    provider: props.provider,
    name: props.name,
    description: props.description,
    ...(props.maxSessionDuration === undefined ? {} : { maxSessionDuration: props.maxSessionDuration }),
    assumeRolePolicy: serviceTrustPolicy(props.service, props.trust),
  });
  const policy = new IamRolePolicy(scope, props.policyId, {
    provider: props.provider,
    name: props.policyName,
    role: role.id,
    policy: policyDocument(props.statements),
  });
  return { role, policy };
}
