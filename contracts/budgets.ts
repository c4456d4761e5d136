/**
 * Member budgets from the accounts config, as the FinOps API names them (docs/budgets.md). The
 * budgets themselves reach the API in the member config document (contracts/member-config.ts).
 */
export { CONFIG_BUDGET_FIELD } from "./member-config";
