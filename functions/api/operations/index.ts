/**
 * The API operations, one module per resource. The router imports each module directly; this
 * index exists for the other functions that reuse a rule of the API (approvals applies a budget
 * patch with `applyPatch`, spend-cards attributes spend with `budgetAt`).
 */
export { applyPatch, needsApproval } from "./budgets";
export type { Result } from "./common";
export { budgetAt } from "./spend";
