import type { Finding, Rule } from "../engine";
import { block } from "../stack-view";
import { isTrue, setString } from "./helpers";

/** Step Functions state machines: logging and tracing. */
export const SFN_RULES: readonly Rule[] = [
  {
    id: "sfn.logging-tracing",
    title: "every state machine logs (level ALL/ERROR/FATAL to a log group) and traces",
    check: (v) =>
      v.ofType("aws_sfn_state_machine").flatMap((m) => {
        const log = block(m.body.logging_configuration);
        const out: Finding[] = [];
        if (!log.level || log.level === "OFF" || !setString(log.log_destination))
          out.push({ resource: m, message: "does not log to a log group" });
        if (!isTrue(block(m.body.tracing_configuration).enabled))
          out.push({ resource: m, message: "has no X-Ray tracing" });
        return out;
      }),
  },
];
