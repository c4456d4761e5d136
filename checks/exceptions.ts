import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { checkStack, RULE_IDS, type RuleSettings, type Violation } from "./engine";
import type { SynthesizedStack } from "./stack-view";

/**
 * The only way around a security rule: an entry here, naming the rule, the resource (by construct
 * path or Terraform address, `*` within one path segment, `**` across segments), and why the rule
 * does not apply. Entries without a reason, or naming a rule that does not exist, are refused; an
 * entry that no longer matches anything is reported so the list does not rot.
 */
export interface SecurityException {
  readonly rule: string;
  /** Construct path (`admin/api/health-route/route`) or Terraform address glob. */
  readonly resource: string;
  /** Stack name glob. @default every stack */
  readonly stack?: string;
  /** Why the rule does not apply here: at least a sentence a reviewer can check. */
  readonly reason: string;
}

export const SECURITY_EXCEPTIONS: readonly SecurityException[] = [];

/** Minimum length of a reason: "n/a" or "legacy" say nothing a reviewer can check. */
export const MIN_REASON_LENGTH = 20;

/** Throws, listing every bad entry, when an exception list is not acceptable. */
export function validateExceptions(list: readonly SecurityException[]): void {
  const problems: string[] = [];
  list.forEach((e, i) => {
    const at = `exception ${i} (${e.rule} on ${e.resource})`;
    if (!RULE_IDS.has(e.rule)) problems.push(`${at}: no rule named "${e.rule}"`);
    if (typeof e.resource !== "string" || e.resource.trim() === "")
      problems.push(`${at}: names no resource; give a construct path or address pattern`);
    if (typeof e.reason !== "string" || e.reason.trim().length < MIN_REASON_LENGTH)
      problems.push(
        `${at}: has no reason (at least ${MIN_REASON_LENGTH} characters saying why the rule does not apply)`,
      );
  });
  if (problems.length > 0)
    throw new Error(`${problems.length} invalid security exception(s):\n  - ${problems.join("\n  - ")}`);
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  return new RegExp(`^${escaped}$`);
}

export function exceptionMatches(e: SecurityException, v: Violation): boolean {
  if (e.rule !== v.rule) return false;
  if (e.stack !== undefined && !globToRegExp(e.stack).test(v.stack)) return false;
  const re = globToRegExp(e.resource);
  return re.test(v.path) || re.test(v.address);
}

export interface SecurityReport {
  /** Violations no exception covers: these fail the check. */
  readonly violations: Violation[];
  /** Violations an exception covers, with the exception. */
  readonly excepted: Array<{ violation: Violation; exception: SecurityException }>;
}

/** Splits violations into the ones that fail and the ones a (validated) exception covers. */
export function applyExceptions(
  violations: readonly Violation[],
  exceptions: readonly SecurityException[] = SECURITY_EXCEPTIONS,
): SecurityReport {
  validateExceptions(exceptions);
  const report: SecurityReport = { violations: [], excepted: [] };
  for (const violation of violations) {
    const exception = exceptions.find((e) => exceptionMatches(e, violation));
    if (exception) report.excepted.push({ violation, exception });
    else report.violations.push(violation);
  }
  return report;
}

/** Every stack under `<outdir>/stacks/`, checked, with the exceptions applied. */
export function checkSynthesized(
  outdir: string,
  settings: RuleSettings,
  exceptions: readonly SecurityException[] = SECURITY_EXCEPTIONS,
): SecurityReport & { stacks: string[] } {
  const root = path.join(outdir, "stacks");
  const stacks = readdirSync(root).sort();
  const violations = stacks.flatMap((stack) => {
    const json = JSON.parse(readFileSync(path.join(root, stack, "cdk.tf.json"), "utf8")) as SynthesizedStack;
    return checkStack(stack, json, settings);
  });
  return { stacks, ...applyExceptions(violations, exceptions) };
}
