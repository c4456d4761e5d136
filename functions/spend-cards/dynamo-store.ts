import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Budget, SpendCard } from "../api/domain";
import { DynamoRepository, type TableNames } from "../api/dynamo-repository";
import { currentPointer } from "../shared/spend-store";
import type { CardStore } from "./run";

/** The spend-card run's storage on DynamoDB (the API's repository plus the idempotent card write). */
export class DynamoCardStore implements CardStore {
  private readonly repo: DynamoRepository;

  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {
    this.repo = new DynamoRepository(ddb, tables);
  }

  listBudgets(year: number): Promise<Budget[]> {
    return this.repo.listBudgets({ year });
  }

  async spendOfMonth(month: string) {
    const pointer = await currentPointer(this.ddb, this.tables.ingestionRuns, month);
    if (!pointer) return undefined;
    return { version: pointer.version, rows: await this.repo.spendOfMonth(month) };
  }

  allocationHistory(accountId: string) {
    return this.repo.allocationHistory(accountId);
  }

  async putCard(card: Omit<SpendCard, "approval" | "comments">): Promise<boolean> {
    const { budgetId, periodId, ...fields } = card;
    const entries = Object.entries(fields);
    // Rewrite when new, when the data changed, or when a provisional card becomes final; never
    // replace a final card with a provisional one, never touch approval or comments.
    const condition = card.final
      ? "attribute_not_exists(budgetId) OR #final = :false OR #sourceVersion <> :sourceVersion"
      : "attribute_not_exists(budgetId) OR (#final = :false AND #sourceVersion <> :sourceVersion)";
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tables.spendCards,
          Key: { budgetId, periodId },
          UpdateExpression: `SET ${entries.map(([k]) => `#${k} = :${k}`).join(", ")}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k]) => [`#${k}`, k])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])),
            ":false": false,
          },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }
}
