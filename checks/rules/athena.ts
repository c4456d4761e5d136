import type { Finding, Rule } from "../engine";
import { block } from "../stack-view";
import { isTrue } from "./helpers";

/** Athena workgroups: enforced configuration, KMS-encrypted results. */
export const ATHENA_RULES: readonly Rule[] = [
  {
    id: "athena.workgroup",
    title: "every workgroup enforces its configuration and encrypts results with KMS",
    check: (v) =>
      v.ofType("aws_athena_workgroup").flatMap((w) => {
        const c = block(w.body.configuration);
        const enc = block(block(c.result_configuration).encryption_configuration).encryption_option;
        const out: Finding[] = [];
        if (!isTrue(c.enforce_workgroup_configuration))
          out.push({
            resource: w,
            message: "does not enforce its configuration (clients could turn encryption off)",
          });
        if (!["SSE_KMS", "CSE_KMS"].includes(String(enc)))
          out.push({ resource: w, message: `encrypts query results with ${enc ?? "nothing"}, not KMS` });
        return out;
      }),
  },
];
