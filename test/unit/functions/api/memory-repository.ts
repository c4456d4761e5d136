/**
 * In-memory implementations of the API's ports for unit tests: the same contract as the DynamoDB
 * adapter (conditional writes raise ConflictError), so operations are tested without a network.
 * The adapter itself is tested against the emulator in test/integration/api.test.ts.
 */

import type { Group } from "../../../../contracts/api";
import type {
  Account,
  Allocation,
  Budget,
  BudgetChange,
  Caller,
  CardComment,
  DirectoryUser,
  IngestionStatus,
  SpendCard,
  SpendRow,
} from "../../../../functions/api/domain";
import {
  type ApiDeps,
  type ApprovalWorkflow,
  ConflictError,
  type FinOpsRepository,
  type UserDirectory,
} from "../../../../functions/api/repository";
import { subOf, usernameOf } from "../../../support/cognito-tokens";

export class MemoryRepository implements FinOpsRepository {
  accounts = new Map<string, Account>();
  allocations: Allocation[] = [];
  budgets = new Map<string, Budget>();
  spend = new Map<string, SpendRow[]>();
  runs: IngestionStatus[] = [];
  cards = new Map<string, SpendCard>();
  changes = new Map<string, BudgetChange>();

  async getAccount(id: string) {
    return this.accounts.get(id);
  }
  async listAccounts(filter: { allocationStatus?: Account["allocationStatus"] } = {}) {
    return [...this.accounts.values()].filter(
      (a) => !filter.allocationStatus || a.allocationStatus === filter.allocationStatus,
    );
  }
  async recordAllocation(entry: Allocation) {
    const account = this.accounts.get(entry.accountId);
    if (!account) throw new ConflictError(`no account ${entry.accountId}`);
    this.allocations.push(entry);
    const { budgetId: _old, ...rest } = account;
    this.accounts.set(entry.accountId, {
      ...rest,
      allocationStatus: entry.budgetId ? "allocated" : "unallocated",
      ...(entry.budgetId ? { budgetId: entry.budgetId } : {}),
    });
  }
  async allocationHistory(accountId: string) {
    return this.allocations
      .filter((a) => a.accountId === accountId)
      .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  }
  async allocationsOfBudget(budgetId: string) {
    return this.allocations
      .filter((a) => a.budgetId === budgetId)
      .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  }
  async getBudget(id: string, year: number) {
    return this.budgets.get(`${id}#${year}`);
  }
  async listBudgets(filter: { year?: number } = {}) {
    return [...this.budgets.values()].filter((b) => filter.year === undefined || b.year === filter.year);
  }
  async createBudget(b: Budget) {
    const key = `${b.budgetId}#${b.year}`;
    if (this.budgets.has(key)) throw new ConflictError("exists");
    this.budgets.set(key, b);
  }
  async updateBudget(b: Budget, expectedVersion: number) {
    const key = `${b.budgetId}#${b.year}`;
    if (this.budgets.get(key)?.version !== expectedVersion) throw new ConflictError("version");
    this.budgets.set(key, b);
  }
  async spendOfMonth(month: string) {
    return this.spend.get(month) ?? [];
  }
  async ingestionStatus() {
    return [...this.runs].sort((a, b) => b.billingPeriod.localeCompare(a.billingPeriod));
  }
  async getCard(budgetId: string, periodId: string) {
    return this.cards.get(`${budgetId}#${periodId}`);
  }
  async listCards(filter: { budgetIds?: readonly string[]; periodId?: string }) {
    return [...this.cards.values()].filter(
      (c) =>
        (!filter.budgetIds || filter.budgetIds.includes(c.budgetId)) &&
        (!filter.periodId || c.periodId === filter.periodId),
    );
  }
  async setCardApproval(budgetId: string, periodId: string, approval: NonNullable<SpendCard["approval"]>) {
    const card = this.cards.get(`${budgetId}#${periodId}`);
    if (!card || card.approval) throw new ConflictError("approved");
    this.cards.set(`${budgetId}#${periodId}`, { ...card, approval });
  }
  async addCardComment(budgetId: string, periodId: string, comment: CardComment) {
    const card = this.cards.get(`${budgetId}#${periodId}`);
    if (!card) throw new ConflictError("no card");
    this.cards.set(`${budgetId}#${periodId}`, { ...card, comments: [...(card.comments ?? []), comment] });
  }
  async putBudgetChange(c: BudgetChange) {
    this.changes.set(c.changeId, c);
  }
  async setChangeExecution(id: string, executionArn: string) {
    const c = this.changes.get(id);
    if (!c) throw new ConflictError(`no budget change ${id}`);
    this.changes.set(id, { ...c, executionArn });
  }
  async getBudgetChange(id: string) {
    return this.changes.get(id);
  }
  async listBudgetChanges(filter: { status?: BudgetChange["status"] } = {}) {
    return [...this.changes.values()].filter((c) => !filter.status || c.status === filter.status);
  }
  async decideBudgetChange(
    id: string,
    outcome: Pick<BudgetChange, "status" | "decidedBy" | "decidedByEmail" | "decidedAt" | "decisionNote">,
  ) {
    const c = this.changes.get(id);
    if (c?.status !== "pending") throw new ConflictError("decided");
    this.changes.set(id, { ...c, ...outcome });
  }
}

