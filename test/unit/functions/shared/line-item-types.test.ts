import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeDelivery } from "../../../../emulator/cur/delivery";
import { type CurRow, curDeliveryColumns } from "../../../../emulator/cur/generator";
import {
  REQUIRED_CUR_COLUMNS,
  SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT,
} from "../../../../functions/shared/cur-queries";
import { sumDecimals } from "../../../../functions/shared/decimal";
import { DuckDbQueryEngine, localFetcher } from "../../../../functions/shared/query-engine/duckdb";
import { CUR2_COLUMNS } from "../../../../modules/payer/export-queries";
import { CUR_LINE_ITEM_TYPES } from "../../../support/cur-line-item-types";

/**
 * Every line item type AWS writes into CUR 2.0, hand-computed: small rows built here (not by the
 * generator), written as a Data Exports delivery, read by the ingest's SQL on DuckDB, and compared with
 * figures derived below from the CUR 2.0 user guide, exactly: the ingest's query returns each sum as
 * DECIMAL(38,6) text, compared with the hand-computed dollars written with 6 decimals. The generator and the emulator do not
 * define these semantics; the documents do:
 *
 * [LI]  "Line item columns" (line_item_line_item_type, line_item_unblended_cost, line_item_net_unblended_cost):
 *       https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html
 *       (the type list as the legacy CUR guide words it: https://docs.aws.amazon.com/cur/latest/userguide/Lineitem-columns.html)
 * [RES] "Reservation columns" (effective cost = amortized upfront cost for usage + recurring fee for usage;
 *       the RIFee line's unused amortized upfront fee and unused recurring fee):
 *       https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-reservation.html
 * [AMO] "Understanding your amortized reservation data" (one-time reservation costs distributed over the
 *       usage; effective costs on the usage lines, the unused part on the RIFee line):
 *       https://docs.aws.amazon.com/cur/latest/userguide/amortized-reservation.html
 * [SP]  "Understanding Savings Plans" (SavingsPlanUpfrontFee once at purchase; SavingsPlanRecurringFee
 *       per hour/day; SavingsPlanCoveredUsage at on-demand unblended cost, offset by SavingsPlanNegation;
 *       the covered usage's SavingsPlanEffectiveCost): https://docs.aws.amazon.com/cur/latest/userguide/cur-sp.html
 * [SPC] "Savings plan columns" (total_commitment_to_date, used_commitment, net_ columns):
 *       https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-savings-plan.html
 * [DIS] "Discount columns" (with manual discount compatibility, discounts are separate line items
 *       rather than the `discount` map): https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-discount.html
 * [BIL] "Bill columns" (bill_bill_type Anniversary / Purchase / Refund):
 *       https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html
 *
 * The three measures, per line:
 * - unblended: line_item_unblended_cost as written, every type but Credit, Tax and Refund (those are
 *   summed apart). Σ unblended over all lines is the invoice [LI].
 * - net unblended: line_item_net_unblended_cost (after discounts [LI]), NULL → unblended; discount lines
 *   (BundledDiscount, EdpDiscount, PrivateRateDiscount) 0, because the discounted lines' net columns
 *   already carry the discount: counting the discount line too would subtract it twice. So Σ net
 *   unblended = Σ unblended over all lines, each discount once.
 * - net amortized: covered usage at its (net) effective cost, commitment fee lines only for their unused
 *   part, upfront payments (Fee with an RI/SP ARN, SavingsPlanUpfrontFee) and negations 0 [AMO][SP][SPC];
 *   discount lines 0 as for net unblended.
 */

const PERIOD = "2026-01";
const HOURS_IN_JANUARY = 744;
const ri = "arn:aws:ec2:us-east-1:100000000000:reserved-instances/11111111-2222-3333-4444-555555555555";
const sp = "arn:aws:savingsplans::100000000000:savingsplan/66666666-7777-8888-9999-000000000000";

