import {
  createOrganizationsResourcePolicyHandler,
  ORGANIZATIONS_TARGET_PREFIX,
} from "../../../../emulator/gap-filler/organizations-resource-policy";
import type { GapContext, GapRequest } from "../../../../emulator/gap-filler/server";

/**
 * The gap-filler's Organizations delegation-policy emulation, driven as the Terraform provider
 * drives it. The caller's account and organization normally come from moto (STS and
 * DescribeOrganization with the caller's key); here they are given by key, which is the one part
 * not run: the integration test applies the resource through the real gap-filler and moto.
 */
const MANAGEMENT = "111111111111";
const ADMIN = "222222222222";
const ORG_ID = "o-abcdef1234";
const accounts: Record<string, string> = { mgmt: MANAGEMENT, admin: ADMIN };
const ctx: GapContext = {
  motoEndpoint: "http://unused",
  accountOf: async (req) => accounts[req.accessKeyId ?? ""]!,
};
const handler = createOrganizationsResourcePolicyHandler(async () => ({
  id: ORG_ID,
  managementAccountId: MANAGEMENT,
}));

function request(op: string, body: Record<string, unknown>, as = "mgmt"): GapRequest {
  return {
    method: "POST",
    path: "/",
    accessKeyId: as,
    region: "us-east-1",
    service: "organizations",
    target: `${ORGANIZATIONS_TARGET_PREFIX}${op}`,
    headers: {},
    body: Buffer.from(JSON.stringify(body)),
  };
}

async function call(op: string, body: Record<string, unknown> = {}, as = "mgmt") {
  const req = request(op, body, as);
  expect(handler.matches(req)).toBe(true);
  const res = await handler.handle(req, ctx);
  return { status: res.status, type: res.headers?.["x-amzn-errortype"], body: JSON.parse(res.body) };
}

const content = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ADMIN}:root` },
      Action: "organizations:ListAccounts",
      Resource: "*",
    },
  ],
});

describe("the Organizations resource-policy emulation", () => {
  it("answers only the policy operations and tagging of rp- ids; accounts' tags stay with moto", () => {
    expect(handler.matches(request("ListTagsForResource", { ResourceId: "rp-1234abcd" }))).toBe(true);
    expect(handler.matches(request("ListTagsForResource", { ResourceId: MANAGEMENT }))).toBe(false);
    expect(handler.matches(request("ListAccounts", {}))).toBe(false);
    expect(handler.matches({ ...request("PutResourcePolicy", {}), target: "Other.PutResourcePolicy" })).toBe(
      false,
    );
  });

  it("has no policy until one is put, then describes, tags, updates and deletes it", async () => {
    expect(await call("DescribeResourcePolicy")).toMatchObject({
      status: 400,
      type: "ResourcePolicyNotFoundException",
    });

    const put = await call("PutResourcePolicy", { Content: content, Tags: [{ Key: "a", Value: "1" }] });
    expect(put.status).toBe(200);
    const { Id, Arn } = put.body.ResourcePolicy.ResourcePolicySummary;
    expect(Id).toMatch(/^rp-[0-9a-f]{8}$/);
    expect(Arn).toBe(`arn:aws:organizations::${MANAGEMENT}:resourcepolicy/${ORG_ID}/${Id}`);

    // Any account of the organization may describe it.
    const described = await call("DescribeResourcePolicy", {}, "admin");
    expect(described.body).toEqual({
      ResourcePolicy: { ResourcePolicySummary: { Id, Arn }, Content: content },
    });

    await call("TagResource", { ResourceId: Id, Tags: [{ Key: "b", Value: "2" }] });
    await call("UntagResource", { ResourceId: Id, TagKeys: ["a"] });
    expect((await call("ListTagsForResource", { ResourceId: Id })).body).toEqual({
      Tags: [{ Key: "b", Value: "2" }],
    });

    // One policy per organization: a second put replaces the content and keeps the id.
    const updated = content.replace("ListAccounts", "DescribeOrganization");
    const again = await call("PutResourcePolicy", { Content: updated });
    expect(again.body.ResourcePolicy.ResourcePolicySummary.Id).toBe(Id);
    expect(handler.policyOf(ORG_ID)?.content).toBe(updated);

    expect((await call("DeleteResourcePolicy")).status).toBe(200);
    expect(await call("DescribeResourcePolicy")).toMatchObject({ type: "ResourcePolicyNotFoundException" });
    expect(await call("DeleteResourcePolicy")).toMatchObject({ type: "ResourcePolicyNotFoundException" });
  });

  it("refuses puts and deletes from a member account, as AWS does", async () => {
    const put = await call("PutResourcePolicy", { Content: content }, "admin");
    expect(put).toMatchObject({ status: 400, type: "AccessDeniedException" });
    expect(put.body.message).toMatch(/only from the organization's management account \(111111111111\)/);
    expect(handler.policyOf(ORG_ID)).toBeUndefined();
  });

  it("refuses a document that is not JSON or delegates another service's actions", async () => {
    expect(await call("PutResourcePolicy", { Content: "{not json" })).toMatchObject({
      type: "MalformedPolicyDocumentException",
    });
    const s3 = await call("PutResourcePolicy", {
      Content: content.replace("organizations:ListAccounts", "s3:GetObject"),
    });
    expect(s3).toMatchObject({ type: "MalformedPolicyDocumentException" });
    expect(s3.body.message).toMatch(/s3:GetObject is not an Organizations action/);
  });
});
