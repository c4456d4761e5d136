/**
 * Line-item construction of the CUR 2.0 generator: one billing month of rows for the sample
 * organization (generator.ts's header describes every line item type it writes and why), from the
 * usage model (generator-usage.ts) and the sample commitments and discounts (generator-pricing.ts).
 */
import type { CurAccount } from "./generator-accounts";
import type { CurRow } from "./generator-columns";
import { type CurGroundTruth, computeGroundTruth } from "./generator-ground-truth";
import { DISCOUNTS, HOURS_PER_YEAR, RESERVATION, r6, round, SAVINGS_PLAN } from "./generator-pricing";
import { iso, MS_DAY, MS_HOUR, periodBounds, ts } from "./generator-time";
import { prng, REGION_LOCATION, USAGE, type UsageSpec, usageTypePrefix } from "./generator-usage";

export interface CurMonthOptions {
  /** Billing period YYYY-MM. */
  readonly billingPeriod: string;
  readonly payer: { readonly id: string; readonly name: string };
  /** Usage accounts (payer included if it has usage). */
  readonly accounts: readonly CurAccount[];
  /** PRNG seed. @default 1 */
  readonly seed?: number;
  /** @default "DAILY" */
  readonly granularity?: "DAILY" | "HOURLY";
  /** Export name: the folder below the prefix and the file name stem. */
  readonly exportName: string;
  /** Key prefix of the export in the bucket. */
  readonly s3Prefix: string;
  /** Bucket named in the manifest's dataFiles. @default "local-bucket" */
  readonly bucket?: string;
  /** Fill line_item_resource_id (the export's INCLUDE_RESOURCES). @default true */
  readonly includeResourceIds?: boolean;
}

