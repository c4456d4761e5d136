import type { Finding, Rule } from "../engine";
import { parsePolicy } from "../policy";
import { isTrue, publicStatements, unparseable } from "./helpers";

/** KMS keys: rotation and key policies. */
export const KMS_RULES: readonly Rule[] = [
  {
    id: "kms.rotation",
    title: "every symmetric key rotates",
    check: (v) =>
      v
        .ofType("aws_kms_key")
        .filter((k) => (k.body.customer_master_key_spec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT")
        .filter((k) => !isTrue(k.body.enable_key_rotation))
        .map((resource) => ({ resource, message: "does not rotate (enable_key_rotation)" })),
  },
  {
    id: "kms.key-policy",
    title: "key policies are readable and grant no `*` principal without a restricting condition",
    check: (v) => {
      const findings: Finding[] = [];
      for (const k of v.ofType("aws_kms_key", "aws_kms_key_policy")) {
        if (k.body.policy === undefined) continue; // the default key policy: the account only
        const parsed = parsePolicy(k.body.policy, v.data);
        if (!parsed.ok) findings.push(unparseable(k, "key policy", parsed.reason));
        else if (publicStatements(parsed.statements).length > 0)
          findings.push({
            resource: k,
            message: `key policy grants "*" without a restricting condition (statements: ${publicStatements(
              parsed.statements,
            )
              .map((s) => s.Sid ?? "?")
              .join(", ")})`,
          });
      }
      return findings;
    },
  },
];
