/**
 * Member budgets from the accounts config, as the FinOps API reads them (docs/budgets.md): the
 * admin stack puts every non-retired member's `budget.monthlyUsd` in the API function's environment,
 * and the API enforces that no application budget holds less than its accounts' configured amounts.
 *
 * The value is compact JSON, account id → monthly USD (`{"333333333333":1500}`): Lambda allows 4 KB
 * of environment variables per function, which this format fits for about 150 budgeted members.
 *
 * Plain data and functions: imports nothing of the project.
 */
export const CONFIG_BUDGETS_ENV = "CONFIG_ACCOUNT_BUDGETS";

/** Where a member's monthly budget is set, as errors and docs name it. */
export const CONFIG_BUDGET_FIELD = "members[].budget.monthlyUsd";

/** The environment's share this variable may take (Lambda's 4 KB minus room for the others). */
export const CONFIG_BUDGETS_MAX_CHARS = 3000;

export function encodeConfigBudgets(budgets: Readonly<Record<string, number>>): string {
  const text = JSON.stringify(
    Object.fromEntries(Object.entries(budgets).sort(([a], [b]) => a.localeCompare(b))),
  );
  if (text.length > CONFIG_BUDGETS_MAX_CHARS)
    throw new Error(
      `${Object.keys(budgets).length} member budgets (${CONFIG_BUDGET_FIELD}) take ${text.length} characters in the API function's environment, more than the ${CONFIG_BUDGETS_MAX_CHARS} that fit in Lambda's 4 KB of variables; keep AWS Budgets for fewer members in the accounts config`,
    );
  return text;
}

/** The variable's value back as account id → monthly USD; a malformed value throws naming the variable. */
export function parseConfigBudgets(text: string | undefined): ReadonlyMap<string, number> {
  if (text === undefined || text.trim() === "") return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      `${CONFIG_BUDGETS_ENV} is not JSON; the admin stack sets it to {"<account id>": <monthly USD>}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(`${CONFIG_BUDGETS_ENV} must be a JSON object {"<account id>": <monthly USD>}`);
  const out = new Map<string, number>();
  for (const [id, usd] of Object.entries(parsed)) {
    if (!/^\d{12}$/.test(id) || typeof usd !== "number" || !(usd > 0))
      throw new Error(
        `${CONFIG_BUDGETS_ENV}: "${id}": ${JSON.stringify(usd)} is not an account id and a positive monthly USD amount`,
      );
    out.set(id, usd);
  }
  return out;
}
