/**
 * The FinOps API's domain: who calls, what they may see, and the records the operations read and
 * write. Pure types and rules; storage is behind the repository port (repository.ts).
 */

import { GROUPS, type Group } from "../../contracts/api";

/** Groups whose members see only the budgets they own or manage (and those budgets' accounts). */
export const SCOPED_GROUPS: readonly Group[] = [
  "BUManagers",
  "DepartmentManagers",
  "PortfolioManagers",
  "ProductManagers",
];

/**
 * The authenticated caller, from the Cognito ID token the HTTP API's JWT authorizer verified
 * (router.ts `callerFromClaims`; access tokens are refused there, see docs/api.md "Tokens and identity").
 *
 * The pool signs users in by email (`username_attributes = ["email"]`), so Cognito generates an
 * opaque, immutable `cognito:username` (a UUID), NOT the email: the username is never an identity
 * here. The identity is `sub`; the email is used (display, budget owner/manager matching) only
 * when the token says `email_verified`.
 */
export interface Caller {
  /** Cognito `sub`: unique in the pool and never reassigned; what audit fields store. */
  readonly sub: string;
  /** The ID token's `email`, only when `email_verified` is true; absent otherwise. */
  readonly email?: string;
  /**
   * `cognito:username` (opaque). Not an identity: kept only so that records written before audit
   * fields stored `sub` (they stored the username) are still recognized as the caller's own.
   */
  readonly username?: string;
  readonly groups: readonly Group[];
}

/** What an audit field records about who acted: the `sub`, and the verified email for display. */
export interface Actor {
  readonly by: string;
  readonly byEmail?: string;
}

export function actor(c: Caller): Actor {
  return { by: c.sub, ...(c.email ? { byEmail: c.email } : {}) };
}

/** How messages name the caller: the verified email, else the `sub`. */
export const displayName = (c: Caller): string => c.email ?? c.sub;

export const SCOPE_LEVELS = ["businessUnit", "department", "portfolio", "product"] as const;
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];

/** An annual, calendar-year budget (budgets table: budgetId + year). */
export interface Budget {
  readonly budgetId: string;
  readonly year: number;
  readonly name: string;
  /** Amount for the calendar year, USD. */
  readonly amountUsd: number;
  /** Email of the accountable owner (matched against callers' verified email). */
  readonly owner: string;
  /** Emails of further people who manage the budget (see its cards and accounts). */
  readonly managers: readonly string[];
  /** What the budget covers in the organization's hierarchy. */
  readonly scope: { readonly level: ScopeLevel; readonly name: string };
  /** Optimistic-locking counter, incremented by every write. */
  readonly version: number;
  readonly updatedAt: string;
  /** `sub` of the last writer (an API caller, or the FinancialAdmin whose approval applied it). */
  readonly updatedBy: string;
  /** That writer's verified email when known, for display. */
  readonly updatedByEmail?: string;
}

/** An account of the organization (accounts table, written by account-sync). */
export interface Account {
  readonly accountId: string;
  readonly name?: string;
  readonly email?: string;
  /**
   * The account's Organizations state as account-sync read it: PENDING_ACTIVATION, ACTIVE, SUSPENDED,
   * PENDING_CLOSURE or CLOSED; UNKNOWN when Organizations reported none; REMOVED once the
   * organization no longer lists it. Informational: accounts in every state stay listed and mappable,
   * and their spend and history count as before.
   */
  readonly orgStatus?: string;
  /** Name of the account's OU as account-sync read it ("Root" for an account under the root). */
  readonly ouName?: string;
  /** The account's environment in the accounts config (members[].environment), as GET /accounts adds it. */
  readonly environment?: string;
  /** "allocated" when mapped to a budget, "unallocated" otherwise (GSI byAllocationStatus). */
  readonly allocationStatus: AllocationStatus;
  /** The budget the account is mapped to now. */
  readonly budgetId?: string;
}
export type AllocationStatus = "allocated" | "unallocated";

/** One entry of an account's mapping history (allocations table: accountId + validFrom). */
export interface Allocation {
  readonly accountId: string;
  /** ISO timestamp from which this entry holds (until the next entry's validFrom). */
  readonly validFrom: string;
  /** Absent on an unmapping entry (so the byBudget index stays sparse). */
  readonly budgetId?: string;
  /** `sub` of the caller who changed the mapping. */
  readonly changedBy: string;
  /** Their verified email when known, for display. */
  readonly changedByEmail?: string;
  readonly reason?: string;
}

export interface CardMover {
  /** "service" or "account". */
  readonly dimension: "service" | "account";
  readonly key: string;
  readonly currentUsd: number;
  /** The previous period's spend scaled to this period's length (run rate × days). */
  readonly baselineUsd: number;
  readonly deltaUsd: number;
}

/** `by` is the commenter's `sub`, `byEmail` their verified email when known. */
export interface CardComment extends Actor {
  readonly at: string;
  readonly text: string;
}

