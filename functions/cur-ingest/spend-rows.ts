/**
 * The spend query's rows as the ingest writes them: each row checked (12-digit account, a service,
 * a day, money as exact decimal text a DynamoDB Number holds), money kept as NumberValue.
 */
import type { NumberValue } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { plainDecimal } from "../shared/decimal";
import type { SpendItem } from "../shared/spend-store";

/**
 * A DynamoDB Number holds up to 38 significant digits, magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
 * Whether a plain decimal text is one, exactly.
 */
export function fitsDynamoNumber(text: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return false;
  const digits = `${m[1]}${m[2] ?? ""}`.replace(/^0+/, "").replace(/0+$/, "");
  if (digits === "") return true; // zero
  const integer = m[1]!.replace(/^0+/, "");
  if (integer.length > 126) return false;
  return digits.length <= 38;
}

/**
 * A money column of the spend query: the exact decimal text the SQL computed (DECIMAL(38,6)), or a
 * finite number (an engine that returns doubles), as the plain decimal text written to DynamoDB.
 */
const money = z
  .union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()], {
    error: "must be a decimal number (the spend query's DECIMAL(38,6))",
  })
  .transform((v) => plainDecimal(v))
  .refine(fitsDynamoNumber, {
    error:
      "has more than 38 significant digits or is beyond 9.99E+125: a DynamoDB Number cannot hold it exactly",
  });
export const spendRowSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/, { error: "must be a 12-digit line_item_usage_account_id" }),
  service: z.string({ error: "is empty in product_servicecode and line_item_product_code" }).min(1),
  usage_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date (line_item_usage_start_date)" }),
  unblended_cost: money,
  net_unblended_cost: money,
  net_amortized_cost: money,
  credit: money,
  refund: money,
  tax: money,
  line_items: z.coerce.number().int(),
});

/** A spend item as the ingest writes it: SpendItem with each money attribute an exact NumberValue. */
export type SpendWriteItem = {
  [K in keyof SpendItem]: SpendItem[K] extends number
    ? K extends "lineItems"
      ? number
      : NumberValue
    : SpendItem[K];
};
