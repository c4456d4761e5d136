import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { PlanInput, PlanStackInfo } from "../../../deploy/plan-summary";

export const PLANS = path.join(__dirname, "../../fixtures/plans");

/** A plan fixture by path below test/fixtures/plans, e.g. "recorded/mixed-actions". */
export function loadPlan(name: string): unknown {
  return JSON.parse(readFileSync(path.join(PLANS, `${name}.json`), "utf8"));
}

export const STACKS: Record<string, PlanStackInfo> = Object.fromEntries(
  (JSON.parse(readFileSync(path.join(PLANS, "stacks.json"), "utf8")) as PlanStackInfo[]).map((s) => [
    s.stack,
    s,
  ]),
);

/** The derived AWS-typed plan of a stack, paired with its stack info. */
export function stackPlan(stack: "admin" | "payer" | "member-dev" | "member-prod"): PlanInput {
  return { plan: loadPlan(`derived/${stack}`), stack: STACKS[stack], source: `derived/${stack}.json` };
}

/** Stack info of the i-th of many member stacks (member-m001…), for long summaries. */
export function memberStack(i: number) {
  const name = `m${String(i).padStart(3, "0")}`;
  return {
    stack: `member-${name}`,
    kind: "member" as const,
    accountId: String(100000000000 + i),
    accountName: name,
    regions: ["eu-west-1"],
  };
}
