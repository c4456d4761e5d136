import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import { checkCrossReferences } from "../../../config/rules";
import { type AccountConfig, accountConfigSchema, type MemberAccount } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { affectedStacks, describeAffected } from "../../../deploy/affected-stacks";
import { selectiveSynth } from "../../../deploy/selective-synth";
import { diffSynthDirs, type StackDiff } from "../../../deploy/stack-identity";
import { synthLanding } from "../../../deploy/synth";

/**
 * The proof of the selective synth (docs/scale.md, "Selective synth"): for every kind of edit of
 * the members list, two full synths (previous and current config) say which stacks actually
 * changed, and the selective synth must (a) have derived every one of them (nothing missed),
 * (b) write each stack it synthesizes as the same bytes as the full synth (every file of the
 * stack's folder), (c) report the same changed / unchanged / removed stacks as the full synths.
 * Each case also states the over-approximation left: stacks derived as affected that did not change.
 *
 * The organization is accounts/example.yaml (target aws, a bootstrap stack) with six members, one
 * already retired; the same in monitoring mode stackset. The console is the fixture build
 * (test/support/console-dist-env.js); bundles come from the bundle cache after the first synth.
 */

const ROOT = path.join(__dirname, "../../..");
const EXAMPLE = loadAccountConfig(path.join(ROOT, "accounts/example.yaml"));

const member = (m: Partial<MemberAccount> & Pick<MemberAccount, "id" | "name">): MemberAccount => ({
  email: `aws-${m.name}@example.com`,
  ou: "Workloads",
  environment: "dev",
  owner: "team-data@example.com",
  regions: ["us-east-1"],
  retired: false,
  ...m,
});

const DIRECT: AccountConfig = {
  ...EXAMPLE,
  members: [
    ...EXAMPLE.members,
    member({
      id: "000000000006",
      name: "data-prod",
      ou: "Production",
      environment: "prod",
      budget: { monthlyUsd: 5000, notify: [] },
    }),
    member({
      id: "000000000007",
      name: "ml-staging",
      environment: "staging",
      regions: ["eu-west-1", "us-east-1"],
    }),
    member({
      id: "000000000008",
      name: "legacy",
      ou: "Sandbox",
      environment: "sandbox",
      budget: { monthlyUsd: 100, notify: [] },
      retired: true,
    }),
  ],
};

const STACKSET: AccountConfig = {
  ...DIRECT,
  monitoring: {
    ...DIRECT.monitoring,
    mode: "stackset",
    // The Production OU (data-prod, shop-prod) and shop-dev by id.
    stackset: {
      ...DIRECT.monitoring.stackset,
      organizationalUnits: ["Production"],
      accounts: ["000000000004"],
    },
  },
};

type Edit = (c: AccountConfig) => AccountConfig;

const editMember =
  (name: string, change: (m: MemberAccount) => MemberAccount): Edit =>
  (c) => ({ ...c, members: c.members.map((m) => (m.name === name ? change(m) : m)) });
const addMember =
  (m: MemberAccount): Edit =>
  (c) => ({ ...c, members: [...c.members, m] });
const removeMember =
  (name: string): Edit =>
  (c) => ({ ...c, members: c.members.filter((m) => m.name !== name) });

interface Case {
  readonly name: string;
  /** The member fields the edit changes (the coverage check below wants every field of the schema). */
  readonly fields: readonly (keyof MemberAccount)[];
  readonly edit: Edit;
  /** Stacks derived as affected that did not change: the over-approximation left. */
  readonly over: readonly string[];
  /** The plan refuses this edit (checkMemberRemovals): the synths must still agree. */
  readonly refusedByPlan?: true;
  /** Also proved in monitoring mode stackset (edits the stack set's targeting can see). */
  readonly stackset?: { readonly over: readonly string[] };
}

const NEW = member({ id: "000000000009", name: "new-team" });

