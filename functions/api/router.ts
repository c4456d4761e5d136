/**
 * The API's routes: one handler per route key of contracts/api.ts (the Terraform module,
 * modules/app/http-api.ts, creates exactly those routes, each with the JWT authorizer).
 */
import * as z from "zod";
import { GROUPS, type Group, ROUTE_KEYS, type RouteKey } from "../../contracts/api";
import { ApiError, type Caller } from "./domain";
import { accountHistory, listAccounts, mapAccount, unmapAccount } from "./operations/accounts";
import { decideBudgetChange, listBudgetChanges } from "./operations/approvals";
import { createBudget, getBudget, listBudgets, updateBudget } from "./operations/budgets";
import { changeRequestBody, requestBudgetChange } from "./operations/change-requests";
import type { Result } from "./operations/common";
import { ingestionStatus } from "./operations/ingestion";
import { spend } from "./operations/spend";
import { approveCard, commentCard, listCards } from "./operations/spend-cards";
import { inviteUser, listUsers, setUserGroups } from "./operations/users";
import type { ApiDeps } from "./repository";
import {
  accountIdSchema,
  approveCardBody,
  budgetIdSchema,
  commentCardBody,
  createBudgetBody,
  decisionBody,
  inviteUserBody,
  listAccountsQuery,
  listBudgetsQuery,
  listCardsQuery,
  listChangesQuery,
  mapAccountBody,
  parseOr400,
  periodIdSchema,
  spendQuery,
  unmapAccountBody,
  updateBudgetBody,
  userGroupsBody,
  usernameSchema,
} from "./schemas";

export interface ApiRequest {
  /** "METHOD /path/{param}", as API Gateway's routeKey. */
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Raw body text (already base64-decoded); undefined when absent. */
  readonly body: string | undefined;
  readonly caller: Caller;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

interface Route {
  readonly summary: string;
  run(deps: ApiDeps, req: ApiRequest): Promise<Result>;
}

const yearParam = z.coerce.number().int().min(2000).max(2100);
const changeIdParam = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, { error: "must be a change id" });

function param<S extends z.ZodType>(req: ApiRequest, name: string, schema: S): z.output<S> {
  const parsed = parseOr400(z.strictObject({ [name]: schema }), { [name]: req.pathParameters[name] }, "path");
  return parsed[name] as z.output<S>;
}

function json(req: ApiRequest): unknown {
  if (req.body === undefined || req.body.trim() === "") return {};
  try {
    return JSON.parse(req.body);
  } catch {
    throw new ApiError(400, "invalid body: not JSON; send a JSON object with content-type application/json");
  }
}

function query(req: ApiRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.query).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/** One entry per route key of contracts/api.ts: the type refuses a missing or unknown key. */
export const ROUTES: { readonly [K in RouteKey]: Route } = {
  "GET /accounts": {
    summary: "List accounts in scope (?unallocated=true: accounts in no budget, finance only)",
    run: (d, r) => listAccounts(d, r.caller, parseOr400(listAccountsQuery, query(r), "query")),
  },
  "GET /accounts/{accountId}/allocations": {
    summary: "An account's budget mapping history",
    run: (d, r) => accountHistory(d, r.caller, param(r, "accountId", accountIdSchema)),
  },
  "PUT /accounts/{accountId}/budget": {
    summary: "Map an account to a budget (recorded in its history)",
    run: (d, r) =>
      mapAccount(
        d,
        r.caller,
        param(r, "accountId", accountIdSchema),
        parseOr400(mapAccountBody, json(r), "body"),
      ),
  },
  "DELETE /accounts/{accountId}/budget": {
    summary: "Unmap an account from its budget (recorded in its history)",
    run: (d, r) =>
      unmapAccount(
        d,
        r.caller,
        param(r, "accountId", accountIdSchema),
        parseOr400(unmapAccountBody, json(r), "body"),
      ),
  },
  "GET /budgets": {
    summary: "List budgets in scope (?year=YYYY)",
    run: (d, r) => listBudgets(d, r.caller, parseOr400(listBudgetsQuery, query(r), "query")),
  },
  "POST /budgets": {
    summary: "Create an annual calendar-year budget",
    run: (d, r) => createBudget(d, r.caller, parseOr400(createBudgetBody, json(r), "body")),
  },
  "GET /budgets/{budgetId}/{year}": {
    summary: "One budget",
    run: (d, r) => getBudget(d, r.caller, param(r, "budgetId", budgetIdSchema), param(r, "year", yearParam)),
  },
  "PATCH /budgets/{budgetId}/{year}": {
    summary: "Change a budget; amount changes above the threshold go to approval (202)",
    run: (d, r) =>
      updateBudget(
        d,
        r.caller,
        param(r, "budgetId", budgetIdSchema),
        param(r, "year", yearParam),
        parseOr400(updateBudgetBody, json(r), "body"),
      ),
  },
  "GET /spend": {
    summary: "Spend of a month or period grouped by budget, account, service or day",
    run: (d, r) => spend(d, r.caller, parseOr400(spendQuery, query(r), "query")),
  },
  "GET /spend-cards": {
    summary: "Spend cards in scope (?budgetId=&period=)",
    run: (d, r) => listCards(d, r.caller, parseOr400(listCardsQuery, query(r), "query")),
  },
  "POST /spend-cards/{budgetId}/{periodId}/approval": {
    summary: "Approve a spend card",
    run: (d, r) =>
      approveCard(
        d,
        r.caller,
        param(r, "budgetId", budgetIdSchema),
        param(r, "periodId", periodIdSchema),
        parseOr400(approveCardBody, json(r), "body"),
      ),
  },
  "POST /spend-cards/{budgetId}/{periodId}/comments": {
    summary: "Comment a spend card",
    run: (d, r) =>
      commentCard(
        d,
        r.caller,
        param(r, "budgetId", budgetIdSchema),
        param(r, "periodId", periodIdSchema),
        parseOr400(commentCardBody, json(r), "body"),
      ),
  },
  "GET /approvals": {
    summary: "Budget changes (?status=pending)",
    run: (d, r) => listBudgetChanges(d, r.caller, parseOr400(listChangesQuery, query(r), "query")),
  },
  "POST /approvals/{changeId}/decision": {
    summary: "Approve or reject a budget change (FinancialAdmins, not the submitter)",
    run: (d, r) =>
      decideBudgetChange(
        d,
        r.caller,
        param(r, "changeId", changeIdParam),
        parseOr400(decisionBody, json(r), "body"),
      ),
  },
  "GET /ingestion": {
    summary: "Last CUR processed and the committed version of each billing period",
    run: (d, r) => ingestionStatus(d, r.caller),
  },
  "GET /users": {
    summary: "Users, their groups and their budget scope (Admins only)",
    run: (d, r) => listUsers(d, r.caller),
  },
  "POST /budgets/{budgetId}/{year}/change-requests": {
    summary:
      "Request a change of a budget's amount (its owner or managers, or finance): always goes to approval (202)",
    run: (d, r) =>
      requestBudgetChange(
        d,
        r.caller,
        param(r, "budgetId", budgetIdSchema),
        param(r, "year", yearParam),
        parseOr400(changeRequestBody, json(r), "body"),
      ),
  },
  "POST /users": {
    summary: "Invite a user by email into FinOps groups (Admins only; Cognito emails a temporary password)",
    run: (d, r) => inviteUser(d, r.caller, parseOr400(inviteUserBody, json(r), "body")),
  },
  "PUT /users/{username}/groups": {
    summary: "Set a user's FinOps groups (Admins only; never an Admin's own Admins membership)",
    run: (d, r) =>
      setUserGroups(
        d,
        r.caller,
        param(r, "username", usernameSchema),
        parseOr400(userGroupsBody, json(r), "body"),
      ),
  },
};

