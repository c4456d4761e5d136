import type { AccountConfig, MemberAccount } from "./schema";

/**
 * StackSet targeting (stackset mode): which member accounts and regions get the baseline.
 * Precedence: explicit deny (excludedAccounts, retired members, excludedRegions) beats explicit allow (an OU or one
 * of its parents in organizationalUnits, an id in accounts, a region in regions) beats implicit
 * deny (anything not allowed). Pure: the config in, the decision out.
 */
export type TargetingReason =
  | "excluded-account"
  | "allowed-by-ou"
  | "allowed-by-account"
  | "not-targeted"
  | "retired";

export interface AccountDecision {
  readonly accountId: string;
  readonly name: string;
  readonly ou: string;
  readonly deployed: boolean;
  readonly reason: TargetingReason;
  /** Regions the baseline lands in for this account (empty when not deployed). */
  readonly regions: readonly string[];
}

/** One aws_cloudformation_stack_set_instance group, before OU names are resolved to ids. */
export interface InstanceGroup {
  /** Stable construct id part: "ous" or "accounts-<ou>". */
  readonly key: string;
  readonly organizationalUnits: readonly string[];
  readonly accounts: readonly string[];
  /** CloudFormation AccountFilterType. */
  readonly accountFilterType: "NONE" | "DIFFERENCE" | "INTERSECTION";
}

export interface StackSetTargeting {
  /** Regions of every instance, in deployment order; the first is the baseline's primary region. */
  readonly regions: readonly string[];
  readonly excludedRegions: readonly string[];
  readonly accounts: readonly AccountDecision[];
  readonly groups: readonly InstanceGroup[];
}

export class TargetingError extends Error {}

/** OU names with each of their ancestors, from the config's OU tree. */
function ouAncestry(config: AccountConfig): Map<string, string[]> {
  const parent = new Map(config.organization.organizationalUnits.map((o) => [o.name, o.parent]));
  const out = new Map<string, string[]>();
  for (const name of parent.keys()) {
    const chain: string[] = [];
    let at: string | undefined = name;
    while (at !== undefined && !chain.includes(at)) {
      chain.push(at);
      at = parent.get(at);
    }
    out.set(name, chain);
  }
  return out;
}

export function resolveStackSetTargeting(config: AccountConfig): StackSetTargeting {
  const t = config.monitoring.stackset;
  const where = "monitoring.stackset";
  const ous = ouAncestry(config);
  const problems: string[] = [];
  t.organizationalUnits.forEach((ou, i) => {
    if (!ous.has(ou))
      problems.push(
        `${where}.organizationalUnits[${i}]: no OU named "${ou}"; OUs are: ${[...ous.keys()].join(", ")}`,
      );
  });
  const members = new Map(config.members.map((m) => [m.id, m]));
  t.accounts.forEach((id, i) => {
    if (!members.has(id))
      problems.push(
        `${where}.accounts[${i}]: "${id}" is not a member account of this config; list members by their id under members:`,
      );
  });

  const memberRegions = [...new Set(config.members.filter((m) => !m.retired).flatMap((m) => m.regions))];
  const allowedRegions =
    t.regions ?? (memberRegions.length > 0 ? memberRegions : [config.organization.homeRegion]);
  const regions = allowedRegions.filter((r) => !t.excludedRegions.includes(r));
  if (regions.length === 0)
    problems.push(
      `${where}.excludedRegions: excludes every region (${allowedRegions.join(", ")}); leave at least one region to deploy to`,
    );
  if (problems.length > 0) throw new TargetingError(problems.join("\n"));

  const targetedOus = new Set(t.organizationalUnits);
  const inTargetedOu = (m: MemberAccount) => (ous.get(m.ou) ?? [m.ou]).some((o) => targetedOus.has(o));

  const accounts: AccountDecision[] = config.members.map((m) => {
    const base = { accountId: m.id, name: m.name, ou: m.ou };
    const reason: TargetingReason = m.retired
      ? "retired"
      : t.excludedAccounts.includes(m.id)
        ? "excluded-account"
        : t.accounts.includes(m.id)
          ? "allowed-by-account"
          : inTargetedOu(m)
            ? "allowed-by-ou"
            : "not-targeted";
    const deployed = reason === "allowed-by-account" || reason === "allowed-by-ou";
    return { ...base, reason, deployed, regions: deployed ? regions : [] };
  });

  const groups: InstanceGroup[] = [];
  if (t.organizationalUnits.length > 0) {
    // Every account of the OUs, now and later (auto-deployment), minus the explicit denies and minus
    // the retired members still inside a targeted OU: an OU target reaches every account of the OU,
    // so a retired member would otherwise keep (or get back) its instances.
    const retiredInOus = config.members
      .filter((m) => m.retired && inTargetedOu(m) && !t.excludedAccounts.includes(m.id))
      .map((m) => m.id);
    const denied = [...t.excludedAccounts, ...retiredInOus];
    groups.push({
      key: "ous",
      organizationalUnits: [...t.organizationalUnits],
      accounts: denied,
      accountFilterType: denied.length > 0 ? "DIFFERENCE" : "NONE",
    });
  }
  // Explicitly allowed accounts outside the targeted OUs: their own OU intersected with their ids.
  const extra = accounts.filter(
    (a) => a.reason === "allowed-by-account" && !inTargetedOu(members.get(a.accountId)!),
  );
  for (const ou of [...new Set(extra.map((a) => a.ou))]) {
    groups.push({
      key: `accounts-${ou}`,
      organizationalUnits: [ou],
      accounts: extra.filter((a) => a.ou === ou).map((a) => a.accountId),
      accountFilterType: "INTERSECTION",
    });
  }
  return { regions, excludedRegions: [...t.excludedRegions], accounts, groups };
}