const MEMBER_CASES: readonly Case[] = [
  { name: "member added, no budget", fields: [], edit: addMember(NEW), over: [], stackset: { over: [] } },
  {
    name: "member added with a budget",
    fields: [],
    edit: addMember({ ...NEW, budget: { monthlyUsd: 300, notify: [] } }),
    over: [],
  },
  {
    name: "member added in a targeted OU",
    fields: [],
    edit: addMember({ ...NEW, ou: "Production", environment: "prod" }),
    over: [],
    stackset: { over: [] },
  },
  {
    name: "member added in a new region",
    fields: [],
    edit: addMember({ ...NEW, regions: ["eu-central-1"] }),
    over: [],
    stackset: { over: [] },
  },
  {
    name: "id (a new account in the entry)",
    fields: ["id"],
    edit: editMember("ml-staging", (m) => ({ ...m, id: "000000000010" })),
    over: [],
  },
  {
    name: "name",
    fields: ["name"],
    edit: editMember("ml-staging", (m) => ({ ...m, name: "ml-stage" })),
    over: [],
  },
  {
    name: "email",
    fields: ["email"],
    edit: editMember("shop-dev", (m) => ({ ...m, email: "dev@example.com" })),
    over: ["member-shop-dev"],
  },
  {
    name: "deployRole set",
    fields: ["deployRole"],
    edit: editMember("data-prod", (m) => ({ ...m, deployRole: "PlatformDeployRole" })),
    // organization.credentials profiles: providers name a profile, not the role (the bootstrap stack's
    // deploy role ARNs do change).
    over: ["member-data-prod"],
  },
  {
    name: "ou",
    fields: ["ou"],
    edit: editMember("shop-dev", (m) => ({ ...m, ou: "Production" })),
    // Direct mode: nothing reads a member's OU; stackset mode: the admin's instance groups do.
    over: ["member-shop-dev"],
    stackset: { over: ["member-shop-dev"] },
  },
  {
    name: "environment",
    fields: ["environment"],
    edit: editMember("ml-staging", (m) => ({ ...m, environment: "test" })),
    over: [],
  },
  {
    name: "owner",
    fields: ["owner"],
    edit: editMember("ml-staging", (m) => ({ ...m, owner: "ml-team" })),
    over: [],
  },
  {
    name: "regions: one added",
    fields: ["regions"],
    edit: editMember("data-prod", (m) => ({ ...m, regions: ["us-east-1", "eu-central-1"] })),
    over: [],
  },
  {
    name: "regions: primary changed",
    fields: ["regions"],
    edit: editMember("ml-staging", (m) => ({ ...m, regions: ["us-east-1", "eu-west-1"] })),
    over: [],
    stackset: { over: [] },
  },
  {
    name: "budget amount",
    fields: ["budget"],
    edit: editMember("data-prod", (m) => ({ ...m, budget: { monthlyUsd: 6000, notify: [] } })),
    over: [],
  },
  {
    name: "budget notify",
    fields: ["budget"],
    edit: editMember("data-prod", (m) => ({
      ...m,
      budget: { monthlyUsd: 5000, notify: ["fin@example.com"] },
    })),
    over: [],
  },
  {
    name: "budget added",
    fields: ["budget"],
    edit: editMember("ml-staging", (m) => ({ ...m, budget: { monthlyUsd: 800, notify: [] } })),
    over: [],
  },
  {
    name: "budget removed",
    fields: ["budget"],
    edit: editMember("data-prod", ({ budget: _, ...m }) => m),
    over: [],
  },
  {
    name: "retired (with a budget)",
    fields: ["retired"],
    edit: editMember("data-prod", (m) => ({ ...m, retired: true })),
    over: [],
  },
  {
    name: "retired (no budget)",
    fields: ["retired"],
    edit: editMember("ml-staging", (m) => ({ ...m, retired: true })),
    over: [],
    stackset: { over: [] },
  },
  {
    name: "removed after retirement",
    fields: [],
    edit: removeMember("legacy"),
    over: [],
    stackset: { over: [] },
  },
  {
    name: "removed without retirement",
    fields: [],
    edit: removeMember("data-prod"),
    over: [],
    refusedByPlan: true,
  },
  {
    name: "members reordered",
    fields: [],
    edit: (c) => ({ ...c, members: [...c.members].reverse() }),
    // The API's member config is encoded sorted; the stack set's default regions are not.
    over: ["admin"],
    stackset: { over: [] },
  },
];

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "finops-affected-"));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (what: string) => path.join(tmpRoot, `${++dirs}-${what}`);

function synthFull(config: AccountConfig): string {
  const dir = freshDir("full");
  synthLanding(config, dir, targetFor(config));
  return dir;
}

/** Every file below a folder, relative path → bytes. */
function files(dir: string, prefix = ""): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(path.join(dir, prefix))) {
    const rel = path.join(prefix, entry);
    if (statSync(path.join(dir, rel)).isDirectory()) for (const [k, v] of files(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(path.join(dir, rel)));
  }
  return out;
}

const sorted = (d: StackDiff): StackDiff => ({
  changed: [...d.changed].sort(),
  unchanged: [...d.unchanged].sort(),
  removed: [...d.removed].sort(),
});

const manifestStacks = (dir: string): Record<string, { dependencies: string[] }> =>
  JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")).stacks;