const row = (
  account: string,
  type: string,
  from: string,
  to: string,
  cost: number,
  extra: CurRow = {},
): CurRow => ({
  bill_bill_type: "Anniversary",
  bill_billing_period_start_date: "2026-01-01 00:00:00",
  bill_billing_period_end_date: "2026-02-01 00:00:00",
  bill_payer_account_id: "100000000000",
  line_item_usage_account_id: account,
  line_item_line_item_type: type,
  line_item_usage_start_date: from,
  line_item_usage_end_date: to,
  line_item_product_code: "AmazonEC2",
  product_servicecode: "AmazonEC2",
  line_item_unblended_cost: cost,
  ...extra,
});
const DAY5 = ["2026-01-05 00:00:00", "2026-01-06 00:00:00"] as const;
const MONTH = ["2026-01-01 00:00:00", "2026-02-01 00:00:00"] as const;

interface Case {
  type: string;
  what: string;
  rows: CurRow[];
  /** Hand-computed, in dollars: how each follows from the definitions is in `why`. */
  unblended: number;
  netUnblended: number;
  netAmortized: number;
  credit?: number;
  refund?: number;
  tax?: number;
  why: string;
}

// One account per case, so each group of the query's account × service × day holds one case.
const cases: Case[] = [
  {
    type: "Usage",
    what: "10 h m5.large on demand at $0.096, a private rate of 10 % and EDP of 3 % on the rest",
    rows: [
      row("100000000001", "Usage", ...DAY5, 0.96, {
        line_item_usage_amount: 10,
        line_item_net_unblended_cost: 0.83808,
      }),
    ],
    unblended: 0.96,
    netUnblended: 0.83808,
    netAmortized: 0.83808,
    why: "unblended = 10 × 0.096 = 0.96 [LI]; net = 0.96 − 0.096 (10 %) − 0.02592 (3 % of 0.864) = 0.83808 [LI]; no commitment, so net amortized = net unblended",
  },
  {
    type: "PrivateRateDiscount",
    what: "the private rate line of the Usage case, its net column written as its unblended (worst case)",
    rows: [
      row("100000000002", "PrivateRateDiscount", ...DAY5, -0.096, { line_item_net_unblended_cost: -0.096 }),
    ],
    unblended: -0.096,
    netUnblended: 0,
    netAmortized: 0,
    why: "unblended −0.096 is on the invoice [LI][DIS]; the discount is already in the discounted Usage line's net cost, so 0 in both net columns whatever AWS writes in this line's net column",
  },
  {
    type: "EdpDiscount",
    what: "the EDP line of the Usage case, net column 0",
    rows: [row("100000000003", "EdpDiscount", ...DAY5, -0.02592, { line_item_net_unblended_cost: 0 })],
    unblended: -0.02592,
    netUnblended: 0,
    netAmortized: 0,
    why: "3 % of (0.96 − 0.096) = 0.02592, negative [LI][DIS]; 0 in the net columns (already in the Usage line's net cost)",
  },
  {
    type: "BundledDiscount",
    what: "5 GB of data transfer bundled free (net column NULL)",
    rows: [row("100000000004", "BundledDiscount", ...DAY5, -0.45)],
    unblended: -0.45,
    netUnblended: 0,
    netAmortized: 0,
    why: "5 × 0.09 = 0.45, negative [DIS]; 0 in the net columns, the bundled Usage line's net cost is already 0",
  },
  {
    type: "DiscountedUsage",
    what: "20 h m5.large covered by a Partial Upfront RI ($0.03/h amortized upfront + $0.03/h recurring), 3 % EDP on the effective cost",
    rows: [
      row("100000000005", "DiscountedUsage", ...DAY5, 0, {
        line_item_usage_amount: 20,
        line_item_net_unblended_cost: 0,
        pricing_public_on_demand_cost: 1.92,
        reservation_reservation_a_r_n: ri,
        reservation_amortized_upfront_cost_for_usage: 0.6,
        reservation_recurring_fee_for_usage: 0.6,
        reservation_effective_cost: 1.2,
        reservation_net_effective_cost: 1.164,
      }),
    ],
    unblended: 0,
    netUnblended: 0,
    netAmortized: 1.164,
    why: "RI-covered usage has unblended rate 0 [LI]; effective = 20 × 0.03 + 20 × 0.03 = 1.20 [RES], net effective 1.20 × 0.97 = 1.164 (the net column wins)",
  },
  {
    type: "RIFee",
    what: "the RI's January fee: 744 h × $0.03 recurring, 44 of the 744 reserved hours unused",
    rows: [
      row("100000000006", "RIFee", ...MONTH, 22.32, {
        line_item_usage_amount: HOURS_IN_JANUARY,
        reservation_reservation_a_r_n: ri,
        reservation_amortized_upfront_fee_for_billing_period: 22.32,
        reservation_unused_quantity: 44,
        reservation_unused_recurring_fee: 1.32,
        reservation_unused_amortized_upfront_fee_for_billing_period: 1.32,
      }),
    ],
    unblended: 22.32,
    netUnblended: 22.32,
    netAmortized: 2.64,
    why: "unblended = 744 × 0.03 = 22.32 [LI]; amortized: only the unused part, 44 × 0.03 upfront + 44 × 0.03 recurring = 2.64 [RES][AMO] (the used 700 h are on DiscountedUsage lines)",
  },
  {
    type: "Fee",
    what: "the RI's upfront payment (reservation ARN set; bill type Purchase)",
    rows: [
      row("100000000007", "Fee", ...MONTH, 262.8, {
        bill_bill_type: "Purchase",
        reservation_reservation_a_r_n: ri,
      }),
    ],
    unblended: 262.8,
    netUnblended: 262.8,
    netAmortized: 0,
    why: "upfront = 8760 h × 0.03 = 262.80, invoiced once [LI][BIL]; amortized 0: it is spread onto the DiscountedUsage effective cost and the RIFee unused part [AMO]",
  },
  {
    type: "Fee",
    what: "a one-time fee with no commitment (a domain registration)",
    rows: [
      row("100000000008", "Fee", ...MONTH, 13, {
        line_item_product_code: "AmazonRoute53",
        product_servicecode: "AmazonRoute53",
        line_item_net_unblended_cost: 13,
      }),
    ],
    unblended: 13,
    netUnblended: 13,
    netAmortized: 13,
    why: "nothing to amortize it over: all three are the fee [LI]",
  },
  {
    type: "SavingsPlanCoveredUsage",
    what: "10 h m5.large covered by a Compute Savings Plan at $0.062/h (net effective column NULL)",
    rows: [
      row("100000000009", "SavingsPlanCoveredUsage", ...DAY5, 0.96, {
        line_item_usage_amount: 10,
        savings_plan_savings_plan_a_r_n: sp,
        savings_plan_savings_plan_rate: 0.062,
        savings_plan_savings_plan_effective_cost: 0.62,
      }),
    ],
    unblended: 0.96,
    netUnblended: 0.96,
    netAmortized: 0.62,
    why: "unblended = the on-demand cost 10 × 0.096 = 0.96 [SP]; amortized = effective cost 10 × 0.062 = 0.62 [SP][SPC]",
  },
  {
    type: "SavingsPlanNegation",
    what: "the negation of that covered usage",
    rows: [
      row("100000000010", "SavingsPlanNegation", ...DAY5, -0.96, {
        line_item_net_unblended_cost: -0.96,
        savings_plan_savings_plan_a_r_n: sp,
      }),
    ],
    unblended: -0.96,
    netUnblended: -0.96,
    netAmortized: 0,
    why: "offsets the covered line's unblended cost [SP]: −0.96 unblended and net; 0 amortized",
  },
  {
    type: "SavingsPlanRecurringFee",
    what: "one day of a Partial Upfront plan committing $1.25/h: $0.625/h recurring, $0.625/h amortized upfront; $0.62 used",
    rows: [
      row("100000000011", "SavingsPlanRecurringFee", ...DAY5, 15, {
        line_item_product_code: "ComputeSavingsPlans",
        product_servicecode: "ComputeSavingsPlans",
        savings_plan_savings_plan_a_r_n: sp,
        savings_plan_total_commitment_to_date: 30,
        savings_plan_used_commitment: 0.62,
      }),
    ],
    unblended: 15,
    netUnblended: 15,
    netAmortized: 29.38,
    why: "unblended = 24 × 0.625 = 15 [SP]; amortized = total commitment to date 24 × 1.25 = 30 − used 0.62 = 29.38 [SPC]",
  },
  {
    type: "SavingsPlanUpfrontFee",
    what: "that plan's upfront payment, 8760 h × $0.625",
    rows: [
      row("100000000012", "SavingsPlanUpfrontFee", ...MONTH, 5475, {
        bill_bill_type: "Purchase",
        line_item_product_code: "ComputeSavingsPlans",
        product_servicecode: "ComputeSavingsPlans",
        savings_plan_savings_plan_a_r_n: sp,
      }),
    ],
    unblended: 5475,
    netUnblended: 5475,
    netAmortized: 0,
    why: "invoiced once at purchase [SP]; amortized 0: it is in the recurring fee lines' total commitment to date [SPC]",
  },
  {
    type: "Credit",
    what: "a promotional credit",
    rows: [row("100000000013", "Credit", ...MONTH, -50)],
    unblended: 0,
    netUnblended: 0,
    netAmortized: 0,
    credit: -50,
    why: "summed apart in `credit`, not in usage",
  },
  {
    type: "Refund",
    what: "a refund",
    rows: [row("100000000014", "Refund", ...MONTH, -12.34, { bill_bill_type: "Refund" })],
    unblended: 0,
    netUnblended: 0,
    netAmortized: 0,
    refund: -12.34,
    why: "summed apart in `refund` [BIL]",
  },
  {
    type: "Tax",
    what: "sales tax",
    rows: [row("100000000015", "Tax", ...MONTH, 7.07, { line_item_tax_type: "Sales" })],
    unblended: 0,
    netUnblended: 0,
    netAmortized: 0,
    tax: 7.07,
    why: "summed apart in `tax`",
  },
];

