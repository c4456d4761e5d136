/**
 * The FinOps API client (routes: contracts/api.ts, docs/api.md): the ID token as Bearer, a 401
 * renews the session once and retries. Errors carry the API's own message (which names the field
 * or the missing group), so the views show it as is.
 */
import type {
  Account,
  Allocation,
  Budget,
  BudgetChange,
  DirectoryUser,
  IngestionStatus,
  SpendCard,
} from "../../functions/api/domain";
import type { Session } from "./auth";
import { apiPath } from "./config";

export type { Account, Allocation, Budget, BudgetChange, DirectoryUser, IngestionStatus, SpendCard };

export interface SpendResult {
  readonly month: string;
  readonly from: string;
  readonly to: string;
  readonly groupBy: string;
  readonly currency: string;
  readonly totalUsd: number;
  readonly filters?: Readonly<Partial<Record<SpendFilter, string>>>;
  /** `day` and `service` are set when grouped by "day,service". */
  readonly groups: readonly { key: string; amountUsd: number; day?: string; service?: string }[];
}

/** The filters of GET /spend (docs/api.md): each narrows the caller's scope, never widens it. */
export type SpendFilter = "budgetId" | "accountId" | "ou" | "environment" | "owner";

export interface UserRow extends DirectoryUser {
  readonly seesAllBudgets: boolean;
  readonly budgets: readonly { budgetId: string; year: number; role: string }[];
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export class Api {
  constructor(private readonly session: Session) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: T }> {
    const send = async () => {
      const token = await this.session.idToken();
      if (!token) throw new ApiRequestError(401, "your session has ended; sign in again");
      return fetch(apiPath(this.session.config, path), {
        method,
        ...(signal ? { signal } : {}),
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    };
    let res = await send();
    if (res.status === 401 && (await this.session.refresh())) res = await send();
    const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new ApiRequestError(res.status, String(out.message ?? `HTTP ${res.status}`));
    return { status: res.status, body: out as T };
  }

  get = <T>(path: string, signal?: AbortSignal) =>
    this.call<T>("GET", path, undefined, signal).then((r) => r.body);

  ingestion = () =>
    this.get<{ lastProcessed: IngestionStatus | null; periods: IngestionStatus[] }>("/ingestion");
  accounts = (unallocated = false) =>
    this.get<{ accounts: Account[] }>(`/accounts${unallocated ? "?unallocated=true" : ""}`);
  budgets = (year?: number) => this.get<{ budgets: Budget[] }>(`/budgets${year ? `?year=${year}` : ""}`);
  spend = (
    q: { month: string; groupBy: string } & Partial<Record<SpendFilter, string>>,
    signal?: AbortSignal,
  ) =>
    this.get<SpendResult>(
      `/spend?${new URLSearchParams(Object.entries(q).filter(([, v]) => v) as string[][])}`,
      signal,
    );
  cards = () => this.get<{ cards: SpendCard[] }>("/spend-cards");
  approvals = () => this.get<{ changes: BudgetChange[] }>("/approvals");
  users = () => this.get<{ users: UserRow[] }>("/users");
  inviteUser = (body: { email: string; groups: readonly string[] }) =>
    this.call<{ user: DirectoryUser }>("POST", "/users", body);
  setUserGroups = (username: string, groups: readonly string[]) =>
    this.call<{ username: string; groups: string[]; added: string[]; removed: string[] }>(
      "PUT",
      `/users/${encodeURIComponent(username)}/groups`,
      { groups },
    );
  history = (accountId: string) =>
    this.get<{ accountId: string; history: Allocation[] }>(`/accounts/${accountId}/allocations`);
  mapAccount = (accountId: string, body: { budgetId: string; reason?: string }) =>
    this.call("PUT", `/accounts/${accountId}/budget`, body);
  updateBudget = (budgetId: string, year: number, body: Record<string, unknown>) =>
    this.call<{ budget?: Budget; change?: BudgetChange; note?: string }>(
      "PATCH",
      `/budgets/${budgetId}/${year}`,
      body,
    );
  requestChange = (budgetId: string, year: number, body: { amountUsd: number; reason: string }) =>
    this.call<{ change?: BudgetChange; note?: string }>(
      "POST",
      `/budgets/${budgetId}/${year}/change-requests`,
      body,
    );
  decide = (changeId: string, body: { decision: "approve" | "reject"; note?: string }) =>
    this.call("POST", `/approvals/${changeId}/decision`, body);
  approveCard = (budgetId: string, periodId: string, note?: string) =>
    this.call("POST", `/spend-cards/${budgetId}/${periodId}/approval`, note ? { note } : {});
}