function proveSelective(mode: string, base: AccountConfig, cases: readonly Case[]): void {
  describe(`monitoring mode ${mode}`, () => {
    let baseFull: string;
    beforeAll(() => {
      expect(checkCrossReferences(base)).toEqual([]);
      baseFull = synthFull(base);
    });

    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const current = c.edit(base);
      if (!c.refusedByPlan) expect(checkCrossReferences(current)).toEqual([]);
      const full = synthFull(current);
      const truth = sorted(diffSynthDirs(full, baseFull));

      const affected = affectedStacks(base, current);
      if (affected.all) throw new Error(`a members-only edit fell back to all: ${affected.reason}`);
      const names = affected.stacks.map((s) => s.stack);
      // (a) soundness: every stack that changed was derived.
      expect(truth.changed.filter((s) => !names.includes(s))).toEqual([]);
      expect([...affected.removed].sort()).toEqual(truth.removed);
      // Every derived stack says why.
      for (const s of affected.stacks) expect(s.reasons.length).toBeGreaterThan(0);
      // The over-approximation left, stated per case.
      expect(names.filter((s) => !truth.changed.includes(s))).toEqual(c.over);

      const out = freshDir("selective");
      const result = selectiveSynth(base, current, out, targetFor(current));
      expect(result.synthesized).toEqual([...names].sort());
      // (b) the synthesized stacks are the full synth's bytes, every file of their folders.
      for (const stack of result.synthesized) {
        const mine = files(path.join(out, "stacks", stack));
        const theirs = files(path.join(full, "stacks", stack));
        expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
        for (const [file, bytes] of mine) {
          if (!bytes.equals(theirs.get(file)!))
            throw new Error(`${stack}/${file} differs from the full synth`);
        }
      }
      // Nothing else was written, and manifest.json lists exactly what was: the full synth's
      // entries, a dependency on a stack left out not recorded.
      expect(readdirSync(path.join(out, "stacks")).sort()).toEqual(result.synthesized);
      const fullManifest = manifestStacks(full);
      const manifest = manifestStacks(out);
      expect(Object.keys(manifest).sort()).toEqual(result.synthesized);
      for (const [stack, entry] of Object.entries(manifest)) {
        const expected = fullManifest[stack]!;
        expect(entry).toEqual({
          ...expected,
          dependencies: expected.dependencies.filter((d) => result.synthesized.includes(d)),
        });
      }
      // (c) the same verdict as two full synths.
      expect(result.diff).toEqual(truth);
    });
  });
}

describe("selective synth = full synth, for every kind of member edit", () => {
  proveSelective("direct", DIRECT, MEMBER_CASES);
  proveSelective(
    "stackset",
    STACKSET,
    MEMBER_CASES.flatMap((c) => (c.stackset ? [{ ...c, over: c.stackset.over }] : [])),
  );

  it("edits every field of a member entry (a field the schema gains needs a case here)", () => {
    // The members list is z.array(member).default([]): its element is the member schema.
    const shape = accountConfigSchema.shape.members.unwrap().element.shape;
    const edited = new Set(MEMBER_CASES.flatMap((c) => c.fields));
    expect(Object.keys(shape).filter((f) => !edited.has(f as keyof MemberAccount))).toEqual([]);
  });
});

describe("global sections fall back to every stack", () => {
  it.each([
    [
      "organization",
      (c: AccountConfig) => ({ ...c, organization: { ...c.organization, deployRoleName: "Deploy" } }),
    ],
    ["payer", (c: AccountConfig) => ({ ...c, payer: { ...c.payer, owner: "finance" } })],
    ["admin", (c: AccountConfig) => ({ ...c, admin: { ...c.admin, regions: ["us-east-1", "eu-west-1"] } })],
    ["cur", (c: AccountConfig) => ({ ...c, cur: { ...c.cur, timeGranularity: "DAILY" as const } })],
    [
      "monitoring",
      (c: AccountConfig) => ({ ...c, monitoring: { ...c.monitoring, logRetentionDays: 30 as const } }),
    ],
    ["app", (c: AccountConfig) => ({ ...c, app: { ...c.app, timeZone: "Europe/Berlin" } })],
    [
      "dataPlatform",
      (c: AccountConfig) => ({ ...c, dataPlatform: { ...c.dataPlatform, athenaResultsExpirationDays: 3 } }),
    ],
    ["vpc", (c: AccountConfig) => ({ ...c, vpc: { ...c.vpc, enabled: true } })],
    ["encryption", (c: AccountConfig) => ({ ...c, encryption: { keys: {} } })],
    ["rollout", (c: AccountConfig) => ({ ...c, rollout: { ...c.rollout, regionOrder: [] } })],
    ["gitops", (c: AccountConfig) => ({ ...c, gitops: undefined })],
    ["target", (c: AccountConfig) => ({ ...c, target: "local" as const })],
  ] as const)("%s", (section, edit) => {
    const current = edit(DIRECT) as AccountConfig;
    const affected = affectedStacks(DIRECT, current);
    if (section === "encryption") {
      // The example names no keys: {} is what it already has, so nothing changed.
      expect(affected).toEqual({ all: false, stacks: [], removed: [] });
      return;
    }
    expect(affected).toEqual({
      all: true,
      reason: `${section} changed: a section outside members can reach every stack`,
    });
    expect(describeAffected(affected)).toEqual([`every stack: ${affected.all && affected.reason}`]);
  });

  it("synthesizes every stack of both configs on a global change, and agrees with two full synths", () => {
    const current: AccountConfig = { ...DIRECT, organization: { ...DIRECT.organization, tagPrefix: "acme" } };
    const out = freshDir("selective-all");
    const result = selectiveSynth(DIRECT, current, out, targetFor(current));
    expect(result.affected.all).toBe(true);
    const truth = sorted(diffSynthDirs(synthFull(current), synthFull(DIRECT)));
    expect(result.diff).toEqual(truth);
    // The tag prefix is in every stack's default tags and physical names.
    expect(truth.changed).toEqual(expect.arrayContaining(["admin", "payer", "member-shop-prod"]));
    expect(result.synthesized).toEqual([...truth.changed, ...truth.unchanged].sort());
    expect(existsSync(path.join(out, "stacks", "payer", "cdk.tf.json"))).toBe(true);
  });
});

