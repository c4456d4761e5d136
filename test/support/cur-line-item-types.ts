/**
 * Every line item type AWS writes in line_item_line_item_type (CUR 2.0 user guide, "Line item
 * columns", https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html),
 * sorted: what the sample month and the hand-computed SQL cases must each cover.
 */
export const CUR_LINE_ITEM_TYPES = [
  "BundledDiscount",
  "Credit",
  "DiscountedUsage",
  "EdpDiscount",
  "Fee",
  "PrivateRateDiscount",
  "RIFee",
  "Refund",
  "SavingsPlanCoveredUsage",
  "SavingsPlanNegation",
  "SavingsPlanRecurringFee",
  "SavingsPlanUpfrontFee",
  "Tax",
  "Usage",
] as const;
