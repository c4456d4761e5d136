/**
 * The FinOps API's public contract as plain data: its route keys and the Cognito groups that
 * authorize callers. The handler dispatches on these route keys (functions/api/router.ts), the
 * Terraform module creates exactly these HTTP API routes (modules/app/http-api.ts), and the user
 * pool creates exactly these groups (modules/app/user-pool.ts).
 *
 * Contracts import nothing of the project.
 */

/**
 * Every route of the HTTP API, "METHOD /path/{param}" as API Gateway's routeKey. The order is the
 * order the routes are synthesized in; keep it stable.
 */
export const ROUTE_KEYS = [
  "GET /accounts",
  "GET /accounts/{accountId}/allocations",
  "PUT /accounts/{accountId}/budget",
  "DELETE /accounts/{accountId}/budget",
  "GET /budgets",
  "POST /budgets",
  "GET /budgets/{budgetId}/{year}",
  "PATCH /budgets/{budgetId}/{year}",
  "GET /spend",
  "GET /spend-cards",
  "POST /spend-cards/{budgetId}/{periodId}/approval",
  "POST /spend-cards/{budgetId}/{periodId}/comments",
  "GET /approvals",
  "POST /approvals/{changeId}/decision",
  "GET /ingestion",
  "GET /users",
  "POST /budgets/{budgetId}/{year}/change-requests",
  "POST /users",
  "PUT /users/{username}/groups",
] as const;
export type RouteKey = (typeof ROUTE_KEYS)[number];

/** The FinOps groups of the user pool; a caller in none of them may call nothing. */
export const GROUPS = [
  "Admins",
  "FinancialAdmins",
  "BUManagers",
  "DepartmentManagers",
  "PortfolioManagers",
  "ProductManagers",
] as const;
export type Group = (typeof GROUPS)[number];
