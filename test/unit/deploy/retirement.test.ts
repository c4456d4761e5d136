import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import {
  checkMemberRemovals,
  checkOrphanStates,
  listLocalStates,
  membersFromYaml,
  RetirementError,
  stateResourceCount,
} from "../../../deploy/retirement";
import { synthLanding } from "../../../deploy/synth";
import { describeLanding } from "../../../stacks/landing";

const LOCAL = loadAccountConfig(path.join(__dirname, "../../../accounts/local.yaml"));
const YAML = readFileSync(path.join(__dirname, "../../../accounts/local.yaml"), "utf8");

function withMembers(members: AccountConfig["members"]): AccountConfig {
  return { ...LOCAL, members };
}

function state(resources: number): string {
  return JSON.stringify({
    version: 4,
    resources: [
      { mode: "data", type: "aws_caller_identity", name: "me", instances: [{}] },
      ...(resources
        ? [{ mode: "managed", type: "aws_ssm_parameter", name: "p", instances: Array(resources).fill({}) }]
        : []),
    ],
  });
}

describe("retiring a member", () => {
  it("synthesizes a retired member as an empty stack with the same providers and backend", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "finops-retire-"));
    const env = { FINOPS_LOCAL_DIR: path.join(dir, "local") };
    const retired = withMembers(LOCAL.members.map((m, i) => (i === 2 ? { ...m, retired: true } : m)));
    synthLanding(LOCAL, path.join(dir, "before"), targetFor(LOCAL, env));
    synthLanding(retired, path.join(dir, "after"), targetFor(retired, env));
    const read = (d: string) =>
      JSON.parse(readFileSync(path.join(dir, d, "stacks", "member-sandbox-data", "cdk.tf.json"), "utf8"));
    const before = read("before");
    const after = read("after");

    expect(Object.keys(before.resource ?? {}).length).toBeGreaterThan(0);
    expect(after.resource).toBeUndefined();
    expect(after.provider).toEqual(before.provider);
    expect(after.terraform.backend).toEqual(before.terraform.backend);
    expect(describeLanding(retired).find((s) => s.stack === "member-sandbox-data")).toMatchObject({
      kind: "member",
      retired: true,
    });
  });

  it("refuses removing a member that was not retired, naming it and the two-step fix", () => {
    const previous = membersFromYaml(YAML);
    const issues = checkMemberRemovals(
      previous,
      withMembers(LOCAL.members.filter((m) => m.name !== "app-dev")),
      "accounts/local.yaml",
      "origin/main",
    );

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: "error", stack: "member-app-dev" });
    expect(issues[0]!.message).toBe(
      'member "app-dev" (333333333333) is in accounts/local.yaml at origin/main but not any more, and was not retired: stack member-app-dev would be orphaned with its resources left in the account. To remove it, put the entry back with `retired: true`, merge and apply (that destroys its stack), then remove the entry in a later change',
    );
    expect(new RetirementError(issues).message).toMatch(
      /^1 member removed from the config without retiring first:\n {2}- member "app-dev"/,
    );
  });

  it("allows removing a member that the previous config had retired", () => {
    const previous = membersFromYaml(YAML.replace("name: app-dev", "name: app-dev\n    retired: true"));
    const issues = checkMemberRemovals(
      previous,
      withMembers(LOCAL.members.filter((m) => m.name !== "app-dev")),
      "accounts/local.yaml",
      "origin/main",
    );

    expect(issues.map((i) => i.severity)).toEqual(["info"]);
  });

  it("treats a renamed member as a removal of the old stack", () => {
    const issues = checkMemberRemovals(
      membersFromYaml(YAML),
      withMembers(LOCAL.members.map((m) => (m.name === "app-dev" ? { ...m, name: "app-development" } : m))),
      "accounts/local.yaml",
      "origin/main",
    );

    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/is now named "app-development".*would orphan stack member-app-dev/);
  });

  it("reads previous members leniently, whatever else the old document holds", () => {
    expect(
      membersFromYaml(
        "members:\n  - name: a\n    id: '1'\n    unknownKey: 1\n  - name: b\n    retired: true\n",
      ),
    ).toEqual([
      { name: "a", id: "1", retired: false },
      { name: "b", id: "", retired: true },
    ]);
    expect(membersFromYaml("payer: {}\n")).toEqual([]);
  });

  it("refuses a member state that holds resources when the config has no such member", () => {
    const states = [
      { stack: "member-gone", resources: 3, location: "state/member-gone.tfstate" },
      { stack: "member-app-dev", resources: 5, location: "state/member-app-dev.tfstate" },
      { stack: "admin", resources: 9, location: "state/admin.tfstate" },
    ];
    const issues = checkOrphanStates(states, LOCAL);

    expect(issues).toEqual([
      {
        severity: "error",
        stack: "member-gone",
        message: expect.stringContaining(
          'state state/member-gone.tfstate still holds 3 resources of stack member-gone, but the config has no member "gone"',
        ),
      },
    ]);
  });

  it("accepts an empty state of a removed member, and says when a retired member may go", () => {
    const retired = withMembers(
      LOCAL.members.map((m) => (m.name === "app-dev" ? { ...m, retired: true } : m)),
    );
    const issues = checkOrphanStates(
      [
        { stack: "member-gone", resources: 0, location: "x" },
        { stack: "member-app-dev", resources: 0, location: "y" },
      ],
      retired,
    );

    expect(issues).toEqual([
      {
        severity: "info",
        stack: "member-app-dev",
        message: 'retired member "app-dev" has an empty state: its entry can now be removed from the config',
      },
    ]);
  });

  it("counts managed resource instances in local state files, never data sources", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "finops-states-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "member-a.tfstate"), state(2));
    writeFileSync(path.join(dir, "member-b.tfstate"), state(0));
    writeFileSync(path.join(dir, "member-c.tfstate"), "{ not json");
    writeFileSync(path.join(dir, "notes.txt"), "");

    const states = listLocalStates(dir).sort((a, b) => a.stack.localeCompare(b.stack));

    expect(states.map((s) => [s.stack, s.resources])).toEqual([
      ["member-a", 2],
      ["member-b", 0],
      // Unreadable: never treated as empty, so a removal is refused rather than orphaning it.
      ["member-c", Number.POSITIVE_INFINITY],
    ]);
    expect(stateResourceCount(null)).toBe(0);
    expect(listLocalStates(path.join(dir, "missing"))).toEqual([]);
  });
});
