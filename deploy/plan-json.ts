/**
 * The Terraform plan JSON format (`terraform show -json <planfile>`, format_version 1.x): the part
 * of it this tool reads, its validation (parsePlan) and the mapping of `change.actions` to one
 * action (classifyActions). Field names per
 * https://developer.hashicorp.com/terraform/internals/json-format. Pure.
 */

/** The part of the plan JSON format (format_version 1.x) the summary reads. */
export interface TerraformPlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly TerraformResourceChange[];
  readonly resource_drift?: readonly TerraformResourceChange[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  /** True when planning failed part-way (Terraform 1.5+); the changes listed are not all there are. */
  readonly errored?: boolean;
  /** False when some changes were deferred to a later plan and apply (Terraform 1.8+). */
  readonly complete?: boolean;
  /** Changes Terraform could not plan yet, each with a reason (Terraform 1.8+). */
  readonly deferred_changes?: readonly {
    readonly reason?: string;
    readonly resource_change?: Partial<TerraformResourceChange>;
  }[];
}

export interface TerraformResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly importing?: unknown;
  };
  readonly action_reason?: string;
}

/** A document that is not a plan this tool can read. The message names the source and the fault. */
export class PlanFormatError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = "PlanFormatError";
  }
}

/**
 * How a resource changes. `replace` is delete+create in either order; `forget` removes it from
 * the state and leaves it in AWS (a `removed` block with `destroy = false`, Terraform 1.7+);
 * `create-forget` creates a new one and forgets the old one, which stays in AWS (never a destroy).
 */
export type ChangeAction =
  | "create"
  | "update"
  | "replace"
  | "delete"
  | "read"
  | "no-op"
  | "forget"
  | "create-forget";

const NOT_A_PLAN = "not a terraform show -json plan";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the parts of the plan JSON the summary reads; throws PlanFormatError naming the fault. */
export function parsePlan(json: unknown, source: string): TerraformPlanJson {
  if (!isRecord(json)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: expected a JSON object, got ${describe(json)}`);
  }
  if (!("format_version" in json)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: missing format_version`);
  }
  const version = json.format_version;
  if (typeof version !== "string" || !/^1\.\d+$/.test(version)) {
    throw new PlanFormatError(
      source,
      `unsupported format_version ${JSON.stringify(version)}; this tool reads plan JSON format 1.x`,
    );
  }
  if (!("resource_changes" in json) && !("planned_values" in json) && "values" in json) {
    throw new PlanFormatError(
      source,
      `${NOT_A_PLAN}: this is a state (it has "values"); run terraform show -json on the saved plan file`,
    );
  }
  for (const section of ["resource_changes", "resource_drift"] as const) {
    const list = json[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new PlanFormatError(source, `${NOT_A_PLAN}: ${section} is not a list`);
    list.forEach((rc, i) => {
      const where = `${section}[${i}]`;
      if (!isRecord(rc)) throw new PlanFormatError(source, `${NOT_A_PLAN}: ${where} is not an object`);
      if (typeof rc.address !== "string") {
        throw new PlanFormatError(source, `${NOT_A_PLAN}: ${where} has no address`);
      }
      if (typeof rc.type !== "string") {
        throw new PlanFormatError(source, `${NOT_A_PLAN}: ${where} (${rc.address}) has no type`);
      }
      const actions = isRecord(rc.change) ? rc.change.actions : undefined;
      if (!Array.isArray(actions) || !actions.every((a) => typeof a === "string")) {
        throw new PlanFormatError(
          source,
          `${NOT_A_PLAN}: ${where} (${rc.address}) has no change.actions list`,
        );
      }
      if (section === "resource_changes") {
        try {
          classifyActions(actions);
        } catch (error) {
          throw new PlanFormatError(source, `${where} (${rc.address}): ${(error as Error).message}`);
        }
      }
    });
  }
  for (const flag of ["errored", "complete"] as const) {
    if (json[flag] !== undefined && typeof json[flag] !== "boolean") {
      throw new PlanFormatError(source, `${NOT_A_PLAN}: ${flag} is not true or false`);
    }
  }
  if (json.deferred_changes !== undefined && !Array.isArray(json.deferred_changes)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: deferred_changes is not a list`);
  }
  if (json.output_changes !== undefined && !isRecord(json.output_changes)) {
    throw new PlanFormatError(source, `${NOT_A_PLAN}: output_changes is not an object`);
  }
  return json as unknown as TerraformPlanJson;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

/** Maps a plan's `change.actions` to one action. Throws on a combination Terraform does not emit. */
export function classifyActions(actions: readonly string[]): ChangeAction {
  const key = actions.join(",");
  switch (key) {
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "read":
      return "read";
    case "no-op":
      return "no-op";
    case "forget":
      return "forget";
    case "create,forget":
      return "create-forget";
    case "delete,create":
    case "create,delete":
      return "replace";
    default:
      throw new Error(`unknown change.actions ${JSON.stringify(actions)}`);
  }
}
