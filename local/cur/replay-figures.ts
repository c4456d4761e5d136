import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import { sumDecimals } from "../../functions/shared/decimal";
import { readCurrentSpend } from "../../functions/shared/spend-store";

/** One spend row as the API serves it, money as exact decimal strings. */
export interface ReplayRow {
  readonly accountId: string;
  readonly service: string;
  /** UTC day of line_item_usage_start_date. */
  readonly usageDate: string;
  /** Usage lines only (Credit, Tax and Refund are apart). */
  readonly unblendedCost: string;
  readonly netAmortizedCost: string;
  readonly credit: string;
  readonly tax: string;
  readonly refund: string;
  readonly lineItems: number;
}

/** A billing period's committed figures (`npm run cur:replay -- <dir> --json` prints one per period). */
export interface ReplayPeriodFigures {
  readonly billingPeriod: string;
  readonly lineItems: number;
  readonly totals: {
    readonly unblendedCost: string;
    readonly netAmortizedCost: string;
    readonly credit: string;
    readonly tax: string;
    readonly refund: string;
  };
  readonly rows: readonly ReplayRow[];
}

const MONEY = ["unblendedCost", "netAmortizedCost", "credit", "tax", "refund"] as const;

/**
 * The committed spend of each period, read back from the spend table as the API reads it, with
 * DynamoDB's numbers kept as their decimal text (wrapNumbers) and summed exactly.
 */
export async function committedFigures(o: {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  readonly periods: readonly string[];
}): Promise<ReplayPeriodFigures[]> {
  const names = new Names(o.config);
  const raw = new DynamoDBClient(
    await clientConfigForAccount(o.motoEndpoint, o.config.admin.id, o.config.admin.regions[0]!),
  );
  const ddb = DynamoDBDocumentClient.from(raw, { unmarshallOptions: { wrapNumbers: true } });
  const text = (v: unknown): string =>
    v === undefined || v === null ? "0" : typeof v === "object" && "value" in v ? String(v.value) : String(v);
  try {
    const out: ReplayPeriodFigures[] = [];
    for (const period of [...o.periods].sort()) {
      const items = (await readCurrentSpend(
        ddb,
        { spend: names.dataTable("spend"), runs: names.dataTable("ingestion-runs") },
        period,
      )) as unknown as Record<string, unknown>[];
      const rows: ReplayRow[] = items
        .map((i) => ({
          accountId: String(i.accountId),
          service: String(i.service),
          usageDate: String(i.usageDate),
          unblendedCost: sumDecimals([text(i.unblendedCost)]),
          netAmortizedCost: sumDecimals([text(i.netAmortizedCost)]),
          credit: sumDecimals([text(i.credit)]),
          tax: sumDecimals([text(i.tax)]),
          refund: sumDecimals([text(i.refund)]),
          lineItems: Number(text(i.lineItems)),
        }))
        .sort(
          (a, b) =>
            a.accountId.localeCompare(b.accountId) ||
            a.service.localeCompare(b.service) ||
            a.usageDate.localeCompare(b.usageDate),
        );
      const totals = Object.fromEntries(
        MONEY.map((m) => [m, sumDecimals(rows.map((r) => r[m]))]),
      ) as unknown as ReplayPeriodFigures["totals"];
      out.push({
        billingPeriod: period,
        lineItems: rows.reduce((a, r) => a + r.lineItems, 0),
        totals,
        rows,
      });
    }
    return out;
  } finally {
    raw.destroy();
  }
}

/** A short human summary of the committed figures: totals and the largest accounts. */
export function renderFigures(
  figures: readonly ReplayPeriodFigures[],
  accountNames: ReadonlyMap<string, string>,
): string {
  const lines: string[] = [];
  for (const f of figures) {
    const t = f.totals;
    lines.push(
      `${f.billingPeriod}: ${f.lineItems} line items; usage ${t.unblendedCost} unblended, ${t.netAmortizedCost} net amortized; credit ${t.credit}, tax ${t.tax}, refund ${t.refund} (USD)`,
    );
    const byAccount = new Map<string, string[]>();
    for (const r of f.rows)
      byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r.unblendedCost]);
    const ranked = [...byAccount.entries()]
      .map(([id, v]) => [id, sumDecimals(v)] as const)
      .sort((a, b) => Number(b[1]) - Number(a[1]));
    for (const [id, cost] of ranked.slice(0, 10))
      lines.push(`  ${id} ${accountNames.get(id) ?? ""}`.padEnd(48) + cost.padStart(18));
    if (ranked.length > 10) lines.push(`  ... and ${ranked.length - 10} more accounts`);
  }
  return lines.join("\n");
}
