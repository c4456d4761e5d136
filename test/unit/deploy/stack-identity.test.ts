import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { diffSynthDirs, normalizedStackJson, stackJsonHash } from "../../../deploy/stack-identity";
import { synthLanding } from "../../../deploy/synth";

const LOCAL = loadAccountConfig(path.join(__dirname, "../../../accounts/local.yaml"));

function tmp(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function synth(config: AccountConfig, dir: string, localDir: string): string {
  mkdirSync(path.dirname(dir), { recursive: true });
  synthLanding(config, dir, targetFor(config, { FINOPS_LOCAL_DIR: localDir }));
  return dir;
}

// Without a budget: a member's budget also reaches the admin stack (the API's config-budget floor,
// docs/budgets.md), tested on its own below.
const { budget: _budget, ...unbudgeted } = LOCAL.members[0]!;
const newMember: AccountConfig["members"][number] = {
  ...unbudgeted,
  id: "666666666666",
  name: "new-team",
  email: "new-team@example.com",
};

describe("--changed-only: which stacks differ from the base synthesis", () => {
  const root = tmp("finops-diff-");
  const localDir = path.join(root, "local");
  const base = synth(LOCAL, path.join(root, "base"), localDir);

  it("finds the new member's stack, the admin stack (its member config object gains the account) and the bootstrap stack (its read role) when a member is added", () => {
    const current = synth(
      { ...LOCAL, members: [...LOCAL.members, newMember] },
      path.join(root, "add"),
      localDir,
    );

    // The admin stack's only difference is config/members.json's content (test/unit/stacks/landing.test.ts).
    // The bootstrap stack (accounts/local.yaml has gitops) is synthesized with the landing but never
    // planned by npm run plan, which selects among describeLanding's stacks only.
    expect(diffSynthDirs(current, base)).toEqual({
      changed: ["admin", "bootstrap", "member-new-team"],
      unchanged: ["member-app-dev", "member-app-prod", "member-sandbox-data", "payer"],
      removed: [],
    });
  });

  it("compares synth directories at different places as equal (local backend path resolved, cdktf metadata ignored)", () => {
    const elsewhere = synth(LOCAL, path.join(root, "deeper", "still", "base"), localDir);

    expect(diffSynthDirs(elsewhere, base).changed).toEqual([]);
    expect(stackJsonHash(elsewhere, "admin")).toBe(stackJsonHash(base, "admin"));
    expect(normalizedStackJson(base, "admin")).not.toContain('"//"');
  });

  it("finds the retired member's stack (planned empty) and reports a removed one", () => {
    const retired = synth(
      { ...LOCAL, members: LOCAL.members.map((m) => (m.name === "app-dev" ? { ...m, retired: true } : m)) },
      path.join(root, "retired"),
      localDir,
    );
    const removed = synth(
      { ...LOCAL, members: LOCAL.members.filter((m) => m.name !== "app-dev") },
      path.join(root, "removed"),
      localDir,
    );

    // app-dev has a budget: retired, it leaves the API's config budgets too (docs/budgets.md).
    expect(LOCAL.members.find((m) => m.name === "app-dev")?.budget).toBeDefined();
    expect(diffSynthDirs(retired, base).changed).toEqual(["admin", "member-app-dev"]);
    // Removing the entry also removes the account's read role from the bootstrap stack.
    expect(diffSynthDirs(removed, base)).toMatchObject({
      changed: ["admin", "bootstrap"],
      removed: ["member-app-dev"],
    });
  });

  it("plans a stack whose provider config changed (a new region)", () => {
    const current = synth(
      {
        ...LOCAL,
        members: LOCAL.members.map((m) =>
          m.name === "app-dev" ? { ...m, regions: ["us-east-1", "eu-west-1"] } : m,
        ),
      },
      path.join(root, "region"),
      localDir,
    );

    expect(diffSynthDirs(current, base).changed).toEqual(["member-app-dev"]);
  });
});

describe("stack JSON identity", () => {
  it("hashes the normalized JSON, not the file bytes", () => {
    const localDir = tmp("finops-local-");
    const dir = synth(LOCAL, path.join(tmp("finops-h-"), "synth"), localDir);
    const file = path.join(dir, "stacks", "admin", "cdk.tf.json");
    const before = stackJsonHash(dir, "admin");
    const json = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify(json, null, 4)); // same content, different bytes
    expect(stackJsonHash(dir, "admin")).toBe(before);
    json.resource = { ...json.resource, terraform_data: { x: { input: "changed" } } };
    writeFileSync(file, JSON.stringify(json));
    expect(stackJsonHash(dir, "admin")).not.toBe(before);
  });
});
