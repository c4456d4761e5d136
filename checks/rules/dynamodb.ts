import type { Rule } from "../engine";
import { block } from "../stack-view";
import { isTrue, setString } from "./helpers";

/** DynamoDB tables: point-in-time recovery, customer-managed keys, deletion protection. */
export const DYNAMODB_RULES: readonly Rule[] = [
  {
    id: "dynamodb.pitr",
    title: "every table has point-in-time recovery",
    check: (v) =>
      v
        .ofType("aws_dynamodb_table")
        .filter((t) => !isTrue(block(t.body.point_in_time_recovery).enabled))
        .map((resource) => ({ resource, message: "has no point-in-time recovery" })),
  },
  {
    id: "dynamodb.kms",
    title: "every table is encrypted with a customer-managed KMS key",
    check: (v) =>
      v
        .ofType("aws_dynamodb_table")
        .filter((t) => {
          const sse = block(t.body.server_side_encryption);
          return !isTrue(sse.enabled) || !setString(sse.kms_key_arn);
        })
        .map((resource) => ({
          resource,
          message: "is not encrypted with a customer-managed key (server_side_encryption.kms_key_arn)",
        })),
  },
  {
    id: "dynamodb.deletion-protection",
    title: "every table has deletion protection (unless organization.allowDataStoreDestroy)",
    check: (v, settings) =>
      v
        .ofType("aws_dynamodb_table")
        .filter((t) => !settings.allowDataStoreDestroy && !isTrue(t.body.deletion_protection_enabled))
        .map((resource) => ({ resource, message: "has no deletion protection" })),
  },
];
