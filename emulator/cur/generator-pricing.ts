/**
 * Amounts of the CUR 2.0 generator: rounding (costs in rows have at most 6 decimals), the sample
 * month's commitments (a Compute Savings Plan and an EC2 RI) and its negotiated discounts.
 */

export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
export const r6 = (x: number): number => round(x, 6);

/** Partial Upfront Compute Savings Plan of the sample month, bought on the 1st at 00:00 UTC. */
export const SAVINGS_PLAN = {
  /** Commitment, USD per hour: half paid upfront (amortized), half recurring. */
  commitmentPerHour: 1.25,
  recurringPerHour: 0.625,
  upfrontPerHour: 0.625,
  /** Compute SP rate for m5.large: ~35 % off on demand. */
  rate: 0.062,
} as const;
/** Partial Upfront one-year EC2 RI (one m5.large) of the first account, bought on the 1st at 00:00 UTC. */
export const RESERVATION = { instances: 1, upfrontPerHour: 0.03, recurringPerHour: 0.03 } as const;
export const HOURS_PER_YEAR = 8760;
/** Negotiated discounts on on-demand Usage lines (written as separate discount line items). */
export const DISCOUNTS = {
  /** Share of EC2 data transfer out bundled free, in accounts with `bundled`. */
  bundledDataTransfer: 0.25,
  /** Private rate on Amazon S3, after the bundled discount. */
  privateRateS3: 0.1,
  /** Enterprise Discount Program, on what is left after the other two. */
  edp: 0.03,
} as const;
