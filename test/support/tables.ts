import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";

/**
 * Empties DynamoDB tables on the emulator, so an integration test that seeds its own rows does not
 * see rows another test file wrote into the same deployed tables (they share one emulated
 * organization and run one after another). Test-only: the landing never deletes table data.
 */
export async function emptyTables(ddb: DynamoDBDocumentClient, tableNames: readonly string[]): Promise<void> {
  for (const TableName of tableNames) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName }));
    const keys = (Table?.KeySchema ?? []).map((k) => k.AttributeName as string);
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await ddb.send(
        new ScanCommand({
          TableName,
          ExclusiveStartKey,
          ProjectionExpression: keys.map((_, i) => `#k${i}`).join(","),
          ExpressionAttributeNames: Object.fromEntries(keys.map((k, i) => [`#k${i}`, k])),
        }),
      );
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += 25) {
        await ddb.send(
          new BatchWriteCommand({
            RequestItems: {
              [TableName]: items.slice(i, i + 25).map((item) => ({
                DeleteRequest: { Key: Object.fromEntries(keys.map((k) => [k, item[k]])) },
              })),
            },
          }),
        );
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
