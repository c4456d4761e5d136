/**
 * The DynamoDB adapter of the API's repository port, on the data platform's tables
 * and the application's own (contracts/tables.ts).
 * Every write that could race is conditional and maps a failed condition to ConflictError.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { CURRENT_POINTER_SK } from "../../contracts/tables";
import type { TableNames } from "../shared/app-tables-env";
import { queryAll as all, scanAll as scan } from "../shared/ddb-paginate";
import { readCurrentSpend } from "../shared/spend-store";
import type {
  Account,
  Allocation,
  Budget,
  BudgetChange,
  CardComment,
  IngestionStatus,
  SpendCard,
  SpendRow,
} from "./domain";
import { ConflictError, type FinOpsRepository } from "./repository";

export type { TableNames };

async function conditional<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException || e instanceof TransactionCanceledException)
      throw new ConflictError(message);
    if (
      (e as Error).name === "ConditionalCheckFailedException" ||
      (e as Error).name === "TransactionCanceledException"
    )
      throw new ConflictError(message);
    throw e;
  }
}

/** The budgets table's sort key `year` is a string attribute (contracts/tables.ts keys are all S). */
const budgetItem = (b: Budget) => ({ ...b, year: String(b.year) });
const budgetOf = (item: Record<string, unknown> | undefined): Budget | undefined =>
  item ? ({ ...item, year: Number(item.year) } as Budget) : undefined;

