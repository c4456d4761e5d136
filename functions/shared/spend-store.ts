import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { CURRENT_POINTER_SK, spendPartitionKey } from "../../contracts/tables";
import { queryAll } from "./ddb-paginate";

export { queryAll };

/** One spend item: account × service × day of a billing period (docs/data-platform.md). */
export interface SpendItem {
  readonly pk: string;
  readonly sk: string;
  readonly billingPeriod: string;
  readonly version: string;
  readonly accountId: string;
  readonly service: string;
  readonly usageDate: string;
  /** Usage only (credits, refunds and tax are apart). */
  readonly unblendedCost: number;
  readonly netUnblendedCost: number;
  readonly netAmortizedCost: number;
  readonly credit: number;
  readonly refund: number;
  readonly tax: number;
  readonly lineItems: number;
}

export interface CurrentPointer {
  readonly billingPeriod: string;
  readonly sk: string;
  readonly version: string;
  readonly runId: string;
  readonly manifestKey: string;
  readonly committedAt: string;
  readonly items: number;
  /**
   * Whether the committed delivery is the invoiced (final) month. Absent on pointers written before
   * the ingest recorded it; read as false (not final) until the month is delivered again.
   */
  readonly invoiced?: boolean;
}

export async function currentPointer(
  ddb: DynamoDBDocumentClient,
  runsTable: string,
  billingPeriod: string,
): Promise<CurrentPointer | undefined> {
  const out = await ddb.send(
    new GetCommand({
      TableName: runsTable,
      Key: { billingPeriod, sk: CURRENT_POINTER_SK },
      ConsistentRead: true,
    }),
  );
  return out.Item as CurrentPointer | undefined;
}

/** The committed spend of a billing period (empty when it was never ingested). */
export async function readCurrentSpend(
  ddb: DynamoDBDocumentClient,
  tables: { spend: string; runs: string },
  billingPeriod: string,
): Promise<SpendItem[]> {
  const pointer = await currentPointer(ddb, tables.runs, billingPeriod);
  if (!pointer) return [];
  return queryAll<SpendItem>(ddb, {
    TableName: tables.spend,
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": spendPartitionKey(billingPeriod, pointer.version) },
  });
}
