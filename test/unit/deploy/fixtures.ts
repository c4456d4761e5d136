import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
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

export interface StandInTerraform {
  /** `terraform show -json` per stack folder name: a plan fixture below test/fixtures/plans. */
  readonly show: Readonly<Record<string, string>>;
  /** The fixture for any other stack. */
  readonly otherwise: string;
  /** Appends "<stack> <command>" per call to this file. */
  readonly callLog?: string;
}

/**
 * Writes a stand-in for the terraform binary (for FINOPS_TERRAFORM) into `file`: real Terraform
 * against the emulator is the integration tests' job; unit tests of planLanding need only which
 * stacks are planned. It answers init (0), plan (writes "plan of <stack>" to -out=, exit 2 =
 * changes; exit 1 for the stack named in $FAKE_FAIL_STACK) and show -json (a recorded or derived
 * fixture per stack); anything else exits 1.
 */
export function writeStandInTerraform(file: string, opts: StandInTerraform): string {
  const plan = (name: string) => JSON.stringify(path.join(PLANS, `${name}.json`));
  writeFileSync(
    file,
    [
      "#!/bin/sh",
      'stack="$(basename "$PWD")"',
      ...(opts.callLog ? [`echo "$stack $1" >> ${JSON.stringify(opts.callLog)}`] : []),
      'case "$1" in',
      "  init) exit 0 ;;",
      '  plan) if [ "$stack" = "$FAKE_FAIL_STACK" ]; then echo "Error: no valid credential sources" >&2; exit 1; fi',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
      '        for a in "$@"; do case "$a" in -out=*) echo "plan of $stack" > "${a#-out=}" ;; esac; done; exit 2 ;;',
      '  show) case "$stack" in',
      ...Object.entries(opts.show).map(([stack, fixture]) => `      ${stack}) cat ${plan(fixture)} ;;`),
      `      *) cat ${plan(opts.otherwise)} ;;`,
      "    esac ;;",
      "  *) exit 1 ;;",
      "esac",
      "",
    ].join("\n"),
  );
  chmodSync(file, 0o755);
  return file;
}

/** accounts/local.yaml, the emulated organization. */
export const LOCAL = loadAccountConfig(path.join(__dirname, "../../../accounts/local.yaml"));

const { budget: _budget, ...unbudgeted } = LOCAL.members[0]!;

/**
 * A new member of accounts/local.yaml's organization, without a budget (any added member still
 * changes the admin stack: its member config object lists every member, docs/gitops.md).
 */
export function newLocalMember(id: string, name: string): AccountConfig["members"][number] {
  return { ...unbudgeted, id, name, email: `${name}@example.com` };
}
