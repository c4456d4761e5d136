/**
 * The environment of each member account (members[].environment of the accounts config), as the
 * FinOps API reads it to filter spend by environment (GET /spend?environment=, docs/api.md): the
 * admin stack puts it in the API function's environment next to the member budgets
 * (contracts/budgets.ts), the local API front passes the same map.
 *
 * The value is compact JSON, environment → account ids (`{"dev":["333333333333"]}`), about 15
 * characters per account: Lambda allows 4 KB of variables per function, shared with the budgets, so
 * it has room for about 55 members. A larger organization gets no variable (the synth still
 * succeeds): the API then knows no environment and answers an environment filter with a 400 that
 * says so, and the console offers none.
 *
 * Plain data and functions: imports nothing of the project.
 */
export const CONFIG_ENVIRONMENTS_ENV = "CONFIG_ACCOUNT_ENVIRONMENTS";

/** Where an account's environment is set, as errors and docs name it. */
export const CONFIG_ENVIRONMENT_FIELD = "members[].environment";

/** This variable's share of Lambda's 4 KB (the budgets take up to 3000 characters, contracts/budgets.ts). */
export const CONFIG_ENVIRONMENTS_MAX_CHARS = 900;

/**
 * account id → environment, encoded grouped by environment (sorted, so the bytes are stable);
 * undefined when it takes more than CONFIG_ENVIRONMENTS_MAX_CHARS (or there is none).
 */
export function encodeConfigEnvironments(environments: Readonly<Record<string, string>>): string | undefined {
  if (Object.keys(environments).length === 0) return undefined;
  const byEnv: Record<string, string[]> = {};
  for (const [id, env] of Object.entries(environments)) {
    byEnv[env] ??= [];
    byEnv[env].push(id);
  }
  const text = JSON.stringify(
    Object.fromEntries(
      Object.entries(byEnv)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([env, ids]) => [env, ids.sort()]),
    ),
  );
  return text.length > CONFIG_ENVIRONMENTS_MAX_CHARS ? undefined : text;
}

/** The variable's value back as account id → environment; a malformed value throws naming the variable. */
export function parseConfigEnvironments(text: string | undefined): ReadonlyMap<string, string> {
  if (text === undefined || text.trim() === "") return new Map();
  const shape = `{"<environment>": ["<account id>", …]}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${CONFIG_ENVIRONMENTS_ENV} is not JSON; the admin stack sets it to ${shape}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(`${CONFIG_ENVIRONMENTS_ENV} must be a JSON object ${shape}`);
  const out = new Map<string, string>();
  for (const [env, ids] of Object.entries(parsed)) {
    if (
      !/^[a-z][a-z0-9-]{0,31}$/.test(env) ||
      !Array.isArray(ids) ||
      !ids.every((id) => typeof id === "string" && /^\d{12}$/.test(id))
    )
      throw new Error(
        `${CONFIG_ENVIRONMENTS_ENV}: "${env}": ${JSON.stringify(ids)} is not an environment with a list of account ids`,
      );
    for (const id of ids as string[]) out.set(id, env);
  }
  return out;
}
