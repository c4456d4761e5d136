import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BudgetChange } from "../api/domain";
import { DynamoRepository, type TableNames } from "../api/dynamo-repository";
import { ConflictError } from "../api/repository";
import type { ApprovalStore } from "./workflow";

export class DynamoApprovalStore extends DynamoRepository implements ApprovalStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly names: TableNames,
  ) {
    super(client, names);
  }

  async closeChange(
    changeId: string,
    from: BudgetChange["status"],
    fields: Partial<BudgetChange>,
  ): Promise<void> {
    const sets = Object.entries(fields).filter(([, v]) => v !== undefined);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.names.budgetChanges,
          Key: { changeId },
          UpdateExpression: `SET ${sets.map(([k]) => `#${k} = :${k}`).join(", ")} REMOVE taskToken`,
          ConditionExpression: "#status = :from",
          ExpressionAttributeNames: {
            "#status": "status",
            ...Object.fromEntries(sets.map(([k]) => [`#${k}`, k])),
          },
          ExpressionAttributeValues: {
            ":from": from,
            ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])),
          },
        }),
      );
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException")
        throw new ConflictError(`change ${changeId} is no longer ${from}`);
      throw e;
    }
  }
}
