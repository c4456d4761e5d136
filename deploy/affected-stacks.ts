import { Names } from "../config/naming";
import type { AccountConfig, MemberAccount } from "../config/schema";
import { resolveStackSetTargeting } from "../config/targeting";
import { BOOTSTRAP_STACK } from "../contracts/gitops";
import { readRoleAccounts } from "../stacks/bootstrap-stack";
import { describeBootstrap, describeLanding } from "../stacks/landing";

/**
 * Which stacks a config change can make differ, derived from the two configs alone (the code being
 * the same on both sides): the selective synth of a pull request that edits member entries
 * (deploy/selective-synth.ts, docs/scale.md "Selective synth").
 *
 * A member's own stack reads only its own entry. Besides it, these places of the synth read the
 * member list (the unit test "every reader of the members list is known" fails when a file starts
 * reading it), and each is compared here through what the stack derives from it:
 *  - the admin stack's member config for the API (config/member-budgets.ts): each non-retired
 *    member's id, environment and monthly budget, compared in list order;
 *  - in monitoring mode stackset, the admin stack's stack set instances (config/targeting.ts
 *    resolveStackSetTargeting: the regions and instance groups it renders, from ids, OUs, regions,
 *    retired);
 *  - the bootstrap stack's read role in every account (stacks/bootstrap-stack.ts readRoleAccounts:
 *    id, name, deploy role, environment, owner, primary region, in list order).
 * Any change outside `members` (organization, payer, admin, cur, monitoring, app, gitops, ...) may
 * reach every stack: it falls back to all of them.
 */

/** One stack the change can affect, with why (for the plan log). */
export interface AffectedStack {
  readonly stack: string;
  readonly reasons: readonly string[];
}

export type AffectedStacks =
  | {
      readonly all: true;
      /** Why every stack is synthesized. */
      readonly reason: string;
    }
  | {
      readonly all: false;
      /** Stacks of the current config that can differ from the previous config's, in describeLanding order (the bootstrap stack last). */
      readonly stacks: readonly AffectedStack[];
      /** Stacks of the previous config that the current config no longer has (removed or renamed members). */
      readonly removed: readonly string[];
    };

/** The member fields, in schema order: what "changed" lists. */
const MEMBER_FIELDS = [
  "id",
  "name",
  "email",
  "deployRole",
  "ou",
  "environment",
  "owner",
  "regions",
  "budget",
  "retired",
] as const satisfies readonly (keyof MemberAccount)[];

function same(a: unknown, b: unknown): boolean {
  // Order-sensitive on purpose: list and key order reach the synthesized JSON's bytes.
  return JSON.stringify(a) === JSON.stringify(b);
}

function changedFields(before: MemberAccount, after: MemberAccount): string[] {
  const fields = new Set<string>([...Object.keys(before), ...Object.keys(after)]);
  const known: string[] = MEMBER_FIELDS.filter((f) => fields.has(f));
  // A field the schema gained after this list was written still counts as a change.
  const rest = [...fields].filter((f) => !known.includes(f)).sort();
  return [...known, ...rest].filter(
    (f) => !same((before as Record<string, unknown>)[f], (after as Record<string, unknown>)[f]),
  );
}

/**
 * What the admin stack gives the API of the members (config/member-budgets.ts, stacks/admin-stack.ts):
 * each non-retired member's id, environment and monthly budget. Compared in list order, a reorder
 * counts (the API's encoding sorts, so that is over-approximated, never missed).
 */
function apiMembers(config: AccountConfig): unknown {
  return config.members
    .filter((m) => !m.retired)
    .map((m) => [m.id, m.environment, m.budget?.monthlyUsd ?? null]);
}

/** What the admin stack renders of the stack set targeting (modules/monitoring/stackset.ts). */
function stackSetInstances(config: AccountConfig): unknown {
  if (config.monitoring.mode !== "stackset") return null;
  try {
    const t = resolveStackSetTargeting(config);
    return { regions: t.regions, excludedRegions: t.excludedRegions, groups: t.groups };
  } catch (e) {
    // The synth of this config fails the same way: it cannot be "unchanged".
    return { error: (e as Error).message };
  }
}