/** A spend card (spend-cards table: budgetId + periodId). */
export interface SpendCard {
  readonly budgetId: string;
  readonly periodId: string;
  readonly year: number;
  readonly month: string;
  readonly start: string;
  readonly end: string;
  /** True once computed from the closed, invoiced month's CUR. */
  readonly final: boolean;
  readonly allowanceUsd: number;
  readonly spendUsd: number;
  readonly varianceUsd: number;
  readonly status: "within" | "over";
  readonly topMovers: readonly CardMover[];
  /** Ingestion version of the month the card was computed from. */
  readonly sourceVersion: string;
  readonly generatedAt: string;
  /** `by` is the approver's `sub`, `byEmail` their verified email when known. */
  readonly approval?: Actor & { readonly at: string; readonly note?: string };
  readonly comments?: readonly CardComment[];
}

export type ChangeStatus = "pending" | "approved" | "rejected" | "expired" | "failed";

/** A budget change held for approval (budget-changes table: changeId). */
export interface BudgetChange {
  readonly changeId: string;
  readonly budgetId: string;
  readonly year: number;
  /** The budget version the change was computed against (applied only if still current). */
  readonly baseVersion: number;
  readonly previousAmountUsd: number;
  readonly changes: BudgetPatch;
  /** `sub` of the FinancialAdmin/Admin who submitted it (and their verified email, for display). */
  readonly submittedBy: string;
  readonly submittedByEmail?: string;
  readonly submittedAt: string;
  readonly reason: string;
  readonly status: ChangeStatus;
  readonly executionArn?: string;
  /** Task token of the waiting workflow step (never returned by the API). */
  readonly taskToken?: string;
  /** `sub` of the FinancialAdmin who decided it (and their verified email, for display). */
  readonly decidedBy?: string;
  readonly decidedByEmail?: string;
  readonly decidedAt?: string;
  readonly decisionNote?: string;
  readonly appliedAt?: string;
  /** Why the workflow could not finish (status "failed"). */
  readonly failure?: string;
}

export interface BudgetPatch {
  readonly name?: string;
  readonly amountUsd?: number;
  readonly owner?: string;
  readonly managers?: readonly string[];
  readonly scope?: Budget["scope"];
}

export interface IngestionStatus {
  readonly billingPeriod: string;
  readonly version: string;
  readonly committedAt: string;
  readonly items: number;
  readonly manifestKey: string;
}

export interface SpendRow {
  readonly accountId: string;
  readonly service: string;
  readonly usageDate: string;
  readonly unblendedCost: number;
}

/** A user of the pool as GET /users shows it. */
export interface DirectoryUser {
  /** Cognito's generated username (opaque UUID in this pool), the key of admin API calls. */
  readonly username: string;
  /** The `sub` attribute: what audit fields store. */
  readonly sub?: string;
  readonly email?: string;
  /** Only a verified email matches budget owners/managers. */
  readonly emailVerified: boolean;
  readonly enabled: boolean;
  readonly status?: string;
  readonly groups: readonly Group[];
}

/** An error the API returns as-is: status and a message naming what is wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = statusCode(status),
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function statusCode(status: number): string {
  const codes: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    422: "Unprocessable",
  };
  return codes[status] ?? "Error";
}

export const forbidden = (message: string) => new ApiError(403, message);
export const notFound = (message: string) => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);
export const badRequest = (message: string) => new ApiError(400, message);

// Authorization rules ------------------------------------------------------------------------------

export const isAdmin = (c: Caller): boolean => c.groups.includes("Admins");
export const isFinance = (c: Caller): boolean =>
  c.groups.includes("Admins") || c.groups.includes("FinancialAdmins");
export const isScopedManager = (c: Caller): boolean => c.groups.some((g) => SCOPED_GROUPS.includes(g));
/** Whether the caller belongs to any FinOps group at all. */
export const isMember = (c: Caller): boolean => c.groups.length > 0;

/**
 * Whether the caller owns or manages the budget (a scoped manager's scope): the budget's owner or
 * one of its managers is the caller's verified email (case-insensitive). Without a verified email
 * a caller manages nothing.
 */
export function managesBudget(c: Caller, b: Pick<Budget, "owner" | "managers">): boolean {
  const me = c.email?.toLowerCase();
  return me !== undefined && [b.owner, ...b.managers].some((u) => u.toLowerCase() === me);
}

/** Whether the caller may read the budget: finance sees all, managers only their own. */
export function canReadBudget(c: Caller, b: Pick<Budget, "owner" | "managers">): boolean {
  return isFinance(c) || (isScopedManager(c) && managesBudget(c, b));
}

export function requireMember(c: Caller): void {
  if (!isMember(c))
    throw forbidden(
      `user ${displayName(c)} is in no FinOps group; an Admin must add them to one (${GROUPS.join(", ")})`,
    );
}

export function requireFinance(c: Caller, what: string): void {
  if (!isFinance(c)) throw forbidden(`only Admins and FinancialAdmins may ${what}`);
}