/** Generates one month of CUR 2.0 rows and its ground truth. Pure and deterministic. */
export function generateCurMonth(options: CurMonthOptions): { rows: CurRow[]; groundTruth: CurGroundTruth } {
  const rand = prng(options.seed ?? 1);
  const granularity = options.granularity ?? "DAILY";
  const includeResources = options.includeResourceIds ?? true;
  const { start, end } = periodBounds(options.billingPeriod);
  if (options.accounts.length === 0) throw new Error("accounts: give at least one usage account");
  const step = granularity === "DAILY" ? MS_DAY : MS_HOUR;
  const perStep = granularity === "DAILY" ? 1 : 1 / 24;
  const hoursPerStep = step / MS_HOUR;
  const monthHours = (end - start) / MS_HOUR;
  const spArn = `arn:aws:savingsplans::${options.payer.id}:savingsplan/00000000-0000-4000-8000-${options.payer.id}`;
  const spRate = SAVINGS_PLAN.rate;
  let seq = 0;
  const nextId = (): string =>
    `${options.billingPeriod.replace("-", "")}${(++seq).toString(36).padStart(8, "0")}`;
  const rows: CurRow[] = [];

  const base = (accountId: string, accountName: string, from: number, to: number): CurRow => ({
    bill_bill_type: "Anniversary",
    bill_billing_entity: "AWS",
    bill_billing_period_start_date: ts(start),
    bill_billing_period_end_date: ts(end),
    bill_invoicing_entity: "Amazon Web Services, Inc.",
    bill_payer_account_id: options.payer.id,
    bill_payer_account_name: options.payer.name,
    identity_line_item_id: nextId(),
    identity_time_interval: `${iso(from)}/${iso(to)}`,
    line_item_currency_code: "USD",
    line_item_legal_entity: "Amazon Web Services, Inc.",
    line_item_usage_account_id: accountId,
    line_item_usage_account_name: accountName,
    line_item_usage_start_date: ts(from),
    line_item_usage_end_date: ts(to),
    pricing_currency: "USD",
  });
  const setCost = (row: CurRow, cost: number): void => {
    row.line_item_unblended_cost = cost;
    row.line_item_blended_cost = cost;
    row.line_item_net_unblended_cost = cost;
  };

  // Per account: share of EC2 instance hours covered by the Savings Plan; a scale for its size.
  const profile = options.accounts.map((a, i) => ({
    account: a,
    scale: round(0.5 + rand() * 2.5, 2),
    spCovered: i % 2 === 1 ? round(0.4 + rand() * 0.4, 2) : 0,
    credit: i % 3 === 2,
    /** A refund and a bundled discount on data transfer. */
    bundled: i % 3 === 1,
    /** The first account holds the reservation (in its first region). */
    reservation: i === 0,
  }));

  // Savings Plan commitment used per step (covered usage at the plan's rate), capped at the commitment.
  const spUsed = new Map<number, number>();
  let riUsedHours = 0;
  let riRegion: string | undefined;
  // Discount line items, one per account × service × step × type (AWS aggregates discounts by
  // member account and SKU), in the order the discounted lines were written.
  const discounts = new Map<
    string,
    { account: CurAccount; service: string; productName: string; t: number; type: string; amount: number }
  >();
  const discount = (
    account: CurAccount,
    u: UsageSpec,
    t: number,
    type: "BundledDiscount" | "EdpDiscount" | "PrivateRateDiscount",
    amount: number,
  ): void => {
    if (amount <= 0) return;
    const key = `${account.id}|${u.service}|${t}|${type}`;
    const d = discounts.get(key);
    if (d) d.amount += amount;
    else discounts.set(key, { account, service: u.service, productName: u.productName, t, type, amount });
  };

  for (const { account, scale, spCovered, bundled, reservation } of profile) {
    for (const [ri, region] of account.regions.entries()) {
      const regionScale = ri === 0 ? 1 : 0.35;
      const prefix = usageTypePrefix(region);
      const riArn = `arn:aws:ec2:${region}:${account.id}:reserved-instances/00000000-0000-4000-8000-${account.id}`;
      const hasRi = reservation && ri === 0;
      if (hasRi) riRegion = region;
      for (let t = start; t < end; t += step) {
        for (const [ui, u] of USAGE.entries()) {
          const [lo, hi] = u.perDay;
          const amount = round((lo + rand() * (hi - lo)) * scale * regionScale * perStep, 4);
          if (amount <= 0) continue;
          const usageType = `${prefix}${u.usageType}`;
          const line = (lineAmount: number): CurRow => {
            const row = base(account.id, account.name, t, t + step);
            const cost = r6(lineAmount * u.rate);
            Object.assign(row, {
              line_item_line_item_type: "Usage",
              line_item_line_item_description: u.description,
              line_item_operation: u.operation,
              line_item_product_code: u.service,
              line_item_usage_type: usageType,
              line_item_usage_amount: lineAmount,
              line_item_unblended_rate: String(u.rate),
              line_item_blended_rate: String(u.rate),
              line_item_net_unblended_rate: String(u.rate),
              line_item_availability_zone: u.instanceType ? `${region}a` : undefined,
              line_item_resource_id:
                includeResources && u.resource ? u.resource(account.id, region, ui) : undefined,
              pricing_public_on_demand_cost: cost,
              pricing_public_on_demand_rate: String(u.rate),
              pricing_term: "OnDemand",
              pricing_unit: u.unit,
              product: {
                product_name: u.productName,
                region: region,
                servicename: u.productName,
                ...(u.instanceType ? { instance_type: u.instanceType } : {}),
              },
              product_instance_type: u.instanceType,
              product_location: REGION_LOCATION[region] ?? region,
              product_location_type: "AWS Region",
              product_operation: u.operation,
              product_product_family: u.productFamily,
              product_region_code: region,
              product_servicecode: u.service,
              product_usagetype: usageType,
              resource_tags: { user_cost_center: `cc-${account.name}` },
            } satisfies CurRow);
            setCost(row, cost);
            return row;
          };
          let onDemand = amount;

          // Instance hours the reservation covers: DiscountedUsage, unblended 0 (the RI's rate), the
          // amortized upfront and recurring fee for the usage in the reservation columns.
          if (u.spEligible && hasRi) {
            const covered = round(Math.min(onDemand, RESERVATION.instances * hoursPerStep), 4);
            if (covered > 0) {
              const upfront = r6(covered * RESERVATION.upfrontPerHour);
              const recurring = r6(covered * RESERVATION.recurringPerHour);
              const row = line(covered);
              Object.assign(row, {
                line_item_line_item_type: "DiscountedUsage",
                line_item_line_item_description: `USD ${RESERVATION.recurringPerHour} hourly fee per Linux/UNIX (Amazon VPC), m5.large instance`,
                line_item_unblended_rate: "0",
                line_item_blended_rate: "0",
                line_item_net_unblended_rate: "0",
                pricing_term: "Reserved",
                pricing_purchase_option: "Partial Upfront",
                pricing_lease_contract_length: "1yr",
                pricing_offering_class: "standard",
                reservation_reservation_a_r_n: riArn,
                reservation_amortized_upfront_cost_for_usage: upfront,
                reservation_recurring_fee_for_usage: recurring,
                reservation_effective_cost: r6(upfront + recurring),
              } satisfies CurRow);
              setCost(row, 0);
              rows.push(row);
              riUsedHours = round(riUsedHours + covered, 4);
              onDemand = round(onDemand - covered, 4);
            }
          }

          // Instance hours the Savings Plan covers (up to the commitment left in the step):
          // SavingsPlanCoveredUsage at on-demand cost + its negation.
          if (u.spEligible && spCovered > 0 && onDemand > 0) {
            const left = r6(SAVINGS_PLAN.commitmentPerHour * hoursPerStep - (spUsed.get(t) ?? 0));
            let coveredAmount = Math.min(
              round(onDemand * spCovered, 4),
              Math.floor((left / spRate) * 1e4) / 1e4,
            );
            while (coveredAmount > 0 && r6(coveredAmount * spRate) > left)
              coveredAmount = round(coveredAmount - 0.0001, 4);
            if (coveredAmount > 0) {
              const effective = r6(coveredAmount * spRate);
              spUsed.set(t, r6((spUsed.get(t) ?? 0) + effective));
              const covered: CurRow = {
                ...line(coveredAmount),
                line_item_line_item_type: "SavingsPlanCoveredUsage",
                line_item_line_item_description: `${spRate} per hour for m5.large covered by Compute Savings Plan`,
                savings_plan_savings_plan_a_r_n: spArn,
                savings_plan_savings_plan_rate: spRate,
                savings_plan_savings_plan_effective_cost: effective,
                savings_plan_offering_type: "ComputeSavingsPlans",
                savings_plan_payment_option: "Partial Upfront",
                savings_plan_purchase_term: "1yr",
              };
              const negation: CurRow = {
                ...covered,
                identity_line_item_id: nextId(),
                line_item_line_item_type: "SavingsPlanNegation",
                line_item_line_item_description: `SavingsPlanNegation used by AccountId : ${account.id} and UsageSku : SAMPLE`,
                pricing_public_on_demand_cost: undefined,
                savings_plan_savings_plan_effective_cost: undefined,
              };
              setCost(negation, -(covered.line_item_unblended_cost as number));
              rows.push(covered, negation);
              onDemand = round(onDemand - coveredAmount, 4);
            }
          }

          // The rest at on-demand rates, less the negotiated discounts: the Usage line's net
          // unblended cost is after them, and each discount is also its own (negative) line item.
          if (onDemand > 0) {
            const row = line(onDemand);
            const cost = row.line_item_unblended_cost as number;
            const bundledOff =
              bundled && u.usageType === "DataTransfer-Out-Bytes"
                ? r6(cost * DISCOUNTS.bundledDataTransfer)
                : 0;
            const privateOff =
              u.service === "AmazonS3" ? r6((cost - bundledOff) * DISCOUNTS.privateRateS3) : 0;
            const edpOff = r6((cost - bundledOff - privateOff) * DISCOUNTS.edp);
            const net = r6(cost - bundledOff - privateOff - edpOff);
            row.line_item_net_unblended_cost = net;
            row.line_item_net_unblended_rate = String(round(net / onDemand, 10));
            discount(account, u, t, "BundledDiscount", bundledOff);
            discount(account, u, t, "PrivateRateDiscount", privateOff);
            discount(account, u, t, "EdpDiscount", edpOff);
            rows.push(row);
          }
        }
      }
    }
  }

  // Discount line items: negative unblended cost on the invoice; net unblended 0, since the
  // discounted lines' net cost already carries them; no blended cost for discounts.
  const DISCOUNT_DESCRIPTION: Record<string, string> = {
    BundledDiscount: "Bundled discount: data transfer out included with another service",
    PrivateRateDiscount: "Private rate discount",
    EdpDiscount: "Enterprise Discount Program discount",
  };
  for (const d of discounts.values()) {
    const row = base(d.account.id, d.account.name, d.t, d.t + step);
    Object.assign(row, {
      line_item_line_item_type: d.type,
      line_item_line_item_description: DISCOUNT_DESCRIPTION[d.type],
      line_item_product_code: d.service,
      line_item_usage_type: "",
      line_item_operation: "",
      product: { product_name: d.productName, servicename: d.productName },
      product_servicecode: d.service,
    } satisfies CurRow);
    setCost(row, -r6(d.amount));
    row.line_item_net_unblended_cost = 0;
    row.line_item_blended_cost = undefined;
    rows.push(row);
  }

  // The reservation: its upfront Fee at purchase (the 1st, bill type Purchase) and the month's RIFee
  // with the amortized upfront fee for the period and what the DiscountedUsage lines left unused.
  if (riRegion !== undefined) {
    const holder = profile.find((p) => p.reservation)!.account;
    const riArn = `arn:aws:ec2:${riRegion}:${holder.id}:reserved-instances/00000000-0000-4000-8000-${holder.id}`;
    const usageType = `${usageTypePrefix(riRegion)}HeavyUsage:m5.large`;
    const common = {
      line_item_product_code: "AmazonEC2",
      line_item_usage_type: usageType,
      line_item_operation: "RunInstances",
      product_servicecode: "AmazonEC2",
      product_product_family: "Compute Instance",
      product_region_code: riRegion,
      pricing_term: "Reserved",
      pricing_purchase_option: "Partial Upfront",
      pricing_lease_contract_length: "1yr",
      pricing_offering_class: "standard",
      reservation_reservation_a_r_n: riArn,
      reservation_start_time: iso(start),
      reservation_end_time: iso(start + HOURS_PER_YEAR * MS_HOUR),
      reservation_number_of_reservations: String(RESERVATION.instances),
      reservation_units_per_reservation: String(monthHours * RESERVATION.instances),
      reservation_total_reserved_units: String(monthHours * RESERVATION.instances),
      reservation_upfront_value: r6(RESERVATION.upfrontPerHour * HOURS_PER_YEAR * RESERVATION.instances),
      reservation_modification_status: "Original",
    } satisfies CurRow;
    const fee = base(holder.id, holder.name, start, end);
    Object.assign(fee, {
      ...common,
      bill_bill_type: "Purchase",
      line_item_line_item_type: "Fee",
      line_item_line_item_description:
        "Sign up charge for subscription: m5.large Linux/UNIX, 1 year Partial Upfront",
      line_item_usage_amount: RESERVATION.instances,
    } satisfies CurRow);
    setCost(fee, r6(RESERVATION.upfrontPerHour * HOURS_PER_YEAR * RESERVATION.instances));
    rows.push(fee);
    const reservedHours = monthHours * RESERVATION.instances;
    const unused = round(reservedHours - riUsedHours, 4);
    const riFee = base(holder.id, holder.name, start, end);
    Object.assign(riFee, {
      ...common,
      line_item_line_item_type: "RIFee",
      line_item_line_item_description: `USD ${RESERVATION.recurringPerHour} hourly fee per Linux/UNIX (Amazon VPC), m5.large instance`,
      line_item_usage_amount: reservedHours,
      reservation_amortized_upfront_fee_for_billing_period: r6(RESERVATION.upfrontPerHour * reservedHours),
      reservation_unused_quantity: unused,
      reservation_unused_amortized_upfront_fee_for_billing_period: r6(RESERVATION.upfrontPerHour * unused),
      reservation_unused_recurring_fee: r6(RESERVATION.recurringPerHour * unused),
    } satisfies CurRow);
    setCost(riFee, r6(RESERVATION.recurringPerHour * reservedHours));
    rows.push(riFee);
  }

  // The Savings Plan: its upfront fee at purchase (the 1st) and the recurring fee every day (or
  // hour), with the commitment to date (amortized upfront + recurring) and the part the covered
  // usage used.
  if (profile.some((p) => p.spCovered > 0)) {
    const sp = {
      line_item_product_code: "ComputeSavingsPlans",
      line_item_operation: "",
      line_item_resource_id: includeResources ? spArn : undefined,
      product_servicecode: "ComputeSavingsPlans",
      product_product_family: "Savings Plans",
      product_region_code: "",
      savings_plan_savings_plan_a_r_n: spArn,
      savings_plan_offering_type: "ComputeSavingsPlans",
      savings_plan_payment_option: "Partial Upfront",
      savings_plan_purchase_term: "1yr",
      savings_plan_start_time: iso(start),
      savings_plan_end_time: iso(start + HOURS_PER_YEAR * MS_HOUR),
    } satisfies CurRow;
    const upfront = base(options.payer.id, options.payer.name, start, end);
    Object.assign(upfront, {
      ...sp,
      bill_bill_type: "Purchase",
      line_item_line_item_type: "SavingsPlanUpfrontFee",
      line_item_line_item_description: "1 year Partial Upfront Compute Savings Plan upfront fee",
      line_item_usage_type: "ComputeSP:1yrPartialUpfront",
      line_item_usage_amount: 1,
    } satisfies CurRow);
    setCost(upfront, r6(SAVINGS_PLAN.upfrontPerHour * HOURS_PER_YEAR));
    rows.push(upfront);
    for (let t = start; t < end; t += step) {
      const row = base(options.payer.id, options.payer.name, t, t + step);
      Object.assign(row, {
        ...sp,
        line_item_line_item_type: "SavingsPlanRecurringFee",
        line_item_line_item_description: "1 year Partial Upfront Compute Savings Plan recurring fee",
        line_item_usage_type: "ComputeSP:1yrPartialUpfront",
        line_item_usage_amount: hoursPerStep,
        savings_plan_recurring_commitment_for_billing_period: r6(SAVINGS_PLAN.recurringPerHour * monthHours),
        savings_plan_amortized_upfront_commitment_for_billing_period: r6(
          SAVINGS_PLAN.upfrontPerHour * monthHours,
        ),
        savings_plan_total_commitment_to_date: r6(SAVINGS_PLAN.commitmentPerHour * hoursPerStep),
        savings_plan_used_commitment: r6(spUsed.get(t) ?? 0),
      } satisfies CurRow);
      setCost(row, r6(SAVINGS_PLAN.recurringPerHour * hoursPerStep));
      rows.push(row);
    }
  }

  // Monthly lines: credits on some accounts, a refund on others, tax per account and service.
  const usageByAccountService = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.line_item_usage_account_id}|${row.product_servicecode}`;
    usageByAccountService.set(
      key,
      (usageByAccountService.get(key) ?? 0) + (row.line_item_unblended_cost as number),
    );
  }
  for (const { account, credit } of profile) {
    if (!credit) continue;
    const amount = r6(-round(50 + rand() * 200, 2));
    const row = base(account.id, account.name, start, end);
    Object.assign(row, {
      line_item_line_item_type: "Credit",
      line_item_line_item_description: "AWS Promotional Credit",
      line_item_product_code: "AmazonEC2",
      line_item_usage_type: "",
      line_item_operation: "",
      product_servicecode: "AmazonEC2",
      product_product_family: "",
    } satisfies CurRow);
    setCost(row, amount);
    rows.push(row);
  }
  for (const { account, bundled } of profile) {
    if (!bundled) continue;
    const amount = r6(-round(5 + rand() * 20, 2));
    const row = base(account.id, account.name, start, end);
    Object.assign(row, {
      bill_bill_type: "Refund",
      line_item_line_item_type: "Refund",
      line_item_line_item_description: "Refund for Amazon S3 request charges",
      line_item_product_code: "AmazonS3",
      line_item_usage_type: "",
      line_item_operation: "",
      product_servicecode: "AmazonS3",
      product_product_family: "",
    } satisfies CurRow);
    setCost(row, amount);
    rows.push(row);
  }
  for (const [key, usage] of [...usageByAccountService.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [accountId, service] = key.split("|") as [string, string];
    if (usage <= 0 || service === "ComputeSavingsPlans") continue;
    const account = options.accounts.find((a) => a.id === accountId)!;
    const amount = r6(round(usage * 0.07, 2));
    const row = base(account.id, account.name, start, end);
    Object.assign(row, {
      line_item_line_item_type: "Tax",
      line_item_line_item_description: `Tax for product code ${service}`,
      line_item_product_code: service,
      line_item_tax_type: "Sales",
      line_item_usage_type: "",
      line_item_operation: "",
      product_servicecode: service,
    } satisfies CurRow);
    setCost(row, amount);
    rows.push(row);
  }

  return { rows, groundTruth: computeGroundTruth(options.billingPeriod, rows) };
}
