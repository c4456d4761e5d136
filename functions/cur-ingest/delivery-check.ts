/**
 * The delivery check: one pass of DELIVERY_CHECK over the period's line items before anything is
 * written; the first bad line (file, line item, column, value) and the fix, or the line count and
 * whether the month is invoiced.
 */
import { CurDeliveryError } from "../shared/cur-delivery-error";
import {
  CHECK_SEPARATOR,
  DELIVERY_CHECK,
  DELIVERY_PROBLEMS,
  deliveryCheckParams,
  INVOICE_STATUS,
  MAX_LINE_AMOUNT,
} from "../shared/cur-queries";
import type { QueryEngine } from "../shared/query-engine/port";

/** What the delivery check found in a delivery it accepts. */
export interface DeliveryCheck {
  readonly lineItems: number;
  /** Every line item has a bill_invoice_id (the month is invoiced), as invoiceStatus. */
  readonly invoiced: boolean;
}

/** What a bad line of each DELIVERY_PROBLEMS entry gets: why, and the fix. */
function problemMessage(
  problem: string,
  column: string,
  value: string,
  period: string,
  [start, next]: readonly string[],
): string {
  const shown = value === "NULL" ? "NULL" : JSON.stringify(value);
  const range = `[${start}, ${next}) UTC`;
  switch (problem) {
    case "billing_period":
      return `${column} is ${shown}, not ${start} UTC, the first instant of billing period ${period} (the period of the manifest's BILLING_PERIOD= folder): the line item belongs to another billing period. Data Exports writes each period's line items under that period's folder; re-deliver the month (or take the other period's file out of this delivery), then re-run the ingest`;
    case "usage_start":
      return value === "NULL"
        ? `${column} is NULL; every line item has a usage start (the spend table's day): the file is corrupt, re-deliver the month, then re-run the ingest`
        : `${column} is ${shown}, outside billing period ${period} ${range} (a line item's usage starts within its billing period, the start included and the end excluded): the line item belongs to another month; re-deliver the month (or take the other period's file out of this delivery), then re-run the ingest`;
    case "account":
      return `${column} is ${shown}, not a 12-digit AWS account id; every line item names the account that used it: the file is corrupt, re-deliver the month, then re-run the ingest`;
    case "service":
      return `product_servicecode and line_item_product_code are both empty (NULL or ''; line_item_product_code is ${shown}); the line item has no service to count it under: the file is corrupt, re-deliver the month, then re-run the ingest`;
    default:
      return `${column} is ${shown}, not a finite amount of magnitude below ${MAX_LINE_AMOUNT}: no bill has such a line, and the month's sums must stay within what a DynamoDB Number stores exactly (38 significant digits); the file is corrupt or not CUR 2.0, re-deliver the month, then re-run the ingest`;
  }
}

/** How a check error names a line: its identity_line_item_id, else its row in the file, if known. */
function lineOf(id: string, row: string): string {
  if (id) return `line item ${id}`;
  if (row) return `row ${Number(row)}`;
  return "a line item without identity_line_item_id";
}

/**
 * Runs DELIVERY_CHECK (one pass over the period's line items) and throws a CurDeliveryError naming
 * the first bad line (its file where the engine knows it, its identity_line_item_id, the column and
 * the value) and the fix, with the count of lines like it and of any other problem; an empty
 * delivery is refused too. Returns the line count and whether the month is invoiced.
 */
export async function checkDelivery(engine: QueryEngine, period: string): Promise<DeliveryCheck> {
  const params = deliveryCheckParams(period);
  const [row] = await engine.query(DELIVERY_CHECK, params);
  const lineItems = Number(row?.line_items ?? 0);
  if (lineItems === 0)
    throw new CurDeliveryError(
      "dataFiles",
      `the files hold no line items for billing period ${period}; an empty delivery would erase the month: check the export, then re-run`,
    );
  const bounds = params.slice(0, 2).map((t) => `${t.replace(" ", "T")}Z`);
  const found = DELIVERY_PROBLEMS.map((p) => ({
    name: p.name,
    lines: Number(row?.[`${p.name}_lines`] ?? 0),
    first: String(row?.[`${p.name}_first`] ?? ""),
  })).filter((p) => p.lines > 0);
  const [first, ...others] = found;
  if (first) {
    const [file = "", id = "", row = "", column = "", value = ""] = first.first.split(CHECK_SEPARATOR);
    const where = `${file || "one of the delivery's files"} ${lineOf(id, row)} column ${column}`;
    const more = first.lines > 1 ? ` (${first.lines} line items like it)` : "";
    const also = others.length
      ? `. Also: ${others
          .map((o) => {
            const [f = "", i = "", r = "", c = ""] = o.first.split(CHECK_SEPARATOR);
            return `${o.lines} line item(s) with a bad ${c} (first: ${f || "one of the delivery's files"} ${lineOf(i, r)})`;
          })
          .join("; ")}`
      : "";
    throw new CurDeliveryError(
      where,
      `${problemMessage(first.name, column, value, period, bounds)}${more}${also}`,
    );
  }
  return { lineItems, invoiced: Number(row?.invoiced_line_items ?? 0) === lineItems };
}

/** Invoiced = the period has line items and every one carries an invoice id (INVOICE_STATUS). */
export async function invoiceStatus(engine: QueryEngine, period: string): Promise<boolean> {
  const [row] = await engine.query(INVOICE_STATUS, [period]);
  const total = Number(row?.line_items ?? 0);
  return total > 0 && Number(row?.invoiced_line_items ?? 0) === total;
}
