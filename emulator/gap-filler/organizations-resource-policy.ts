import { randomBytes } from "node:crypto";
import {
  type GapContext,
  type GapHandler,
  type GapRequest,
  type GapResponse,
  jsonError,
  jsonOk,
} from "./server";

/**
 * EMULATION of the AWS Organizations resource-based delegation policy (moto 5.2.1 has no
 * PutResourcePolicy): the operations the Terraform provider's aws_organizations_resource_policy
 * calls: PutResourcePolicy, DescribeResourcePolicy, DeleteResourcePolicy, and TagResource,
 * UntagResource, ListTagsForResource for the policy's `rp-` id. Every other Organizations request
 * (and tagging of accounts, OUs, roots) goes to moto unchanged.
 *
 * As in AWS: one policy per organization; only the management account may put or delete it (the
 * caller's organization and its management account are read from moto with the caller's key);
 * any account of the organization may describe it. The policy is stored, never evaluated: moto
 * does not check Organizations permissions.
 */
export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128.";

const POLICY_OPERATIONS = new Set(["PutResourcePolicy", "DescribeResourcePolicy", "DeleteResourcePolicy"]);
const TAG_OPERATIONS = new Set(["TagResource", "UntagResource", "ListTagsForResource"]);

interface Tag {
  Key: string;
  Value: string;
}

interface StoredPolicy {
  id: string;
  arn: string;
  content: string;
  tags: Map<string, string>;
}

class OrgError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller's organization: its id and management account. */
export interface CallerOrganization {
  readonly id: string;
  readonly managementAccountId: string;
}

