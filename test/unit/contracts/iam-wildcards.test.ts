import type { PolicyStatement } from "../../../contracts/iam-policy";
import { isWildcardAllowed, RESOURCE_WILDCARD_ALLOWLIST } from "../../../contracts/iam-wildcards";
import { iamPermissionPolicies, localConfig, statements, synthPayerAdmin } from "../../support/synth";

/** Statements that allow `Resource: "*"` for an action outside the allowlist. */
function wildcardViolations(address: string, policy: string): string[] {
  const out: string[] = [];
  for (const st of statements(policy) as PolicyStatement[]) {
    if (st.Effect !== "Allow") continue;
    const resources = st.Resource === undefined ? [] : ([] as string[]).concat(st.Resource);
    if (!resources.includes("*")) continue;
    for (const action of ([] as string[]).concat(st.Action)) {
      if (action.includes("*") || !isWildcardAllowed(action))
        out.push(`${address} ${st.Sid ?? "(no Sid)"}: ${action}`);
    }
  }
  return out;
}

describe("the Resource * allowlist", () => {
  it("gives a reason for every entry and lists each action once", () => {
    for (const entry of RESOURCE_WILDCARD_ALLOWLIST) expect(entry.reason.length).toBeGreaterThan(20);
    const actions = RESOURCE_WILDCARD_ALLOWLIST.map((e) => e.action.toLowerCase());
    expect(new Set(actions).size).toBe(actions.length);
  });

  it("flags a wildcard resource whose action is not allowlisted, and a wildcard action", () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Ok", Effect: "Allow", Action: "ce:GetCostAndUsage", Resource: "*" },
        { Sid: "Bad", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] },
        { Sid: "Star", Effect: "Allow", Action: "ce:Get*", Resource: "*" },
        { Sid: "Scoped", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
      ],
    });
    expect(wildcardViolations("x", policy)).toEqual(["x Bad: s3:GetObject", "x Star: ce:Get*"]);
  });

  it.each([
    [
      "replication delivery with every export",
      (d: Record<string, Record<string, unknown>>) => {
        d.cur = { ...d.cur, focus: { enabled: true }, costOptimizationHub: { enabled: true } };
      },
    ],
    [
      "direct delivery",
      (d: Record<string, Record<string, unknown>>) => {
        d.cur = { ...d.cur, delivery: "direct" };
      },
    ],
  ])("finds no unlisted Resource * in any IAM policy of the payer and admin stacks (%s)", (_label, patch) => {
    const s = synthPayerAdmin(localConfig(patch));
    const policies = [...iamPermissionPolicies(s.payer), ...iamPermissionPolicies(s.admin)];
    expect(policies.length).toBeGreaterThanOrEqual(1);
    expect(policies.flatMap((p) => wildcardViolations(p.address, p.policy))).toEqual([]);
  });
});
