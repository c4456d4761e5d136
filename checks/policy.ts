/**
 * Reading IAM-style policy documents out of synthesized Terraform JSON. Policies reach the JSON as
 * strings: literal JSON (with `${...}` references inside string values, which parse fine), or a
 * reference to an `aws_iam_policy_document` data source, which is turned back into a document here.
 * Anything else (jsonencode(...), a reference to another resource's output) cannot be read, and the
 * rules report it: a policy the tests cannot read is a policy nobody checked.
 */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export type ParsedPolicy =
  | { readonly ok: true; readonly statements: readonly Statement[] }
  | { readonly ok: false; readonly reason: string };

/** `x` or `[x, y]` → `[x, y]`; undefined → []. */
export function list<T>(x: T | T[] | undefined | null): T[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

const DATA_DOC_REF = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/;

type DataSources = Record<string, Record<string, Record<string, unknown>> | undefined> | undefined;

/** An aws_iam_policy_document data source, as a policy document. */
function fromDataDocument(doc: Record<string, unknown>): Statement[] {
  return list(doc.statement as Record<string, unknown>[]).map((s) => {
    const principals = (key: string) => {
      const blocks = list(s[key] as Record<string, unknown>[]);
      if (blocks.length === 0) return undefined;
      const out: Record<string, string[]> = {};
      for (const b of blocks) {
        const type = String(b.type);
        out[type] = [...(out[type] ?? []), ...list(b.identifiers as string[])];
      }
      // "*" principal in the document form is { type: "*", identifiers: ["*"] }.
      return out["*"] ? "*" : out;
    };
    const condition: Record<string, Record<string, unknown>> = {};
    for (const c of list(s.condition as Record<string, unknown>[])) {
      const test = String(c.test);
      condition[test] = { ...(condition[test] ?? {}), [String(c.variable)]: list(c.values as string[]) };
    }
    return {
      Sid: s.sid as string | undefined,
      Effect: (s.effect as "Allow" | "Deny" | undefined) ?? "Allow",
      Principal: principals("principals"),
      NotPrincipal: principals("not_principals"),
      Action: s.actions as string[] | undefined,
      NotAction: s.not_actions as string[] | undefined,
      Resource: s.resources as string[] | undefined,
      NotResource: s.not_resources as string[] | undefined,
      Condition: Object.keys(condition).length > 0 ? condition : undefined,
    };
  });
}

/** Parses a policy attribute of a synthesized resource. */
export function parsePolicy(value: unknown, data: DataSources): ParsedPolicy {
  if (value === undefined || value === null || value === "") return { ok: false, reason: "no policy" };
  if (typeof value === "object") return statementsOf(value);
  if (typeof value !== "string") return { ok: false, reason: `policy is a ${typeof value}` };
  const ref = DATA_DOC_REF.exec(value.trim());
  if (ref) {
    const doc = data?.aws_iam_policy_document?.[ref[1]!];
    if (!doc) return { ok: false, reason: `references a missing policy document ${ref[1]}` };
    return { ok: true, statements: fromDataDocument(doc) };
  }
  try {
    return statementsOf(JSON.parse(value));
  } catch {
    return {
      ok: false,
      reason: `is not literal JSON (${value.slice(0, 60)}…); build it with policyDocument() or an aws_iam_policy_document`,
    };
  }
}

function statementsOf(doc: unknown): ParsedPolicy {
  const statements = (doc as { Statement?: unknown })?.Statement;
  if (statements === undefined) return { ok: false, reason: "has no Statement" };
  return { ok: true, statements: list(statements as Statement[]) };
}

/** The principal as a list of [type, identifier] pairs; "*" is ["AWS", "*"]. */
export function principalsOf(p: unknown): Array<[string, string]> {
  if (p === undefined || p === null) return [];
  if (p === "*") return [["AWS", "*"]];
  if (typeof p === "string") return [["AWS", p]];
  return Object.entries(p as Record<string, unknown>).flatMap(([type, ids]) =>
    list(ids as string | string[]).map((id) => [type, String(id)] as [string, string]),
  );
}

/** True when the statement's principal is anybody (`*` or `{AWS: "*"}`). */
export function isAnyPrincipal(s: Statement): boolean {
  return principalsOf(s.Principal).some(([type, id]) => id === "*" && (type === "AWS" || type === "*"));
}

/** Condition keys that tie an `*` principal or a cross-account trust to known callers. */
export const RESTRICTING_CONDITION_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:sourcevpce",
  "aws:sourcevpc",
  "kms:calleraccount",
  "kms:viaservice",
  "sts:externalid",
] as const;

/** Condition keys (lowercase) a statement tests with a positive operator (not a Null/NotEquals test). */
export function conditionKeys(s: Statement): string[] {
  return (
    Object.entries(s.Condition ?? {})
      // IfExists passes when the key is absent, Null and Not-operators exclude rather than name callers.
      .filter(
        ([op]) => !/IfExists$/i.test(op) && !/^(ForAnyValue:|ForAllValues:)?(Null|\w*Not\w*)$/i.test(op),
      )
      .flatMap(([, kv]) => Object.keys(kv ?? {}).map((k) => k.toLowerCase()))
  );
}

export function hasRestrictingCondition(s: Statement, keys: readonly string[] = RESTRICTING_CONDITION_KEYS) {
  return conditionKeys(s).some((k) => keys.includes(k));
}

/** Only wildcard characters (`*`, `?`) and the separators between them. */
const ONLY_WILDCARDS = /^[*?/:]*[*?][*?/:]*$/;

/**
 * Why a resource ARN is a wildcard in disguise, or undefined when it names something. A
 * `${...}` reference counts as a concrete value. Flagged:
 * - a resource part of only wildcards (`arn:aws:s3:::*`, `arn:aws:logs:*:*:*`);
 * - an account (and region, where the ARN has one) that is a wildcard together with a resource of
 *   only a wildcard after its type (`arn:aws:dynamodb:*:*:table/*`, `arn:aws:iam::*:role/*`);
 * - a partition or service wildcard, or an ARN too short to have a resource part (`arn:*`).
 * Not flagged: prefixes and names (`arn:aws:s3:::bucket/prefix/*`, `...:stackset/finops-*`,
 * `arn:aws:dynamodb:us-east-1:123456789012:table/*` in one account and region).
 */
export function wildcardArnReason(arn: string): string | undefined {
  if (arn === "*" || !arn.startsWith("arn:")) return undefined; // "*" has its own rule; not an ARN
  const concrete = arn.replace(/\$\{[^}]*\}/g, "x");
  const parts = concrete.split(":");
  if (parts.length < 6)
    return concrete.includes("*") ? "is a wildcard ARN without a resource part" : undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  const resource = parts.slice(5).join(":");
  const wild = (s: string) => ONLY_WILDCARDS.test(s);
  if (wild(partition) || wild(service)) return "has a wildcard partition or service";
  if (wild(resource)) return "has a resource part of only wildcards";
  const typed = /^[\w.-]+[/:](.*)$/.exec(resource);
  const id = typed ? typed[1]! : resource;
  if (wild(account) && (region === "" || wild(region)) && wild(id))
    return "has a wildcard account and region and a wildcard resource";
  return undefined;
}
