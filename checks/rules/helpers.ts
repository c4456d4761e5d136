import type { Finding } from "../engine";
import { hasRestrictingCondition, isAnyPrincipal, list, type Statement } from "../policy";
import type { ResourceView } from "../stack-view";

/** Small readers shared by the rules of several services. */

export function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

export function setString(v: unknown): boolean {
  return typeof v === "string" && v.trim() !== "";
}

export function actionsOf(s: Statement): string[] {
  return list(s.Action);
}

export function publicStatements(statements: readonly Statement[]): Statement[] {
  return statements.filter((s) => s.Effect === "Allow" && isAnyPrincipal(s) && !hasRestrictingCondition(s));
}

export function unparseable(resource: ResourceView, label: string, reason: string): Finding {
  return { resource, message: `${label} ${reason}` };
}