/** The caller's organization as moto reports it: DescribeOrganization with the caller's access key. */
export async function organizationFromMoto(req: GapRequest, ctx: GapContext): Promise<CallerOrganization> {
  const res = await fetch(`${ctx.motoEndpoint}/`, {
    method: "POST",
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${req.accessKeyId ?? ""}/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0`,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `${ORGANIZATIONS_TARGET_PREFIX}DescribeOrganization`,
    },
    body: "{}",
  });
  if (!res.ok)
    throw new OrgError(
      "AWSOrganizationsNotInUseException",
      "Your account is not a member of an organization.",
    );
  const org = ((await res.json()) as { Organization?: { Id?: string; MasterAccountId?: string } })
    .Organization;
  if (!org?.Id || !org.MasterAccountId)
    throw new OrgError(
      "AWSOrganizationsNotInUseException",
      "Your account is not a member of an organization.",
    );
  return { id: org.Id, managementAccountId: org.MasterAccountId };
}

/** Checks what AWS refuses at PutResourcePolicy: not JSON, no statements, non-Organizations actions. */
function validateContent(content: unknown): string {
  if (typeof content !== "string" || content.length === 0)
    throw new OrgError("InvalidInputException", "Content is required");
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(content) as { Statement?: unknown };
  } catch {
    throw new OrgError("MalformedPolicyDocumentException", "Content is not a JSON policy document");
  }
  const statements = ([] as unknown[]).concat(doc.Statement ?? []) as { Action?: string | string[] }[];
  if (statements.length === 0)
    throw new OrgError("MalformedPolicyDocumentException", "the policy has no Statement");
  for (const st of statements) {
    for (const action of ([] as string[]).concat(st.Action ?? [])) {
      if (!action.startsWith("organizations:"))
        throw new OrgError(
          "MalformedPolicyDocumentException",
          `action ${action} is not an Organizations action; a delegation policy delegates organizations:* actions only`,
        );
    }
  }
  return content;
}

/** The Organizations resource-policy handler with its own in-memory state (one per gap-filler process). */
export function createOrganizationsResourcePolicyHandler(
  organizationOf: (req: GapRequest, ctx: GapContext) => Promise<CallerOrganization> = organizationFromMoto,
): GapHandler & {
  /** The policy of an organization, for tests (what DescribeResourcePolicy returns). */
  policyOf(organizationId: string): { id: string; arn: string; content: string } | undefined;
} {
  const byOrg = new Map<string, StoredPolicy>();
  const summary = (p: StoredPolicy) => ({
    ResourcePolicy: { ResourcePolicySummary: { Id: p.id, Arn: p.arn }, Content: p.content },
  });
  const byId = (orgId: string, id: unknown): StoredPolicy => {
    const p = byOrg.get(orgId);
    if (!p || p.id !== id) throw new OrgError("TargetNotFoundException", `resource ${String(id)} not found`);
    return p;
  };
  const managementOnly = (account: string, org: CallerOrganization, op: string) => {
    if (account !== org.managementAccountId)
      throw new OrgError(
        "AccessDeniedException",
        `${op} can be called only from the organization's management account (${org.managementAccountId}), not ${account}`,
      );
  };

  const operations: Record<
    string,
    (account: string, org: CallerOrganization, body: Record<string, unknown>) => unknown
  > = {
    PutResourcePolicy(account, org, body) {
      managementOnly(account, org, "PutResourcePolicy");
      const content = validateContent(body.Content);
      let p = byOrg.get(org.id);
      if (!p) {
        const id = `rp-${randomBytes(4).toString("hex")}`;
        p = {
          id,
          arn: `arn:aws:organizations::${org.managementAccountId}:resourcepolicy/${org.id}/${id}`,
          content,
          tags: new Map(((body.Tags as Tag[] | undefined) ?? []).map((t) => [t.Key, t.Value])),
        };
        byOrg.set(org.id, p);
      } else p.content = content;
      return summary(p);
    },
    DescribeResourcePolicy(_account, org) {
      const p = byOrg.get(org.id);
      if (!p)
        throw new OrgError(
          "ResourcePolicyNotFoundException",
          "We can't find a resource policy request with the ID that you specified.",
        );
      return summary(p);
    },
    DeleteResourcePolicy(account, org) {
      managementOnly(account, org, "DeleteResourcePolicy");
      if (!byOrg.delete(org.id))
        throw new OrgError(
          "ResourcePolicyNotFoundException",
          "We can't find a resource policy request with the ID that you specified.",
        );
      return {};
    },
    ListTagsForResource(_account, org, body) {
      const p = byId(org.id, body.ResourceId);
      return { Tags: [...p.tags.entries()].map(([Key, Value]) => ({ Key, Value })) };
    },
    TagResource(account, org, body) {
      managementOnly(account, org, "TagResource");
      const p = byId(org.id, body.ResourceId);
      for (const t of (body.Tags as Tag[] | undefined) ?? []) p.tags.set(t.Key, t.Value);
      return {};
    },
    UntagResource(account, org, body) {
      managementOnly(account, org, "UntagResource");
      const p = byId(org.id, body.ResourceId);
      for (const k of (body.TagKeys as string[] | undefined) ?? []) p.tags.delete(k);
      return {};
    },
  };

  const parse = (req: GapRequest): Record<string, unknown> | undefined => {
    try {
      return req.body.length ? (JSON.parse(req.body.toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      return undefined;
    }
  };

  return {
    name: "organizations-resource-policy (emulated Organizations delegation policy)",
    matches(req) {
      if (!req.target?.startsWith(ORGANIZATIONS_TARGET_PREFIX)) return false;
      const op = req.target.slice(ORGANIZATIONS_TARGET_PREFIX.length);
      if (POLICY_OPERATIONS.has(op)) return true;
      // Tagging of the policy only: accounts, OUs and roots are moto's.
      return TAG_OPERATIONS.has(op) && /^rp-/.test(String(parse(req)?.ResourceId ?? ""));
    },
    async handle(req: GapRequest, ctx: GapContext): Promise<GapResponse> {
      const op = req.target!.slice(ORGANIZATIONS_TARGET_PREFIX.length);
      const body = parse(req);
      if (!body) return jsonError(400, "SerializationException", "request body is not JSON");
      try {
        const account = await ctx.accountOf(req);
        const org = await organizationOf(req, ctx);
        return jsonOk(operations[op]!(account, org, body));
      } catch (e) {
        if (e instanceof OrgError) return jsonError(400, e.type, e.message);
        throw e;
      }
    },
    policyOf(organizationId) {
      const p = byOrg.get(organizationId);
      return p && { id: p.id, arn: p.arn, content: p.content };
    },
  };
}
