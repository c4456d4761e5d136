import type { Rule } from "../engine";
import { block } from "../stack-view";
import { isTrue } from "./helpers";

/** Cognito: identity pools and user pool password policies. */
export const COGNITO_RULES: readonly Rule[] = [
  {
    id: "cognito.no-unauthenticated",
    title: "identity pools allow no unauthenticated identities",
    check: (v) =>
      v
        .ofType("aws_cognito_identity_pool")
        .filter((p) => isTrue(p.body.allow_unauthenticated_identities) || isTrue(p.body.allow_classic_flow))
        .map((resource) => ({ resource, message: "allows unauthenticated identities or the classic flow" })),
  },
  {
    id: "cognito.password-policy",
    title: "user pools require 12+ characters with lower, upper, digits and symbols",
    check: (v) =>
      v.ofType("aws_cognito_user_pool").flatMap((p) => {
        const pp = block(p.body.password_policy);
        const weak =
          !(Number(pp.minimum_length) >= 12) ||
          !["require_lowercase", "require_uppercase", "require_numbers", "require_symbols"].every((k) =>
            isTrue(pp[k]),
          );
        return weak ? [{ resource: p, message: "has a weak or default password policy" }] : [];
      }),
  },
];
