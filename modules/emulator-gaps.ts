import { type IAspect, TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * The one list of what the local emulator (moto 5.2.1) stores differently from AWS: after a create,
 * it returns other values for these attributes, so the next plan would show a change that AWS would
 * not. Only the local target acts on it (EmulatorGapsAspect, added by the provider factory in local
 * mode); the configuration deployed to AWS carries none of these ignore_changes (tested).
 * Anything that differs on a second local plan beyond this list is a real bug.
 */
export interface EmulatorGap {
  readonly resourceType: string;
  readonly attributes: readonly string[];
  readonly reason: string;
}

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    resourceType: "aws_s3_bucket_replication_configuration",
    attributes: ["rule"],
    reason:
      "moto drops source_selection_criteria (SSE-KMS opt-in) and returns a hard-coded filter prefix and delete-marker replication",
  },
  {
    resourceType: "aws_s3_bucket_notification",
    attributes: ["eventbridge"],
    reason: "moto returns eventbridge = false after storing true",
  },
  {
    resourceType: "aws_lambda_function",
    attributes: ["kms_key_arn", "dead_letter_config", "logging_config"],
    reason: "moto returns these empty after storing them",
  },
  {
    resourceType: "aws_sqs_queue",
    attributes: ["redrive_policy"],
    reason: "moto re-serialises the redrive policy JSON with spaces",
  },
  {
    resourceType: "aws_cloudformation_stack_set",
    attributes: [
      "auto_deployment",
      "capabilities",
      "managed_execution",
      "administration_role_arn",
      "execution_role_name",
      "operation_preferences",
    ],
    reason: "moto does not return these for SERVICE_MANAGED stack sets, which would force a replacement",
  },
];

/** Adds the gap list's attributes to lifecycle.ignore_changes of matching resources. Local target only. */
export class EmulatorGapsAspect implements IAspect {
  private readonly byType = new Map(EMULATOR_GAPS.map((g) => [g.resourceType, g]));

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const gap = this.byType.get(node.terraformResourceType);
    if (!gap) return;
    const existing = node.lifecycle?.ignoreChanges;
    const current = Array.isArray(existing) ? existing : [];
    node.lifecycle = {
      ...node.lifecycle,
      ignoreChanges: [...new Set([...current, ...gap.attributes])],
    };
  }
}