const byKey: ReadonlyMap<string, Route> = new Map(ROUTE_KEYS.map((k) => [k, ROUTES[k]]));

/** Dispatches one request; ApiErrors become their status, anything else propagates (500 in the handler). */
export async function route(deps: ApiDeps, req: ApiRequest): Promise<ApiResponse> {
  const r = byKey.get(req.routeKey);
  if (!r) return { status: 404, body: { error: "NotFound", message: `no route ${req.routeKey}` } };
  try {
    return await r.run(deps, req);
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: { error: e.code, message: e.message } };
    throw e;
  }
}

/** Claim values as API Gateway passes them: HTTP API gives JWT claims to the integration as strings. */
const isTrue = (v: unknown): boolean => v === true || v === "true";

/**
 * The caller from the claims the JWT authorizer verified (issuer = the user pool, `aud` or
 * `client_id` = the web client). The authorizer lets both Cognito tokens through, so this decides:
 *
 * - Only the **ID token** (`token_use: "id"`) is accepted. It is the token that carries the user's
 *   `email` and `email_verified`, which scope a budget manager (owners and managers are emails).
 *   The access token carries neither (`sub`, `cognito:groups`, `username`, `client_id`, `scope`,
 *   `token_use: "access"`), so it is refused with 401 rather than authorized differently or at
 *   the cost of a user-pool lookup per request (docs/api.md, "Tokens and identity").
 * - The identity is `sub`. `cognito:username` is opaque in this pool (a generated UUID, since
 *   users sign in by email) and is never taken for the email.
 * - `email` is kept only when `email_verified` is true (a boolean, or "true" as HTTP API passes it).
 * - Groups: HTTP API passes array claims as "[a b]" strings; both that and real arrays are
 *   accepted. Unknown group names are ignored (they grant nothing).
 */
export function callerFromClaims(claims: Readonly<Record<string, unknown>>): Caller {
  const tokenUse = claims.token_use;
  if (tokenUse === "access")
    throw new ApiError(
      401,
      "this API takes the Cognito ID token, not the access token: send the id_token from sign-in as 'Authorization: Bearer <id_token>'",
    );
  if (tokenUse !== "id")
    throw new ApiError(
      401,
      `the token is not a Cognito ID token (token_use ${typeof tokenUse === "string" ? `"${tokenUse}"` : "missing"}); send the id_token from sign-in`,
    );
  const sub = typeof claims.sub === "string" ? claims.sub.trim() : "";
  if (!sub) throw new ApiError(401, "the ID token has no sub claim");
  const raw = claims["cognito:groups"];
  const list = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === "string"
      ? raw
          .replace(/^\[|\]$/g, "")
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  const groups = list.filter((g): g is Group => (GROUPS as readonly string[]).includes(g));
  const email =
    isTrue(claims.email_verified) && typeof claims.email === "string" && claims.email.trim()
      ? claims.email.trim()
      : undefined;
  const username = typeof claims["cognito:username"] === "string" ? claims["cognito:username"] : "";
  return { sub, ...(email ? { email } : {}), ...(username ? { username } : {}), groups };
}
