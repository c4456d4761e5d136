/**
 * Calls the API's router as the handler does, with a caller already taken from the token: what
 * the operation tests (./operations/*.test.ts) and the route table test share.
 */
import type { Caller } from "../../../../functions/api/domain";
import { route } from "../../../../functions/api/router";
import { caller, type fixture } from "./memory-repository";

export const admin = caller("admin@example.com", "Admins");
export const fin = caller("fin@example.com", "FinancialAdmins");
export const fin2 = caller("fin2@example.com", "FinancialAdmins");
export const buRetail = caller("bu-retail@example.com", "BUManagers");
export const deptWeb = caller("dept-web@example.com", "DepartmentManagers");
export const portfolio = caller("pm@example.com", "PortfolioManagers");
export const nobody = caller("nobody@example.com");

export function call(
  deps: ReturnType<typeof fixture>["deps"],
  c: Caller,
  routeKey: string,
  opts: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
) {
  return route(deps, {
    routeKey,
    caller: c,
    pathParameters: opts.path ?? {},
    query: opts.query ?? {},
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : JSON.stringify(opts.body),
  });
}
