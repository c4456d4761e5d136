/** Every item of a DynamoDB Query or Scan, page after page (the SDK paginators). */
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
} from "@aws-sdk/lib-dynamodb";

export async function queryAll<T>(ddb: DynamoDBDocumentClient, input: QueryCommandInput): Promise<T[]> {
  const out: T[] = [];
  for await (const page of paginateQuery({ client: ddb }, input)) out.push(...((page.Items ?? []) as T[]));
  return out;
}

export async function scanAll<T>(ddb: DynamoDBDocumentClient, input: ScanCommandInput): Promise<T[]> {
  const out: T[] = [];
  for await (const page of paginateScan({ client: ddb }, input)) out.push(...((page.Items ?? []) as T[]));
  return out;
}
