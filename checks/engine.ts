import { RULES } from "./rules";
import { type ResourceView, StackView, type SynthesizedStack } from "./stack-view";

/**
 * The security baseline as rules over synthesized Terraform JSON. Every rule looks at every
 * resource of its types, so a resource added tomorrow is checked without a new test. A finding
 * names the stack, the resource (Terraform address and construct path) and the rule id; the only
 * way around a rule is an entry in exceptions.ts, with a reason. The rules live in rules/<service>.ts,
 * all registered in rules/index.ts (RULES).
 */

/** What the rules need to know about the config the stacks were synthesized from. */
export interface RuleSettings {
  /** monitoring.logRetentionDays: Lambda log groups keep logs at least this long. */
  readonly logRetentionDays: number;
  /** organization.allowDataStoreDestroy: when false every data store carries prevent_destroy. */
  readonly allowDataStoreDestroy: boolean;
}

export interface Violation {
  readonly stack: string;
  readonly address: string;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export interface Rule {
  readonly id: string;
  /** What the rule demands, in one line (shown in docs/security.md and by security:check). */
  readonly title: string;
  readonly check: (
    view: StackView,
    settings: RuleSettings,
  ) => Array<{ resource: ResourceView; message: string }>;
}

export type Finding = { resource: ResourceView; message: string };

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

/** Runs every rule over one synthesized stack. */
export function checkStack(stack: string, json: SynthesizedStack, settings: RuleSettings): Violation[] {
  const view = new StackView(stack, json);
  return RULES.flatMap((rule) =>
    rule.check(view, settings).map(({ resource, message }) => ({
      stack,
      address: resource.address,
      path: resource.path,
      rule: rule.id,
      message,
    })),
  );
}

/** `admin: aws_s3_bucket.x (admin/cur/bucket) [s3.versioning] has no ...` */
export function formatViolation(v: Violation): string {
  return `${v.stack}: ${v.address} (${v.path}) [${v.rule}] ${v.message}`;
}