/**
 * Scenarios in one account × service × day: a discounted line and its discount lines together, so
 * the discount counts exactly once in each measure.
 */
const scenario: CurRow[] = [
  // The Usage, PrivateRateDiscount, EdpDiscount cases together, plus 5 GB bundled free.
  row("100000000020", "Usage", ...DAY5, 0.96, { line_item_net_unblended_cost: 0.83808 }),
  row("100000000020", "Usage", ...DAY5, 0.45, { line_item_net_unblended_cost: 0 }),
  row("100000000020", "PrivateRateDiscount", ...DAY5, -0.096, { line_item_net_unblended_cost: 0 }),
  row("100000000020", "EdpDiscount", ...DAY5, -0.02592, { line_item_net_unblended_cost: 0 }),
  row("100000000020", "BundledDiscount", ...DAY5, -0.45, { line_item_net_unblended_cost: 0 }),
];

let dir: string;
let result: Record<string, string | number | boolean | null>[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-lit-"));
  const rows = [...cases.flatMap((c) => c.rows), ...scenario];
  const delivery = await writeDelivery(rows, curDeliveryColumns(), {
    billingPeriod: PERIOD,
    payerId: "100000000000",
    exportName: "finops-cur2",
    s3Prefix: "cur",
    outDir: dir,
  });
  const engine = new DuckDbQueryEngine({ fetch: localFetcher(dir), threads: 1 });
  try {
    await engine.attach({
      billingPeriod: PERIOD,
      bucket: "local",
      dataKeys: [delivery.dataKey],
      columns: delivery.manifest.columns,
    });
    result = await engine.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, [PERIOD]);
  } finally {
    await engine.close();
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Hand-computed dollars as the exact DECIMAL(38,6) text the query returns (all have ≤ 6 decimals). */
const usd = (x: number): string => x.toFixed(6);
const got = (account: string) => result.filter((r) => r.account_id === account);
/** The exact sum of a money column over rows (DECIMAL(38,6) text), as decimal text. */
const sum = (rows: typeof result, field: string) => sumDecimals(rows.map((r) => r[field] as string));

describe("SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT per CUR 2.0 line item type, hand-computed", () => {
  it("covers all 14 line item types AWS writes", () => {
    expect([...new Set(cases.map((c) => c.type))].sort()).toEqual([...CUR_LINE_ITEM_TYPES]);
  });

  it("reads only columns the ingest requires of an export (an RI/SP ARN decides a Fee)", () => {
    for (const c of cases)
      for (const r of c.rows)
        for (const k of Object.keys(r))
          if (k.startsWith("reservation_reservation") || k.startsWith("savings_plan_savings_plan_a"))
            expect(REQUIRED_CUR_COLUMNS).toContain(k);
    // and the payer's export selects every column the ingest requires.
    for (const c of REQUIRED_CUR_COLUMNS) expect(CUR2_COLUMNS).toContain(c);
  });

  it.each(cases.map((c, i) => ({ ...c, account: c.rows[0]!.line_item_usage_account_id as string, i })))(
    "$type ($what): unblended $unblended, net unblended $netUnblended, net amortized $netAmortized",
    (c) => {
      const rows = got(c.account);
      expect(rows).toHaveLength(1);
      const r = rows[0]!;
      expect({
        unblended: r.unblended_cost,
        netUnblended: r.net_unblended_cost,
        netAmortized: r.net_amortized_cost,
        credit: r.credit,
        refund: r.refund,
        tax: r.tax,
      }).toEqual({
        unblended: usd(c.unblended),
        netUnblended: usd(c.netUnblended),
        netAmortized: usd(c.netAmortized),
        credit: usd(c.credit ?? 0),
        refund: usd(c.refund ?? 0),
        tax: usd(c.tax ?? 0),
      });
      expect(Number(r.line_items)).toBe(c.rows.length);
    },
  );

  it("counts each discount once: with its discounted lines, net unblended = unblended = the after-discount invoice", () => {
    const [r] = got("100000000020");
    // unblended: 0.96 + 0.45 − 0.096 − 0.02592 − 0.45 = 0.83808 (the invoice, discount lines included)
    // net unblended: 0.83808 + 0 (the bundled line's net) + 0 + 0 + 0 = 0.83808
    expect(r!.unblended_cost).toBe(usd(0.83808));
    expect(r!.net_unblended_cost).toBe(usd(0.83808));
    expect(r!.net_amortized_cost).toBe(usd(0.83808));
  });

  it("amortizes each commitment to its cost for the period, not its cash", () => {
    // RI: 20 h used at 1.164 net effective + 2.64 unused; the 262.80 upfront and 22.32 fee are cash.
    const riAccounts = ["100000000005", "100000000006", "100000000007"];
    const riRows = result.filter((r) => riAccounts.includes(r.account_id as string));
    expect(sum(riRows, "net_amortized_cost")).toBe(usd(1.164 + 2.64));
    expect(sum(riRows, "unblended_cost")).toBe(usd(262.8 + 22.32));
    // Savings Plan day: covered 0.62 + unused 29.38 = the day's commitment 24 × 1.25 = 30.
    const spAccounts = ["100000000009", "100000000010", "100000000011", "100000000012"];
    const spRows = result.filter((r) => spAccounts.includes(r.account_id as string));
    expect(sum(spRows, "net_amortized_cost")).toBe(usd(30));
    // Cash: covered + negation cancel; the recurring fee and the upfront payment are invoiced.
    expect(sum(spRows, "unblended_cost")).toBe(usd(15 + 5475));
  });

  it("keeps the invoice: usage unblended + credit + refund + tax = Σ line_item_unblended_cost", () => {
    const all = [...cases.flatMap((c) => c.rows), ...scenario];
    const invoice = sumDecimals(all.map((r) => r.line_item_unblended_cost as number));
    const total = sumDecimals(
      ["unblended_cost", "credit", "refund", "tax"].map((field) => sum(result, field)),
    );
    expect(total).toBe(invoice);
    expect(result.reduce((a, r) => a + Number(r.line_items), 0)).toBe(all.length);
  });
});
