import type { PolicyStatement } from "../../contracts/iam-policy";

/**
 * A deliberately small IAM evaluator for identity policies, for tests that must show what a role
 * can NOT do (the emulator does not enforce IAM). It follows the documented evaluation logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny wins, otherwise an Allow is needed; Action and Resource match case-insensitively
 * (actions) or exactly (ARNs) with `*` and `?` wildcards. Conditions are IGNORED, which only widens
 * an Allow (and a Deny): "not allowed" results hold for any condition values, so they are safe to
 * assert; "allowed" results mean "allowed if the conditions hold".
 */
function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "i" : "").test(value);
}

function matches(s: PolicyStatement, action: string, resource: string): boolean {
  const actions = list(s.Action as string | string[] | undefined);
  const notActions = list((s as { NotAction?: string | string[] }).NotAction);
  const actionOk = actions.length
    ? actions.some((a) => glob(a, action, true))
    : notActions.length > 0 && !notActions.some((a) => glob(a, action, true));
  const resources = list(s.Resource as string | string[] | undefined);
  const notResources = list((s as { NotResource?: string | string[] }).NotResource);
  const resourceOk = resources.length
    ? resources.some((r) => glob(r, resource, false))
    : notResources.length > 0 && !notResources.some((r) => glob(r, resource, false));
  return actionOk && resourceOk;
}

export function isAllowed(statements: readonly PolicyStatement[], action: string, resource: string): boolean {
  if (statements.some((s) => s.Effect === "Deny" && matches(s, action, resource))) return false;
  return statements.some((s) => s.Effect === "Allow" && matches(s, action, resource));
}

/** Statements of a policy document (a JSON string as synthesized or as IAM returns it, URL-decoded). */
export function statementsOf(document: string): PolicyStatement[] {
  const doc = JSON.parse(document) as { Statement: PolicyStatement | PolicyStatement[] };
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}
