import { parse } from "yaml";
import { parseAccountConfig } from "../../../config/load";
import { type AccountConfig, accountConfigSchema } from "../../../config/schema";
import { resolveStackSetTargeting, TargetingError } from "../../../config/targeting";

const BASE = `
target: local
organization:
  name: acme
  organizationalUnits:
    - name: Workloads
    - name: Prod
      parent: Workloads
    - name: Sandbox
payer: { id: "100000000001", name: payer, email: payer@example.com }
admin: { id: "100000000002", name: cloudops, email: ops@example.com, regions: [us-east-1] }
members:
  - { id: "200000000001", name: web-dev, email: a@example.com, ou: Workloads, environment: dev, owner: web, regions: [us-east-1] }
  - { id: "200000000002", name: web-prod, email: b@example.com, ou: Prod, environment: prod, owner: web, regions: [us-east-1, eu-west-1] }
  - { id: "200000000003", name: lab, email: c@example.com, ou: Sandbox, environment: sandbox, owner: lab, regions: [eu-central-1] }
  - { id: "200000000004", name: old, email: d@example.com, ou: Workloads, environment: dev, owner: web, regions: [us-east-1], retired: true }
monitoring:
  mode: stackset
`;

function config(stackset: string): AccountConfig {
  return parseAccountConfig(`${BASE}  stackset:\n${stackset}`, "org.yaml");
}

const decisions = (c: AccountConfig) =>
  Object.fromEntries(resolveStackSetTargeting(c).accounts.map((a) => [a.name, a.reason]));

describe("StackSet targeting", () => {
  it("targets an OU's accounts including those of its child OUs (explicit allow)", () => {
    expect(decisions(config("    organizationalUnits: [Workloads]\n"))).toEqual({
      "web-dev": "allowed-by-ou",
      "web-prod": "allowed-by-ou",
      lab: "not-targeted",
      old: "retired",
    });
  });

  it("keeps a retired member inside a targeted OU out of the OU's instances (DIFFERENCE)", () => {
    // "old" (retired) is in Workloads: an OU target reaches every account of the OU, so only the
    // DIFFERENCE filter keeps its stack instances from being created (or kept).
    const c = config("    organizationalUnits: [Workloads]\n");
    expect(decisions(c).old).toBe("retired");
    expect(resolveStackSetTargeting(c).groups).toEqual([
      {
        key: "ous",
        organizationalUnits: ["Workloads"],
        accounts: ["200000000004"],
        accountFilterType: "DIFFERENCE",
      },
    ]);
  });

  it("a retired member outside the targeted OUs adds nothing to the filter", () => {
    const c = config("    organizationalUnits: [Sandbox]\n");
    expect(resolveStackSetTargeting(c).groups).toEqual([
      { key: "ous", organizationalUnits: ["Sandbox"], accounts: [], accountFilterType: "NONE" },
    ]);
  });

  it("leaves every account out when nothing is allowed (implicit deny)", () => {
    const t = resolveStackSetTargeting(config("    excludedAccounts: []\n"));
    expect(t.accounts.filter((a) => a.deployed)).toEqual([]);
    expect(t.groups).toEqual([]);
  });

  it("an excluded account stays out although its OU is targeted (deny beats allow)", () => {
    const c = config('    organizationalUnits: [Workloads]\n    excludedAccounts: ["200000000002"]\n');
    expect(decisions(c)["web-prod"]).toBe("excluded-account");
    expect(resolveStackSetTargeting(c).groups).toEqual([
      {
        key: "ous",
        organizationalUnits: ["Workloads"],
        // the excluded account, then the retired member of the OU
        accounts: ["200000000002", "200000000004"],
        accountFilterType: "DIFFERENCE",
      },
    ]);
  });

  it("an account both allowed by id and excluded stays out (deny beats allow)", () => {
    const c = config('    accounts: ["200000000003"]\n    excludedAccounts: ["200000000003"]\n');
    expect(decisions(c).lab).toBe("excluded-account");
    expect(resolveStackSetTargeting(c).groups).toEqual([]);
  });

  it("an account allowed by id outside the targeted OUs gets its own OU ∩ account group", () => {
    const c = config('    organizationalUnits: [Prod]\n    accounts: ["200000000003"]\n');
    expect(decisions(c)).toMatchObject({
      lab: "allowed-by-account",
      "web-prod": "allowed-by-ou",
      "web-dev": "not-targeted",
    });
    expect(resolveStackSetTargeting(c).groups).toEqual([
      { key: "ous", organizationalUnits: ["Prod"], accounts: [], accountFilterType: "NONE" },
      {
        key: "accounts-Sandbox",
        organizationalUnits: ["Sandbox"],
        accounts: ["200000000003"],
        accountFilterType: "INTERSECTION",
      },
    ]);
  });

  it("deploys the members' regions in config order unless regions are given, minus excluded regions", () => {
    const byDefault = resolveStackSetTargeting(config("    organizationalUnits: [Workloads]\n"));
    expect(byDefault.regions).toEqual(["us-east-1", "eu-west-1", "eu-central-1"]);
    const denied = resolveStackSetTargeting(
      config(
        "    organizationalUnits: [Workloads]\n    regions: [eu-west-1, us-east-1]\n    excludedRegions: [us-east-1]\n",
      ),
    );
    expect(denied.regions).toEqual(["eu-west-1"]);
    expect(denied.accounts.find((a) => a.name === "web-dev")!.regions).toEqual(["eu-west-1"]);
  });

  it("refuses unknown OUs, non-member accounts and excluding every region, naming field and fix", () => {
    const stackset =
      '    organizationalUnits: [Nope]\n    accounts: ["999999999999"]\n    regions: [us-east-1]\n    excludedRegions: [us-east-1]\n';
    // Validation runs this same check and refuses the config first (test/unit/config/synth-agreement.test.ts);
    // the module is reached here through the schema alone.
    expect(() => config(stackset)).toThrow(/no OU named "Nope"/);
    const c = accountConfigSchema.parse(parse(`${BASE}  stackset:\n${stackset}`)) as AccountConfig;
    expect(() => resolveStackSetTargeting(c)).toThrow(TargetingError);
    expect(() => resolveStackSetTargeting(c)).toThrow(
      [
        'monitoring.stackset.organizationalUnits[0]: no OU named "Nope"; OUs are: Workloads, Prod, Sandbox',
        'monitoring.stackset.accounts[0]: "999999999999" is not a member account of this config; list members by their id under members:',
        "monitoring.stackset.excludedRegions: excludes every region (us-east-1); leave at least one region to deploy to",
      ].join("\n"),
    );
  });

  it("rejects unknown keys in monitoring.stackset", () => {
    expect(() => config("    ous: [Workloads]\n")).toThrow(/ous/);
  });
});
