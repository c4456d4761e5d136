import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DATA_TABLES, type DataTable, TABLE_DEFINITIONS } from "../contracts/tables";

/**
 * Creates the data platform's tables on the emulator with the SDK, from the same definitions the
 * Terraform module uses, under a test-only prefix (handler tests need no terraform apply).
 */
export async function createDataTables(
  ddb: DynamoDBClient,
  prefix: string,
): Promise<Record<DataTable, string>> {
  const names = {} as Record<DataTable, string>;
  for (const table of DATA_TABLES) {
    const def = TABLE_DEFINITIONS[table];
    const name = `${prefix}-${table}`;
    const attrs = [
      def.partitionKey,
      def.sortKey,
      ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ].filter((a): a is string => !!a);
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [...new Set(attrs)].map((a) => ({ AttributeName: a, AttributeType: "S" })),
        KeySchema: [
          { AttributeName: def.partitionKey, KeyType: "HASH" },
          ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: "RANGE" as const }] : []),
        ],
        ...(def.indexes.length
          ? {
              GlobalSecondaryIndexes: def.indexes.map((i) => ({
                IndexName: i.name,
                KeySchema: [
                  { AttributeName: i.partitionKey, KeyType: "HASH" as const },
                  ...(i.sortKey ? [{ AttributeName: i.sortKey, KeyType: "RANGE" as const }] : []),
                ],
                Projection: { ProjectionType: "ALL" as const },
              })),
            }
          : {}),
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName: name });
    if (def.ttlAttribute)
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
        }),
      );
    names[table] = name;
  }
  return names;
}
