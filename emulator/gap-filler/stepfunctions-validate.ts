/**
 * Gap-filler: Step Functions `ValidateStateMachineDefinition`, which moto lacks and the AWS
 * provider calls when planning `aws_sfn_state_machine`. Every other Step Functions operation goes
 * to moto unchanged. The validation is real but ours: structural checks of Amazon States Language
 * (no ASL validation library is installed), reported as AWS reports them (result OK/FAIL and
 * diagnostics with a code, message and JSON-pointer location). It is emulation: AWS checks more.
 *
 * Checked: JSON object; StartAt names a state; every state has a known Type and the fields its type
 * requires; Next/Default/Catch targets exist; non-terminal states have exactly one of Next/End;
 * Succeed/Fail/Choice have neither End nor Next; Choice rules have a Next; Retry/Catch entries have
 * non-empty ErrorEquals with States.ALL alone and last; positive integer timeouts; every state
 * reachable from StartAt; Parallel branches and Map processors validated recursively.
 */
import { type GapHandler, jsonError, jsonOk } from "./server";

export interface AslDiagnostic {
  readonly severity: "ERROR";
  readonly code: string;
  readonly message: string;
  readonly location: string;
}

const TYPES = new Set(["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"]);
const TERMINAL = new Set(["Succeed", "Fail"]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function validateMachine(machine: unknown, at: string, out: AslDiagnostic[]): void {
  const err = (code: string, message: string, location: string) =>
    out.push({ severity: "ERROR", code, message, location });
  if (!isObject(machine))
    return void err("SCHEMA_VALIDATION_FAILED", "a state machine must be a JSON object", at || "/");
  const states = machine.States;
  if (!isObject(states) || Object.keys(states).length === 0)
    return void err("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object", `${at}/States`);
  if (typeof machine.StartAt !== "string" || !(machine.StartAt in states))
    err(
      "MISSING_TRANSITION_TARGET",
      `StartAt ${JSON.stringify(machine.StartAt)} is not a state`,
      `${at}/StartAt`,
    );

  const target = (name: unknown, where: string) => {
    if (typeof name !== "string" || !(name in states))
      err("MISSING_TRANSITION_TARGET", `${JSON.stringify(name)} is not a state of this machine`, where);
  };
  const positiveInt = (v: unknown, where: string) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) <= 0))
      err("SCHEMA_VALIDATION_FAILED", "must be a positive integer", where);
  };
  const errorList = (list: unknown, field: "Retry" | "Catch", where: string) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) return void err("SCHEMA_VALIDATION_FAILED", `${field} must be an array`, where);
    for (const [i, r] of list.entries()) {
      const w = `${where}/${i}`;
      if (!isObject(r) || !Array.isArray(r.ErrorEquals) || r.ErrorEquals.length === 0) {
        err("SCHEMA_VALIDATION_FAILED", "ErrorEquals must be a non-empty array", `${w}/ErrorEquals`);
        continue;
      }
      if (r.ErrorEquals.includes("States.ALL") && (r.ErrorEquals.length > 1 || i !== list.length - 1))
        err(
          "SCHEMA_VALIDATION_FAILED",
          "States.ALL must appear alone and in the last entry",
          `${w}/ErrorEquals`,
        );
      if (field === "Catch") target(r.Next, `${w}/Next`);
      if (field === "Retry") {
        positiveInt(r.MaxAttempts === 0 ? 1 : r.MaxAttempts, `${w}/MaxAttempts`);
        positiveInt(r.IntervalSeconds, `${w}/IntervalSeconds`);
        if (r.BackoffRate !== undefined && !(typeof r.BackoffRate === "number" && r.BackoffRate >= 1))
          err("SCHEMA_VALIDATION_FAILED", "BackoffRate must be a number >= 1", `${w}/BackoffRate`);
      }
    }
  };

  for (const [name, s] of Object.entries(states)) {
    const where = `${at}/States/${name}`;
    if (name.length > 80) err("SCHEMA_VALIDATION_FAILED", "state names are at most 80 characters", where);
    if (!isObject(s) || typeof s.Type !== "string" || !TYPES.has(s.Type)) {
      err("SCHEMA_VALIDATION_FAILED", `Type must be one of ${[...TYPES].join(", ")}`, `${where}/Type`);
      continue;
    }
    const type = s.Type;
    if (TERMINAL.has(type) || type === "Choice") {
      if ("Next" in s || "End" in s)
        err("SCHEMA_VALIDATION_FAILED", `a ${type} state has neither Next nor End`, where);
    } else if ("Next" in s === (s.End === true)) {
      err("SCHEMA_VALIDATION_FAILED", "exactly one of Next or End: true is required", where);
    } else if ("Next" in s) target(s.Next, `${where}/Next`);

    if (type === "Task") {
      if (typeof s.Resource !== "string" || !s.Resource.startsWith("arn:"))
        err("SCHEMA_VALIDATION_FAILED", "a Task needs a Resource ARN", `${where}/Resource`);
      positiveInt(s.TimeoutSeconds, `${where}/TimeoutSeconds`);
      positiveInt(s.HeartbeatSeconds, `${where}/HeartbeatSeconds`);
      if (
        typeof s.Resource === "string" &&
        s.Resource.endsWith(".waitForTaskToken") &&
        !JSON.stringify(s.Parameters ?? {}).includes("$$.Task.Token")
      )
        err(
          "SCHEMA_VALIDATION_FAILED",
          "a .waitForTaskToken task must pass $$.Task.Token in Parameters",
          `${where}/Parameters`,
        );
    }
    if (type === "Task" || type === "Parallel" || type === "Map") {
      errorList(s.Retry, "Retry", `${where}/Retry`);
      errorList(s.Catch, "Catch", `${where}/Catch`);
    } else if ("Retry" in s || "Catch" in s) {
      err("SCHEMA_VALIDATION_FAILED", `a ${type} state cannot have Retry or Catch`, where);
    }
    if (type === "Choice") {
      if (!Array.isArray(s.Choices) || s.Choices.length === 0)
        err("SCHEMA_VALIDATION_FAILED", "Choices must be a non-empty array", `${where}/Choices`);
      else
        for (const [i, c] of s.Choices.entries())
          target(isObject(c) ? c.Next : undefined, `${where}/Choices/${i}/Next`);
      if ("Default" in s) target(s.Default, `${where}/Default`);
    }
    if (type === "Wait") {
      const fields = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"].filter((f) => f in s);
      if (fields.length !== 1)
        err(
          "SCHEMA_VALIDATION_FAILED",
          "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
          where,
        );
    }
    if (type === "Parallel") {
      if (!Array.isArray(s.Branches) || s.Branches.length === 0)
        err("SCHEMA_VALIDATION_FAILED", "Branches must be a non-empty array", `${where}/Branches`);
      else for (const [i, b] of s.Branches.entries()) validateMachine(b, `${where}/Branches/${i}`, out);
    }
    if (type === "Map") {
      const processor = s.ItemProcessor ?? s.Iterator;
      if (processor === undefined)
        err("SCHEMA_VALIDATION_FAILED", "a Map state needs an ItemProcessor", where);
      else validateMachine(processor, `${where}/ItemProcessor`, out);
    }
  }

  // Reachability from StartAt.
  const seen = new Set<string>();
  const queue = typeof machine.StartAt === "string" ? [machine.StartAt] : [];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !(name in states)) continue;
    seen.add(name);
    const s = states[name];
    if (!isObject(s)) continue;
    const next = [
      s.Next,
      s.Default,
      ...(Array.isArray(s.Choices) ? s.Choices.map((c) => (isObject(c) ? c.Next : undefined)) : []),
      ...(Array.isArray(s.Catch) ? s.Catch.map((c) => (isObject(c) ? c.Next : undefined)) : []),
    ];
    for (const n of next) if (typeof n === "string") queue.push(n);
  }
  for (const name of Object.keys(states))
    if (!seen.has(name))
      err("UNREACHABLE_STATE", `state ${name} cannot be reached from StartAt`, `${at}/States/${name}`);
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
  const out: AslDiagnostic[] = [];
  validateMachine(parsed, "", out);
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
    name: "stepfunctions ValidateStateMachineDefinition (structural ASL checks) and ListStateMachineVersions (none: never published)",
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