/** What the bootstrap stack reads of each account it makes a read role in (stacks/bootstrap-stack.ts). */
function readRoles(config: AccountConfig): unknown {
  if (!config.gitops) return null;
  return readRoleAccounts(config).map((a) => ({
    key: a.key,
    id: a.id,
    name: a.name,
    deployRole: a.deployRole,
    environment: a.environment,
    owner: a.owner,
    region: a.regions[0],
  }));
}

const label = (m: MemberAccount) => `${m.name} (${m.id})`;

export function affectedStacks(previous: AccountConfig, current: AccountConfig): AffectedStacks {
  const sections = [...new Set([...Object.keys(previous), ...Object.keys(current)])].filter(
    (k) => k !== "members",
  );
  const global = sections.filter(
    (k) => !same((previous as Record<string, unknown>)[k], (current as Record<string, unknown>)[k]),
  );
  if (global.length > 0) {
    return {
      all: true,
      reason: `${global.join(", ")} changed: a section outside members can reach every stack`,
    };
  }

  const reasons = new Map<string, string[]>();
  const because = (stack: string, reason: string) => {
    const list = reasons.get(stack) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(stack, list);
  };

  const before = new Map(previous.members.map((m) => [m.id, m]));
  const after = new Map(current.members.map((m) => [m.id, m]));
  const memberEdits: string[] = [];
  for (const m of current.members) {
    const was = before.get(m.id);
    if (!was) {
      because(Names.memberStack(m), `member ${label(m)} added`);
      memberEdits.push(`${m.name} added`);
      continue;
    }
    const fields = changedFields(was, m);
    if (fields.length === 0) continue;
    because(Names.memberStack(m), `member ${label(m)} changed: ${fields.join(", ")}`);
    memberEdits.push(`${m.name} changed`);
  }
  for (const m of previous.members) {
    if (!after.has(m.id)) memberEdits.push(`${m.name} removed`);
  }
  const commonBefore = previous.members.filter((m) => after.has(m.id)).map((m) => m.id);
  const commonAfter = current.members.filter((m) => before.has(m.id)).map((m) => m.id);
  if (!same(commonBefore, commonAfter)) memberEdits.push("members reordered");
  const edits = memberEdits.join(", ");

  if (!same(apiMembers(previous), apiMembers(current))) {
    because(Names.adminStack, `the API's member config (environments, budgets) changed: ${edits}`);
  }
  if (!same(stackSetInstances(previous), stackSetInstances(current))) {
    because(Names.adminStack, `the stack set's regions or instance groups changed: ${edits}`);
  }
  if (!same(readRoles(previous), readRoles(current))) {
    because(BOOTSTRAP_STACK, `the accounts with a read role changed: ${edits}`);
  }

  const order = [
    ...describeLanding(current).map((s) => s.stack),
    ...(describeBootstrap(current) ? [BOOTSTRAP_STACK] : []),
  ];
  const now = new Set(order);
  const unknown = [...reasons.keys()].filter((s) => !now.has(s));
  if (unknown.length > 0) {
    // A derivation above named a stack the config does not have: a bug here, never a smaller plan.
    return {
      all: true,
      reason: `affectedStacks named ${unknown.join(", ")}, which the config does not have`,
    };
  }
  return {
    all: false,
    stacks: order.filter((s) => reasons.has(s)).map((stack) => ({ stack, reasons: reasons.get(stack)! })),
    removed: describeLanding(previous)
      .map((s) => s.stack)
      .filter((s) => !now.has(s)),
  };
}

/** One line per stack for the plan log: "member-x: member x (id) added". */
export function describeAffected(affected: AffectedStacks): string[] {
  if (affected.all) return [`every stack: ${affected.reason}`];
  return [
    ...affected.stacks.map((s) => `${s.stack}: ${s.reasons.join("; ")}`),
    ...affected.removed.map((s) => `${s}: removed from the config`),
  ];
}
