import type { Group } from "../../contracts/api";
import type {
  Account,
  Allocation,
  Budget,
  BudgetChange,
  CardComment,
  DirectoryUser,
  IngestionStatus,
  SpendCard,
  SpendRow,
} from "./domain";

/**
 * The storage port of the API operations. The DynamoDB adapter (dynamo-repository.ts) implements it
 * on the data platform's tables; unit tests use an in-memory implementation with the same contract.
 * Writes that can conflict say so with a `ConflictError` (a failed condition), never silently.
 */
export interface FinOpsRepository {
  getAccount(accountId: string): Promise<Account | undefined>;
  /** Every account, or only those with the given allocation status. */
  listAccounts(filter?: { allocationStatus?: Account["allocationStatus"] }): Promise<Account[]>;
  /**
   * Records a mapping change: appends the history entry and sets the account's current budget
   * (undefined = unallocated) in one transaction.
   */
  recordAllocation(entry: Allocation): Promise<void>;
  /** An account's mapping history, oldest first. */
  allocationHistory(accountId: string): Promise<Allocation[]>;
  /** History entries that mapped an account to the budget, oldest first. */
  allocationsOfBudget(budgetId: string): Promise<Allocation[]>;

  getBudget(budgetId: string, year: number): Promise<Budget | undefined>;
  listBudgets(filter?: { year?: number }): Promise<Budget[]>;
  /** Creates a budget; ConflictError when (budgetId, year) exists. */
  createBudget(budget: Budget): Promise<void>;
  /** Replaces a budget if its stored version is `expectedVersion`; ConflictError otherwise. */
  updateBudget(budget: Budget, expectedVersion: number): Promise<void>;

  /** The committed spend rows of a billing period (YYYY-MM); empty if never ingested. */
  spendOfMonth(billingPeriod: string): Promise<SpendRow[]>;
  /** The committed version of every ingested billing period, newest period first. */
  ingestionStatus(): Promise<IngestionStatus[]>;

  getCard(budgetId: string, periodId: string): Promise<SpendCard | undefined>;
  listCards(filter: { budgetIds?: readonly string[]; periodId?: string }): Promise<SpendCard[]>;
  setCardApproval(
    budgetId: string,
    periodId: string,
    approval: NonNullable<SpendCard["approval"]>,
  ): Promise<void>;
  addCardComment(budgetId: string, periodId: string, comment: CardComment): Promise<void>;

  putBudgetChange(change: BudgetChange): Promise<void>;
  /**
   * Records the workflow execution of a stored change, leaving every other field as it is: the
   * workflow's first step may already have stored its task token on the change.
   */
  setChangeExecution(changeId: string, executionArn: string): Promise<void>;
  getBudgetChange(changeId: string): Promise<BudgetChange | undefined>;
  listBudgetChanges(filter?: { status?: BudgetChange["status"] }): Promise<BudgetChange[]>;
  /** Sets a pending change's outcome; ConflictError if it is no longer pending. */
  decideBudgetChange(
    changeId: string,
    outcome: Pick<BudgetChange, "status" | "decidedBy" | "decidedByEmail" | "decidedAt" | "decisionNote">,
  ): Promise<void>;
}

/** The user directory (the Cognito user pool). */
export interface UserDirectory {
  listUsers(): Promise<DirectoryUser[]>;
  /**
   * Invites a user: creates them with this verified email (the pool signs in by email) and a
   * temporary password the pool sends by email. ConflictError when a user has that email.
   */
  createUser(email: string): Promise<DirectoryUser>;
  /** The FinOps groups of a user by Cognito username; undefined when no such user. */
  groupsOf(username: string): Promise<Group[] | undefined>;
  addToGroup(username: string, group: Group): Promise<void>;
  removeFromGroup(username: string, group: Group): Promise<void>;
}

/** The approval workflow (Step Functions): starts executions and completes their waiting step. */
export interface ApprovalWorkflow {
  /** Starts the workflow for a stored change; returns the execution ARN. */
  start(change: { changeId: string }): Promise<string>;
  /** Completes the waiting "await decision" step with the FinancialAdmin's decision (`by`: their `sub`). */
  complete(
    taskToken: string,
    decision: { decision: "approve" | "reject"; by: string; note?: string },
  ): Promise<void>;
}

/** A conditional write lost against a concurrent or existing record. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/** Everything the operations depend on; handler.ts builds it once per container. */
export interface ApiDeps {
  readonly repo: FinOpsRepository;
  readonly users: UserDirectory;
  readonly approvals: ApprovalWorkflow;
  /** Budget amount changes whose absolute size exceeds this go through approval, USD. */
  readonly approvalThresholdUsd: number;
  /**
   * Member budgets of the accounts config, account id → monthly USD (config-budgets.ts): an
   * application budget may not hold less than its accounts' configured annual amounts. @default none
   */
  readonly configBudgets?: ReadonlyMap<string, number>;
  /**
   * Environment of the accounts config's members, account id → environment
   * (contracts/member-config.ts): what GET /spend?environment= filters by. @default none
   */
  readonly configEnvironments?: ReadonlyMap<string, string>;
  readonly now: () => Date;
  readonly newId: () => string;
}
