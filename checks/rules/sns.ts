import type { Rule } from "../engine";
import { setString } from "./helpers";

/** SNS topics: encryption. */
export const SNS_RULES: readonly Rule[] = [
  {
    id: "sns.kms",
    title: "every topic is encrypted with KMS",
    check: (v) =>
      v
        .ofType("aws_sns_topic")
        .filter((t) => !setString(t.body.kms_master_key_id))
        .map((resource) => ({ resource, message: "is not encrypted (kms_master_key_id)" })),
  },
];