export class DynamoRepository implements FinOpsRepository {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly t: TableNames,
  ) {}

  async getAccount(accountId: string): Promise<Account | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.t.accounts, Key: { accountId } }));
    return out.Item as Account | undefined;
  }

  async listAccounts(filter: { allocationStatus?: Account["allocationStatus"] } = {}): Promise<Account[]> {
    if (filter.allocationStatus)
      return all<Account>(this.ddb, {
        TableName: this.t.accounts,
        IndexName: "byAllocationStatus",
        KeyConditionExpression: "allocationStatus = :s",
        ExpressionAttributeValues: { ":s": filter.allocationStatus },
      });
    const items = await scan<Account>(this.ddb, { TableName: this.t.accounts });
    return items.sort((a, b) => a.accountId.localeCompare(b.accountId));
  }

  async recordAllocation(entry: Allocation): Promise<void> {
    const account = entry.budgetId
      ? {
          UpdateExpression: "SET allocationStatus = :s, budgetId = :b",
          ExpressionAttributeValues: { ":s": "allocated", ":b": entry.budgetId },
        }
      : {
          UpdateExpression: "SET allocationStatus = :s REMOVE budgetId",
          ExpressionAttributeValues: { ":s": "unallocated" },
        };
    await conditional(
      () =>
        this.ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.t.allocations,
                  Item: entry,
                  ConditionExpression: "attribute_not_exists(accountId)",
                },
              },
              {
                Update: {
                  TableName: this.t.accounts,
                  Key: { accountId: entry.accountId },
                  ConditionExpression: "attribute_exists(accountId)",
                  ...account,
                },
              },
            ],
          }),
        ),
      `account ${entry.accountId} changed meanwhile or is not in the account list`,
    );
  }

  allocationHistory(accountId: string): Promise<Allocation[]> {
    return all<Allocation>(this.ddb, {
      TableName: this.t.allocations,
      KeyConditionExpression: "accountId = :a",
      ExpressionAttributeValues: { ":a": accountId },
      ConsistentRead: true,
    });
  }

  allocationsOfBudget(budgetId: string): Promise<Allocation[]> {
    return all<Allocation>(this.ddb, {
      TableName: this.t.allocations,
      IndexName: "byBudget",
      KeyConditionExpression: "budgetId = :b",
      ExpressionAttributeValues: { ":b": budgetId },
    });
  }

  async getBudget(budgetId: string, year: number): Promise<Budget | undefined> {
    const out = await this.ddb.send(
      new GetCommand({
        TableName: this.t.budgets,
        Key: { budgetId, year: String(year) },
        ConsistentRead: true,
      }),
    );
    return budgetOf(out.Item);
  }

  async listBudgets(filter: { year?: number } = {}): Promise<Budget[]> {
    const raw = await scan<Record<string, unknown>>(this.ddb, {
      TableName: this.t.budgets,
      ...(filter.year !== undefined
        ? {
            FilterExpression: "#y = :y",
            ExpressionAttributeNames: { "#y": "year" },
            ExpressionAttributeValues: { ":y": String(filter.year) },
          }
        : {}),
    });
    const items = raw.map((i) => budgetOf(i)!);
    return items.sort((a, b) => a.budgetId.localeCompare(b.budgetId) || a.year - b.year);
  }

  async createBudget(budget: Budget): Promise<void> {
    await conditional(
      () =>
        this.ddb.send(
          new PutCommand({
            TableName: this.t.budgets,
            Item: budgetItem(budget),
            ConditionExpression: "attribute_not_exists(budgetId)",
          }),
        ),
      `budget ${budget.budgetId} ${budget.year} exists`,
    );
  }

  async updateBudget(budget: Budget, expectedVersion: number): Promise<void> {
    await conditional(
      () =>
        this.ddb.send(
          new PutCommand({
            TableName: this.t.budgets,
            Item: budgetItem(budget),
            ConditionExpression: "#v = :v",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":v": expectedVersion },
          }),
        ),
      `budget ${budget.budgetId} ${budget.year} is no longer at version ${expectedVersion}`,
    );
  }

  async spendOfMonth(billingPeriod: string): Promise<SpendRow[]> {
    const items = await readCurrentSpend(
      this.ddb,
      { spend: this.t.spend, runs: this.t.ingestionRuns },
      billingPeriod,
    );
    return items.map((i) => ({
      accountId: i.accountId,
      service: i.service,
      usageDate: i.usageDate,
      unblendedCost: Number(i.unblendedCost),
    }));
  }

  async ingestionStatus(): Promise<IngestionStatus[]> {
    const items = await scan<IngestionStatus & { sk: string }>(this.ddb, {
      TableName: this.t.ingestionRuns,
      FilterExpression: "sk = :c",
      ExpressionAttributeValues: { ":c": CURRENT_POINTER_SK },
    });
    return items
      .map(({ billingPeriod, version, committedAt, items: n, manifestKey }) => ({
        billingPeriod,
        version,
        committedAt,
        items: Number(n),
        manifestKey,
      }))
      .sort((a, b) => b.billingPeriod.localeCompare(a.billingPeriod));
  }

  async getCard(budgetId: string, periodId: string): Promise<SpendCard | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.t.spendCards, Key: { budgetId, periodId }, ConsistentRead: true }),
    );
    return out.Item as SpendCard | undefined;
  }

  async listCards(filter: { budgetIds?: readonly string[]; periodId?: string }): Promise<SpendCard[]> {
    if (!filter.budgetIds)
      return scan<SpendCard>(this.ddb, {
        TableName: this.t.spendCards,
        ...(filter.periodId
          ? { FilterExpression: "periodId = :p", ExpressionAttributeValues: { ":p": filter.periodId } }
          : {}),
      });
    const perBudget = await Promise.all(
      filter.budgetIds.map((b) =>
        all<SpendCard>(this.ddb, {
          TableName: this.t.spendCards,
          KeyConditionExpression: filter.periodId ? "budgetId = :b AND periodId = :p" : "budgetId = :b",
          ExpressionAttributeValues: { ":b": b, ...(filter.periodId ? { ":p": filter.periodId } : {}) },
        }),
      ),
    );
    return perBudget.flat();
  }

  async setCardApproval(
    budgetId: string,
    periodId: string,
    approval: NonNullable<SpendCard["approval"]>,
  ): Promise<void> {
    await conditional(
      () =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.t.spendCards,
            Key: { budgetId, periodId },
            UpdateExpression: "SET approval = :a",
            ConditionExpression: "attribute_exists(budgetId) AND attribute_not_exists(approval)",
            ExpressionAttributeValues: { ":a": approval },
          }),
        ),
      `card ${budgetId} ${periodId} is approved already or does not exist`,
    );
  }

  async addCardComment(budgetId: string, periodId: string, comment: CardComment): Promise<void> {
    await conditional(
      () =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.t.spendCards,
            Key: { budgetId, periodId },
            UpdateExpression: "SET comments = list_append(if_not_exists(comments, :empty), :c)",
            ConditionExpression: "attribute_exists(budgetId)",
            ExpressionAttributeValues: { ":empty": [], ":c": [comment] },
          }),
        ),
      `card ${budgetId} ${periodId} does not exist`,
    );
  }

  async putBudgetChange(change: BudgetChange): Promise<void> {
    await this.ddb.send(new PutCommand({ TableName: this.t.budgetChanges, Item: change }));
  }

  async setChangeExecution(changeId: string, executionArn: string): Promise<void> {
    await conditional(
      () =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.t.budgetChanges,
            Key: { changeId },
            UpdateExpression: "SET executionArn = :a",
            ConditionExpression: "attribute_exists(changeId)",
            ExpressionAttributeValues: { ":a": executionArn },
          }),
        ),
      `no budget change ${changeId}`,
    );
  }

  async getBudgetChange(changeId: string): Promise<BudgetChange | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.t.budgetChanges, Key: { changeId }, ConsistentRead: true }),
    );
    return out.Item as BudgetChange | undefined;
  }

  async listBudgetChanges(filter: { status?: BudgetChange["status"] } = {}): Promise<BudgetChange[]> {
    const items = await scan<BudgetChange>(this.ddb, {
      TableName: this.t.budgetChanges,
      ConsistentRead: true,
      ...(filter.status
        ? {
            FilterExpression: "#s = :s",
            ExpressionAttributeNames: { "#s": "status" },
            ExpressionAttributeValues: { ":s": filter.status },
          }
        : {}),
    });
    return items.sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
  }

  async decideBudgetChange(
    changeId: string,
    outcome: Pick<BudgetChange, "status" | "decidedBy" | "decidedByEmail" | "decidedAt" | "decisionNote">,
  ): Promise<void> {
    const sets = Object.entries(outcome).filter(([, v]) => v !== undefined);
    await conditional(
      () =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.t.budgetChanges,
            Key: { changeId },
            UpdateExpression: `SET ${sets.map(([k]) => `#${k} = :${k}`).join(", ")}`,
            ConditionExpression: "#status = :pending",
            ExpressionAttributeNames: Object.fromEntries(sets.map(([k]) => [`#${k}`, k])),
            ExpressionAttributeValues: {
              ":pending": "pending",
              ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])),
            },
          }),
        ),
      `change ${changeId} is not pending`,
    );
  }

  /** Stores the task token of the waiting workflow step on a pending change (approvals function). */
  async setChangeTaskToken(changeId: string, taskToken: string): Promise<void> {
    await conditional(
      () =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.t.budgetChanges,
            Key: { changeId },
            UpdateExpression: "SET taskToken = :t",
            ConditionExpression: "#s = :pending",
            ExpressionAttributeNames: { "#s": "status" },
            ExpressionAttributeValues: { ":t": taskToken, ":pending": "pending" },
          }),
        ),
      `change ${changeId} is not pending`,
    );
  }
}