/** Usernames compare case-insensitively: the pool has `username_configuration.case_sensitive = false`. */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The user pool in memory (Cognito cannot run here), with the contract of CognitoDirectory: one
 * user per email (case-insensitive, as the pool's usernames), created with the email verified and
 * status FORCE_CHANGE_PASSWORD, as AdminCreateUser answers; `calls` records the admin actions.
 */
export class MemoryDirectory implements UserDirectory {
  calls: string[] = [];
  constructor(public users: DirectoryUser[] = []) {}
  async listUsers() {
    return this.users;
  }
  async createUser(email: string) {
    if (this.users.some((u) => u.email?.toLowerCase() === email.toLowerCase()))
      throw new ConflictError(`a user with email ${email} exists`);
    const user: DirectoryUser = {
      username: usernameOf(email),
      sub: subOf(email),
      email,
      emailVerified: true,
      enabled: true,
      status: "FORCE_CHANGE_PASSWORD",
      groups: [],
    };
    this.users = [...this.users, user];
    this.calls.push(`create ${email}`);
    return user;
  }
  async groupsOf(username: string) {
    return this.users.find((u) => same(u.username, username))?.groups.slice();
  }
  private setGroups(username: string, f: (gs: readonly Group[]) => Group[]) {
    const u = this.users.find((x) => same(x.username, username));
    if (!u) throw Object.assign(new Error("User does not exist."), { name: "UserNotFoundException" });
    this.users = this.users.map((x) => (x === u ? { ...u, groups: f(u.groups) } : x));
  }
  async addToGroup(username: string, group: Group) {
    this.calls.push(`add ${username} ${group}`);
    this.setGroups(username, (gs) => (gs.includes(group) ? [...gs] : [...gs, group]));
  }
  async removeFromGroup(username: string, group: Group) {
    this.calls.push(`remove ${username} ${group}`);
    this.setGroups(username, (gs) => gs.filter((g) => g !== group));
  }
}

/** Records what the operations ask of the workflow (Step Functions cannot run here). */
export class RecordingWorkflow implements ApprovalWorkflow {
  started: string[] = [];
  completed: { taskToken: string; decision: string; by: string }[] = [];
  async start(change: { changeId: string }) {
    this.started.push(change.changeId);
    return `arn:aws:states:us-east-1:000000000000:execution:approvals:${change.changeId}`;
  }
  async complete(taskToken: string, d: { decision: "approve" | "reject"; by: string }) {
    this.completed.push({ taskToken, decision: d.decision, by: d.by });
  }
}

/**
 * A caller as `callerFromClaims` makes it from an ID token with a verified email: `sub` and the
 * generated username are UUIDs unrelated to the email (see test/support/cognito-tokens.ts).
 */
export function caller(email: string, ...groups: Group[]): Caller {
  return { sub: subOf(email), email, username: usernameOf(email), groups };
}

/** A pool user as ListUsers shows it: generated username, `sub`, email and email_verified. */
export function directoryUser(email: string, groups: Group[], emailVerified = true): DirectoryUser {
  return {
    username: usernameOf(email),
    sub: subOf(email),
    email,
    emailVerified,
    enabled: true,
    status: "CONFIRMED",
    groups,
  };
}

export const NOW = new Date("2026-03-10T12:00:00.000Z");

/** A small organization: two budgets, three accounts (one unallocated), spend and a card. */
export function fixture(): {
  deps: ApiDeps;
  repo: MemoryRepository;
  workflow: RecordingWorkflow;
  directory: MemoryDirectory;
} {
  const repo = new MemoryRepository();
  const workflow = new RecordingWorkflow();
  const budget = (budgetId: string, owner: string, managers: string[] = []): Budget => ({
    budgetId,
    year: 2026,
    name: budgetId,
    amountUsd: 365_000,
    owner,
    managers,
    scope: { level: "businessUnit", name: budgetId },
    version: 1,
    updatedAt: "2026-01-01T00:00:00.000Z",
    updatedBy: subOf("fin@example.com"),
    updatedByEmail: "fin@example.com",
  });
  repo.budgets.set("retail#2026", budget("retail", "bu-retail@example.com", ["dept-web@example.com"]));
  repo.budgets.set("logistics#2026", budget("logistics", "bu-logistics@example.com"));
  const accounts: Account[] = [
    { accountId: "111111111111", name: "retail-web", allocationStatus: "allocated", budgetId: "retail" },
    {
      accountId: "222222222222",
      name: "logistics-core",
      allocationStatus: "allocated",
      budgetId: "logistics",
    },
    { accountId: "333333333333", name: "sandbox", allocationStatus: "unallocated" },
  ];
  for (const a of accounts) repo.accounts.set(a.accountId, a);
  repo.allocations.push(
    {
      accountId: "111111111111",
      validFrom: "2026-01-01T00:00:00.000Z",
      budgetId: "retail",
      changedBy: subOf("fin@example.com"),
    },
    {
      accountId: "222222222222",
      validFrom: "2026-01-01T00:00:00.000Z",
      budgetId: "logistics",
      changedBy: subOf("fin@example.com"),
    },
  );
  repo.spend.set("2026-03", [
    { accountId: "111111111111", service: "AmazonEC2", usageDate: "2026-03-01", unblendedCost: 100 },
    { accountId: "111111111111", service: "AmazonS3", usageDate: "2026-03-02", unblendedCost: 20.5 },
    { accountId: "222222222222", service: "AmazonEC2", usageDate: "2026-03-03", unblendedCost: 300 },
    { accountId: "333333333333", service: "AWSLambda", usageDate: "2026-03-09", unblendedCost: 7 },
  ]);
  repo.runs.push({
    billingPeriod: "2026-03",
    version: "v2",
    committedAt: "2026-03-10T06:00:00.000Z",
    items: 4,
    manifestKey: "cur/m.json",
  });
  repo.runs.push({
    billingPeriod: "2026-02",
    version: "v5",
    committedAt: "2026-03-05T06:00:00.000Z",
    items: 40,
    manifestKey: "cur/f.json",
  });
  for (const b of ["retail", "logistics"])
    repo.cards.set(`${b}#2026-03-P1`, {
      budgetId: b,
      periodId: "2026-03-P1",
      year: 2026,
      month: "2026-03",
      start: "2026-03-01",
      end: "2026-03-07",
      final: false,
      allowanceUsd: 7000,
      spendUsd: 120.5,
      varianceUsd: -6879.5,
      status: "within",
      topMovers: [],
      sourceVersion: "v2",
      generatedAt: "2026-03-09T06:00:00.000Z",
    });
  let id = 0;
  const directory = new MemoryDirectory([
    directoryUser("admin@example.com", ["Admins"]),
    directoryUser("bu-retail@example.com", ["BUManagers"]),
    // Owns "logistics" by email, but the email is not verified: no scope.
    directoryUser("bu-logistics@example.com", ["BUManagers"], false),
  ]);
  const deps: ApiDeps = {
    repo,
    users: directory,
    approvals: workflow,
    approvalThresholdUsd: 10_000,
    now: () => NOW,
    newId: () => `change-${String(++id).padStart(4, "0")}`,
  };
  return { deps, repo, workflow, directory };
}
