import { isArnWildcardAllowed, isWildcardAllowed } from "../../contracts/iam-wildcards";
import type { Finding, Rule } from "../engine";
import {
  hasRestrictingCondition,
  isAnyPrincipal,
  list,
  parsePolicy,
  principalsOf,
  wildcardArnReason,
} from "../policy";
import { blocks, type ResourceView, type StackView } from "../stack-view";
import { actionsOf, unparseable } from "./helpers";

/** Managed policies that grant far more than any landing role needs. */
const BROAD_MANAGED_POLICY =
  /^arn:aws[\w-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess|\w*FullAccess)$/;

function isWildcardAction(a: string): boolean {
  return a === "*" || /^[\w-]+:\*$/.test(a);
}

/** Identity policies: every policy document attached to a role, user or group. */
function identityPolicies(view: StackView): Array<{ resource: ResourceView; label: string; value: unknown }> {
  const out: Array<{ resource: ResourceView; label: string; value: unknown }> = [];
  for (const r of view.ofType(
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
  )) {
    out.push({ resource: r, label: "policy", value: r.body.policy });
  }
  for (const r of view.ofType("aws_iam_role")) {
    blocks(r.body.inline_policy).forEach((p, i) => {
      out.push({ resource: r, label: `inline_policy[${i}]`, value: p.policy });
    });
  }
  return out;
}

const ARN_ACCOUNT = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/;

/** The account an AWS principal belongs to; "unknown" for a reference that is not the caller's own account. */
function principalAccount(id: string): string | "unknown" {
  if (/^\d{12}$/.test(id)) return id;
  const m = ARN_ACCOUNT.exec(id);
  if (m) return m[1]!;
  if (/data\.aws_caller_identity\.[\w-]+\.account_id/.test(id)) return "self";
  return "unknown";
}

/** Every Allow statement of every readable identity policy (unreadable ones: iam.policy-readable). */
function allowStatements(v: StackView) {
  return identityPolicies(v).flatMap(({ resource, label, value }) => {
    const parsed = parsePolicy(value, v.data);
    if (!parsed.ok) return [];
    return parsed.statements.filter((s) => s.Effect === "Allow").map((s) => ({ resource, label, s }));
  });
}

const CROSS_ACCOUNT_CONDITIONS = ["sts:externalid", "aws:principalorgid", "aws:principalarn"];

/** IAM: identity policies (readable, no wildcard actions or resources), managed policies, trust policies. */
export const IAM_RULES: readonly Rule[] = [
  {
    id: "iam.policy-readable",
    title: "identity policies are literal JSON or aws_iam_policy_document, so these rules can read them",
    check: (v) =>
      identityPolicies(v).flatMap(({ resource, label, value }) => {
        const parsed = parsePolicy(value, v.data);
        return parsed.ok ? [] : [unparseable(resource, label, parsed.reason)];
      }),
  },
  {
    id: "iam.no-wildcard-action",
    title: 'no identity policy allows "*" or "<service>:*" or uses NotAction in an Allow',
    check: (v) =>
      allowStatements(v).flatMap(({ resource, label, s }) => {
        const bad = actionsOf(s).filter(isWildcardAction);
        const out: Finding[] = [];
        if (bad.length > 0)
          out.push({ resource, message: `${label} statement ${s.Sid ?? "?"} allows ${bad.join(", ")}` });
        if (s.NotAction !== undefined)
          out.push({
            resource,
            message: `${label} statement ${s.Sid ?? "?"} allows NotAction (everything else)`,
          });
        return out;
      }),
  },
  {
    id: "iam.wildcard-resource",
    title:
      'Resource "*", or an ARN with only wildcards as resource (or as account, region and resource), only for allowlisted actions or ARNs (contracts/iam-wildcards.ts)',
    check: (v) =>
      allowStatements(v).flatMap(({ resource, label, s }) => {
        const bad = actionsOf(s).filter((a) => !isWildcardAllowed(a));
        if (bad.length === 0) return []; // actions without resource-level permissions (the allowlist)
        if (list(s.Resource).includes("*") || s.NotResource !== undefined)
          return [
            {
              resource,
              message: `${label} statement ${s.Sid ?? "?"} allows ${bad.join(", ")} on Resource "*"; these actions are not in the allowlist`,
            },
          ];
        // Wildcards in disguise: an ARN that names no account, region or resource.
        return list(s.Resource).flatMap((arn) => {
          const why = wildcardArnReason(arn);
          if (why === undefined || isArnWildcardAllowed(arn, bad)) return [];
          return [
            {
              resource,
              message: `${label} statement ${s.Sid ?? "?"} allows ${bad.join(", ")} on "${arn}", which ${why}; name the account, region and resource (a prefix is fine), or allowlist the ARN with a reason (contracts/iam-wildcards.ts)`,
            },
          ];
        });
      }),
  },
  {
    id: "iam.no-broad-managed-policy",
    title: "no role gets AdministratorAccess, PowerUserAccess or a *FullAccess managed policy",
    check: (v) => [
      ...v
        .ofType("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")
        .filter((a) => BROAD_MANAGED_POLICY.test(String(a.body.policy_arn)))
        .map((resource) => ({ resource, message: `attaches ${resource.body.policy_arn}` })),
      ...v
        .ofType("aws_iam_role")
        .filter((r) => list(r.body.managed_policy_arns as string[]).some((p) => BROAD_MANAGED_POLICY.test(p)))
        .map((resource) => ({ resource, message: "has a broad managed policy in managed_policy_arns" })),
    ],
  },
  {
    id: "iam.trust-specific-principal",
    title: 'trust policies name specific principals (no "*")',
    check: (v) =>
      v.ofType("aws_iam_role").flatMap((role) => {
        const parsed = parsePolicy(role.body.assume_role_policy, v.data);
        if (!parsed.ok) return [unparseable(role, "assume_role_policy", parsed.reason)];
        return parsed.statements
          .filter((s) => s.Effect === "Allow" && (isAnyPrincipal(s) || s.NotPrincipal !== undefined))
          .map(() => ({ resource: role, message: 'trust policy lets "*" (any principal) assume the role' }));
      }),
  },
  {
    id: "iam.cross-account-trust",
    title: "trusts of another account carry sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn",
    check: (v) =>
      v.ofType("aws_iam_role").flatMap((role) => {
        const parsed = parsePolicy(role.body.assume_role_policy, v.data);
        if (!parsed.ok) return [];
        return parsed.statements
          .filter((s) => s.Effect === "Allow" && !isAnyPrincipal(s))
          .flatMap((s) => {
            const foreign = principalsOf(s.Principal)
              .filter(([type]) => type === "AWS")
              .map(([, id]) => id)
              .filter((id) => {
                const account = principalAccount(id);
                return account !== "self" && account !== v.accountId;
              });
            if (foreign.length === 0 || hasRestrictingCondition(s, CROSS_ACCOUNT_CONDITIONS)) return [];
            return [
              {
                resource: role,
                message: `trusts ${foreign.join(", ")} without an sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn condition`,
              },
            ];
          });
      }),
  },
];
