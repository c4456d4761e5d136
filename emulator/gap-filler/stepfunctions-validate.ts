/**
 * Gap-filler: Step Functions `ValidateStateMachineDefinition`, which moto lacks and the AWS
 * provider calls when planning `aws_sfn_state_machine`. Every other Step Functions operation goes
 * to moto unchanged. The validation is asl-validator's, a maintained Amazon States Language validator
 * (JSON schemas of every state type, transition targets, terminal states, reachability, JSONPath
 * syntax, ARN formats), reported as AWS reports it: result OK/FAIL and diagnostics with a code, a
 * message and, where known, a JSON-pointer location ("ValidateStateMachineDefinition":
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html).
 * It is emulation: AWS's own validator may report more, and with its own codes.
 *
 * One rule asl-validator does not check is added: `States.ALL` appears alone in its ErrorEquals and in
 * the last retrier or catcher ("Handling errors in Step Functions workflows":
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html, and the ASL
 * specification's Retry and Catch sections).
 */
import aslValidator from "asl-validator";
import { type GapHandler, jsonError, jsonOk } from "./server";

export interface AslDiagnostic {
  readonly severity: "ERROR";
  readonly code: string;
  readonly message: string;
  readonly location?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `States.ALL` alone and last in every Retry and Catch list, in every States object (branches, maps). */
function statesAllLast(node: unknown, at: string, out: AslDiagnostic[]): void {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) statesAllLast(v, `${at}/${i}`, out);
    return;
  }
  if (!isObject(node)) return;
  for (const field of ["Retry", "Catch"] as const) {
    const list = node[field];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const errors = isObject(entry) && Array.isArray(entry.ErrorEquals) ? entry.ErrorEquals : [];
      if (errors.includes("States.ALL") && (errors.length > 1 || i !== list.length - 1))
        out.push({
          severity: "ERROR",
          code: "SCHEMA_VALIDATION_FAILED",
          message: `States.ALL must appear alone in ErrorEquals and in the last entry of ${field}`,
          location: `${at}/${field}/${i}/ErrorEquals`,
        });
    });
  }
  for (const [k, v] of Object.entries(node)) statesAllLast(v, `${at}/${k}`, out);
}

/** Validates an ASL definition (a JSON string); an empty list means valid. */
export function validateAsl(definition: string): AslDiagnostic[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (e) {
    return [
      { severity: "ERROR", code: "INVALID_JSON_DESCRIPTION", message: (e as Error).message, location: "/" },
    ];
  }
  if (!isObject(parsed))
    return [
      {
        severity: "ERROR",
        code: "SCHEMA_VALIDATION_FAILED",
        message: "a state machine definition is a JSON object",
        location: "/",
      },
    ];
  // asl-validator writes defaults (QueryLanguage) into what it validates: give it its own copy.
  const { isValid, errors } = aslValidator(JSON.parse(definition));
  const out: AslDiagnostic[] = isValid
    ? []
    : errors.map((e) => ({
        severity: "ERROR" as const,
        code: e["Error code"],
        message: e.Message ?? e["Error code"],
        ...(e.schemaError?.instancePath ? { location: e.schemaError.instancePath } : {}),
      }));
  statesAllLast(parsed, "", out);
  return out;
}

const TARGET = "AWSStepFunctions.ValidateStateMachineDefinition";
/**
 * The provider also lists a machine's versions after creating it (ListStateMachineVersions, which
 * moto lacks). The landing never publishes versions (publish = false), so the honest answer is none.
 */
const LIST_VERSIONS = "AWSStepFunctions.ListStateMachineVersions";

export function createStepFunctionsValidateHandler(): GapHandler {
  return {
    name: "stepfunctions ValidateStateMachineDefinition (asl-validator) and ListStateMachineVersions (none: never published)",
    matches: (req) => req.target === TARGET || req.target === LIST_VERSIONS,
    async handle(req) {
      if (req.target === LIST_VERSIONS) return jsonOk({ stateMachineVersions: [] });
      let body: { definition?: unknown; type?: unknown };
      try {
        body = JSON.parse(req.body.toString("utf8") || "{}");
      } catch {
        return jsonError(400, "ValidationException", "request body is not JSON");
      }
      if (typeof body.definition !== "string")
        return jsonError(400, "ValidationException", "definition is required and must be a string");
      if (body.type !== undefined && body.type !== "STANDARD" && body.type !== "EXPRESS")
        return jsonError(400, "ValidationException", "type must be STANDARD or EXPRESS");
      const diagnostics = validateAsl(body.definition);
      return jsonOk({ result: diagnostics.length ? "FAIL" : "OK", diagnostics, truncated: false });
    },
  };
}
