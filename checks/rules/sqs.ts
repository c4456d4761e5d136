import type { Rule } from "../engine";
import { setString } from "./helpers";

/** SQS queues: encryption. */
export const SQS_RULES: readonly Rule[] = [
  {
    id: "sqs.kms",
    title: "every queue is encrypted with KMS",
    check: (v) =>
      v
        .ofType("aws_sqs_queue")
        .filter((q) => !setString(q.body.kms_master_key_id))
        .map((resource) => ({ resource, message: "is not encrypted with KMS (kms_master_key_id)" })),
  },
];
