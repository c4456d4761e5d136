import type { Rule } from "../engine";
import { setString } from "./helpers";

/** CloudWatch log groups: retention and encryption. */
export const LOGS_RULES: readonly Rule[] = [
  {
    id: "logs.retention",
    title: "every log group has a retention (never-expire is refused)",
    check: (v) =>
      v
        .ofType("aws_cloudwatch_log_group")
        .filter((g) => !(Number(g.body.retention_in_days) >= 1))
        .map((resource) => ({ resource, message: "has no retention_in_days (logs would be kept forever)" })),
  },
  {
    id: "logs.kms",
    title: "every log group is encrypted with a KMS key",
    check: (v) =>
      v
        .ofType("aws_cloudwatch_log_group")
        .filter((g) => !setString(g.body.kms_key_id))
        .map((resource) => ({ resource, message: "is not encrypted with KMS (kms_key_id)" })),
  },
];