describe("affectedStacks (no synth)", () => {
  it("derives nothing from an unchanged config", () => {
    expect(affectedStacks(DIRECT, structuredClone(DIRECT))).toEqual({ all: false, stacks: [], removed: [] });
  });

  it("names each affected stack with its reasons, in deployment order, the bootstrap stack last", () => {
    const current = addMember({ ...NEW, budget: { monthlyUsd: 300, notify: [] } })(DIRECT);
    const affected = affectedStacks(DIRECT, current);
    expect(describeAffected(affected)).toEqual([
      "admin: the API's member config (environments, budgets) changed: new-team added",
      "member-new-team: member new-team (000000000009) added",
      "bootstrap: the accounts with a read role changed: new-team added",
    ]);
  });

  it("lists a renamed member's old stack as removed and its new one as affected", () => {
    const affected = affectedStacks(
      DIRECT,
      editMember("shop-dev", (m) => ({ ...m, name: "shop-test" }))(DIRECT),
    );
    expect(affected.all).toBe(false);
    if (affected.all) return;
    expect(affected.removed).toEqual(["member-shop-dev"]);
    // shop-dev has no budget and keeps its id: the admin stack's derivations do not change.
    expect(affected.stacks.map((s) => s.stack)).toEqual(["member-shop-test", "bootstrap"]);
    expect(describeAffected(affected)).toContain("member-shop-dev: removed from the config");
  });

  it("has no bootstrap stack to derive without a gitops section", () => {
    const { gitops: _, ...noGitops } = DIRECT;
    const affected = affectedStacks(noGitops as AccountConfig, addMember(NEW)(noGitops as AccountConfig));
    expect(affected.all === false && affected.stacks.map((s) => s.stack)).toEqual([
      "admin",
      "member-new-team",
    ]);
  });

  it("derives the admin stack when the stack set targeting of the new config cannot be resolved", () => {
    // monitoring.stackset.accounts names shop-dev; removing it leaves a dangling id, which the synth refuses.
    const affected = affectedStacks(STACKSET, removeMember("shop-dev")(STACKSET));
    expect(affected.all === false && affected.stacks.map((s) => s.stack)).toContain("admin");
  });
});

describe("every reader of the members list is known to affectedStacks", () => {
  // Files that read config.members while a stack is built. A new one must be added to
  // deploy/affected-stacks.ts (what it derives from the members) and here.
  const KNOWN = new Set([
    "config/member-budgets.ts", // admin: the API's member config (budgets, environments)
    "config/targeting.ts", // admin: stack set instances (stackset mode)
    "stacks/admin-stack.ts", // admin: the API's member config
    "stacks/bootstrap-stack.ts", // bootstrap: a read role per account
    "stacks/landing.ts", // one stack per member
    "stacks/member-stack.ts", // a member's own entry
    // Validation only (before any stack is built), and the schema itself.
    "config/schema.ts",
    "config/rules.ts",
    "config/load.ts",
    "config/json-schema.ts",
  ]);

  function sources(dir: string): string[] {
    return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.posix.join(dir, f.split(path.sep).join("/")));
  }

  it("no other file of stacks/, modules/, config/ or contracts/ reads it", () => {
    const readers = ["stacks", "modules", "config", "contracts"].flatMap(sources).filter((file) =>
      readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        // Code only: comment lines name "members" in prose.
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
        .some((line) => /\bmembers\b/.test(line.replace(/"[^"]*"|`[^`]*`/g, ""))),
    );
    expect(readers.filter((f) => !KNOWN.has(f))).toEqual([]);
    // The check finds the readers it knows of (it is not vacuous).
    expect(readers).toEqual(
      expect.arrayContaining(["config/member-budgets.ts", "stacks/bootstrap-stack.ts"]),
    );
  });
});
