import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccountConfig } from "../../../config/schema";
import { targetFor } from "../../../config/target";
import { deployLanding } from "../../../deploy/deploy";
import { listPlanCandidates, planLanding } from "../../../deploy/plan";
import { readPlanManifest } from "../../../deploy/plan-manifest";
import {
  mergeShardManifests,
  mergeShardSummaries,
  PlanMergeError,
  parseShardSummary,
  renderMergedPlan,
  type ShardSummary,
} from "../../../deploy/plan-merge";
import { stackWeight } from "../../../deploy/plan-shard";
import { getShardedPlans, type ObjectStore, type PlanReceipt, putPlans } from "../../../deploy/plan-store";
import { synthLanding } from "../../../deploy/synth";
import type { RolloutUnit } from "../../../deploy/waves";
import { run as mergeCli } from "../../../scripts/plan-merge";
import { LOCAL, newLocalMember, writeStandInTerraform } from "./fixtures";

/**
 * A plan sharded over CI jobs (npm run plan -- --shard i/n) merged by npm run plan:merge must be
 * the unsharded plan's summary, byte for byte, and the merge must refuse anything but one complete
 * set of shards. The plans come from planLanding itself with a stand-in for the terraform binary
 * (FINOPS_TERRAFORM, as in plan-landing.test.ts; real Terraform against the emulator is the
 * integration tests' job): it answers init and plan, and `show -json` with a recorded or derived
 * `terraform show -json` fixture of test/fixtures/plans chosen per stack; the stack named in
 * FAKE_FAIL_STACK fails its plan (an errored stack).
 */

const member = newLocalMember;
/** Four new members and app-dev retired: admin, the new members and app-dev's stack change. */
const CONFIG: AccountConfig = {
  ...LOCAL,
  members: [
    ...LOCAL.members.map((m) => (m.name === "app-dev" ? { ...m, retired: true } : m)),
    member("666666666601", "new-1"),
    member("666666666602", "new-2"),
    member("666666666603", "new-3"),
    member("666666666604", "new-4"),
  ],
};
/** The guard must see the same environment in the plan and the merge: no opt-in. */
const ENV = { ...process.env, FINOPS_ALLOW_DATA_STORE_DESTROY: "" };

const work = mkdtempSync(path.join(os.tmpdir(), "plan-merge-"));
const localDir = path.join(work, ".local");
const baseDir = path.join(work, "base");
const saved = process.env.FINOPS_TERRAFORM;

beforeAll(() => {
  const fake = writeStandInTerraform(path.join(work, "terraform"), {
    show: {
      admin: "derived/admin",
      payer: "derived/payer",
      "member-app-dev": "recorded/destroy-all",
      "member-new-1": "derived/member-dev",
      "member-new-3": "derived/member-prod",
    },
    otherwise: "recorded/create",
  });
  process.env.FINOPS_TERRAFORM = fake;
  mkdirSync(path.join(localDir, "state"), { recursive: true });
  synthLanding(LOCAL, baseDir, targetFor(LOCAL, { FINOPS_LOCAL_DIR: localDir }));
});
afterAll(() => {
  if (saved === undefined) delete process.env.FINOPS_TERRAFORM;
  else process.env.FINOPS_TERRAFORM = saved;
  rmSync(work, { recursive: true, force: true });
});

let outs = 0;
async function plan(shard?: { index: number; count: number }, env: NodeJS.ProcessEnv = ENV) {
  const outDir = path.join(work, `out-${++outs}`);
  const run = await planLanding({
    config: CONFIG,
    configFile: "accounts/local.yaml",
    target: targetFor(CONFIG, { FINOPS_LOCAL_DIR: localDir }),
    outDir,
    env,
    changedOnly: { baseSynthDir: baseDir },
    localStateDir: path.join(localDir, "state"),
    ...(shard ? { shard } : {}),
  });
  return { run, outDir };
}

async function shards(count: number, env: NodeJS.ProcessEnv = ENV) {
  const out = [];
  for (let index = 1; index <= count; index++) out.push(await plan({ index, count }, env));
  return out;
}

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), "utf8");
const summaries = (dirs: readonly { outDir: string }[]): ShardSummary[] =>
  dirs.map((d) => parseShardSummary(read(d.outDir, "summary.json"), d.outDir));

describe("plan:merge equals the unsharded plan", () => {
  const failing = { ...ENV, FAKE_FAIL_STACK: "member-new-2" };
  let whole: Awaited<ReturnType<typeof plan>>;
  let three: Awaited<ReturnType<typeof shards>>;

  beforeAll(async () => {
    whole = await plan(undefined, failing);
    three = await shards(3, failing);
  }, 300_000);

  it("the unsharded plan covers changes, a data-store loss, a retiring stack, an errored plan and the notes", () => {
    const md = read(whole.outDir, "summary.md");
    expect(whole.run.run.candidates.length).toBeGreaterThanOrEqual(6);
    expect(md).toContain("> [!CAUTION]");
    expect(md).toContain("**Retiring:** member-app-dev");
    expect(md).toContain("#### Plan errors");
    expect(md).toContain("Error: no valid credential sources");
    expect(md).toContain("_Changed-only: ");
    expect(md).toContain("**The bootstrap stack changes too**");
    expect(md).not.toContain("Shard");
    expect(whole.run.guard.ok).toBe(false);
  });

  it("each shard says which shard of how many it is, and its manifest and summary.json record it", () => {
    const candidates = whole.run.run.candidates;
    for (const [i, s] of three.entries()) {
      expect(read(s.outDir, "summary.md")).toMatch(
        new RegExp(
          `^_Shard ${i + 1} of 3: ${s.run.run.planned.length} of the ${candidates.length} candidate stacks`,
        ),
      );
      expect(readPlanManifest(s.outDir).shard).toEqual({
        index: i + 1,
        count: 3,
        candidates: candidates.length,
      });
      expect(JSON.parse(read(s.outDir, "summary.json")).run).toMatchObject({
        shard: { index: i + 1, count: 3 },
        candidates,
      });
    }
    expect(three.flatMap((s) => s.run.run.planned).sort()).toEqual([...candidates].sort());
  });

  it("--list-only lists the same candidates with their weights, without terraform", () => {
    const outDir = path.join(work, "list");
    const list = listPlanCandidates({
      config: CONFIG,
      configFile: "accounts/local.yaml",
      target: targetFor(CONFIG, { FINOPS_LOCAL_DIR: localDir }),
      outDir,
      env: { ...ENV, FINOPS_TERRAFORM: "/nonexistent/terraform" },
      changedOnly: { baseSynthDir: baseDir },
    });
    expect(list.base).toBe(baseDir);
    expect(list.candidates.map((c) => c.stack)).toEqual(whole.run.run.candidates);
    for (const c of list.candidates) {
      expect(c.weight).toBe(stackWeight(path.join(whole.outDir, "synth"), c.stack));
      // the retired member's stack is synthesized empty: the minimum weight; the others count resources
      if (c.stack === "member-app-dev") expect(c.weight).toBe(1);
      else expect(c.weight).toBeGreaterThan(1);
    }
  });

  it("merging 3 shards gives the unsharded summary.md and summary.json byte for byte", () => {
    const merged = renderMergedPlan(mergeShardSummaries(summaries(three), { expectShards: 3 }), { env: ENV });
    expect(merged.summaryJson).toBe(read(whole.outDir, "summary.json"));
    expect(merged.markdown).toBe(read(whole.outDir, "summary.md"));
    expect(merged.guard.ok).toBe(false);
    expect(merged.guard.message).toBe(whole.run.guard.message);
  });

  it.each([1, 2, 9])(
    "merging %i shard(s) gives the same bytes (9 is more shards than stacks: some plan nothing)",
    async (count) => {
      const parts = await shards(count, failing);
      if (count === 9) expect(parts.some((p) => p.run.run.planned.length === 0)).toBe(true);
      const merged = renderMergedPlan(mergeShardSummaries(summaries(parts)), { env: ENV });
      expect(merged.summaryJson).toBe(read(whole.outDir, "summary.json"));
      expect(merged.markdown).toBe(read(whole.outDir, "summary.md"));
    },
    300_000,
  );

  it("npm run plan:merge writes the same files and exits 1 on the guard's verdict (as plan --guard)", () => {
    const out = path.join(work, "merged");
    const err: string[] = [];
    let printed = "";
    const code = mergeCli(
      ["--out", out, "--expect-shards", "3", ...three.map((s) => s.outDir)],
      ENV,
      (t) => {
        printed += t;
      },
      (l) => err.push(l),
    );
    expect(code).toBe(1);
    expect(read(out, "summary.md")).toBe(read(whole.outDir, "summary.md"));
    expect(read(out, "summary.json")).toBe(read(whole.outDir, "summary.json"));
    expect(printed).toBe(read(whole.outDir, "summary.md"));
    expect(err.join("\n")).toContain("1 plan(s) errored: member-new-2");
    expect(err.join("\n")).toContain("Plan guard failed");
  });

  describe("refuses anything but one complete set", () => {
    const clone = (s: ShardSummary): ShardSummary => ({
      ...s,
      summary: JSON.parse(JSON.stringify(s.summary)),
    });

    it("a missing shard, naming it (and in summary.md, so the comment says so)", () => {
      const [a, , c] = summaries(three);
      expect(() => mergeShardSummaries([a!, c!])).toThrow(
        /shard 2 of 3 missing: the plan is incomplete .*re-run the plan/,
      );
      // all present but fewer than the workflow started
      expect(() => mergeShardSummaries(summaries(three), { expectShards: 4 })).toThrow(
        "expected 4 shards, but the shards given are 3 in all",
      );
      const out = path.join(work, "merged-missing");
      const err: string[] = [];
      const code = mergeCli(
        ["--out", out, three[0]!.outDir, three[2]!.outDir],
        ENV,
        () => {},
        (l) => err.push(l),
      );
      expect(code).toBe(1);
      expect(read(out, "summary.md")).toMatch(/^### Terraform plan: incomplete\n\n❌ .*shard 2 of 3 missing/);
      expect(err.join("")).toContain("plan:merge: shard 2 of 3 missing");
    });

    it("a shard given twice", () => {
      const [a, b, c] = summaries(three);
      expect(() => mergeShardSummaries([a!, b!, c!, { ...b!, source: "elsewhere" }])).toThrow(
        `shard 2 of 3 is given twice (${b!.source} and elsewhere)`,
      );
    });

    it("a stack planned by two shards, and a candidate planned by none", () => {
      const [a, b, c] = summaries(three).map(clone);
      const moved = a!.summary.stacks[0]!;
      (b!.summary.run!.planned as string[]).push(moved.stack);
      (b!.summary.stacks as unknown[]).push(moved);
      expect(() => mergeShardSummaries([a!, b!, c!])).toThrow(
        `${moved.stack} is planned by both shard 1 (${a!.source}) and shard 2 (${b!.source})`,
      );
      const dropped = c!.summary.run!.planned[0]!;
      const [x, y, z] = summaries(three).map(clone);
      const editable = z!.summary as unknown as { run: { planned: string[] }; stacks: { stack: string }[] };
      editable.run.planned = editable.run.planned.slice(1);
      editable.stacks = editable.stacks.filter((s) => s.stack !== dropped);
      expect(() => mergeShardSummaries([x!, y!, z!])).toThrow(`planned by no shard: ${dropped}`);
    });

    it("shards planned against different bases, or of different sizes, or an unsharded summary", () => {
      const [a, b, c] = summaries(three).map(clone);
      (c!.summary.run as { base: string }).base = "origin/main";
      expect(() => mergeShardSummaries([a!, b!, c!])).toThrow(
        /the shards disagree on the base: shard 1 .* has ".*base", shard 3 .* "origin\/main"; plan every shard from one commit against one base/,
      );
      const [p, q] = summaries(three).map(clone);
      (q!.summary.run as { shard: { index: number; count: number } }).shard = { index: 2, count: 4 };
      expect(() => mergeShardSummaries([p!, q!])).toThrow("is one of 3 shards");
      expect(() => parseShardSummary(read(whole.outDir, "summary.json"), "whole/summary.json")).toThrow(
        "whole/summary.json: not the summary of a shard (no run.shard)",
      );
      expect(() => parseShardSummary("{", "x/summary.json")).toThrow(PlanMergeError);
    });

    it("exits 2 with the usage when --out or the shard directories are missing", () => {
      const err: string[] = [];
      expect(
        mergeCli(
          [three[0]!.outDir],
          ENV,
          () => {},
          (l) => err.push(l),
        ),
      ).toBe(2);
      expect(
        mergeCli(
          ["--out", path.join(work, "x")],
          ENV,
          () => {},
          (l) => err.push(l),
        ),
      ).toBe(2);
      expect(err.join("\n")).toContain("--out <dir> is required");
      expect(err.join("\n")).toContain("no shard directories given");
    });
  });
});

describe("apply: every shard's reviewed plans, fetched by receipt, deployed in one rollout", () => {
  const COMMIT = "0123456789abcdef0123456789abcdef01234567";
  const KEY = { keyPrefix: "finops-landing", pr: 7, commit: COMMIT };
  function memoryStore(): ObjectStore & { objects: Map<string, Uint8Array> } {
    const objects = new Map<string, Uint8Array>();
    return {
      objects,
      label: "s3://state",
      async put(key, body) {
        objects.set(key, new Uint8Array(body));
      },
      async get(key) {
        return objects.get(key);
      },
    };
  }

  it("stores each shard under its own folder, merges the manifests and deploys every planned stack in waves", async () => {
    const parts = await shards(2);
    const store = memoryStore();
    const receipts: PlanReceipt[] = [];
    for (const p of parts) receipts.push(await putPlans(store, p.outDir, KEY));
    expect(receipts.map((r) => [r.shard, r.location])).toEqual([
      [{ index: 1, count: 2 }, `s3://state/finops-landing/plans/pr-7/${COMMIT}/shard-1-of-2/`],
      [{ index: 2, count: 2 }, `s3://state/finops-landing/plans/pr-7/${COMMIT}/shard-2-of-2/`],
    ]);

    // One receipt missing: refused before anything is written.
    const partial = path.join(work, "apply-partial");
    await expect(getShardedPlans(store, partial, KEY, [receipts[1]!])).rejects.toThrow(
      "shard 1 of 2 missing",
    );
    expect(() => readPlanManifest(partial)).toThrow("does not exist");

    // A tampered plan in one shard: refused, naming the stack.
    const victim = parts[1]!.run.manifest.stacks.find((s) => s.planFile)!;
    const victimKey = `finops-landing/plans/pr-7/${COMMIT}/shard-2-of-2/${victim.planFile}`;
    const original = store.objects.get(victimKey)!;
    store.objects.set(victimKey, new TextEncoder().encode("swapped"));
    await expect(getShardedPlans(store, path.join(work, "apply-tampered"), KEY, receipts)).rejects.toThrow(
      `refused: ${victim.info.stack} (its plan ${victim.planFile} has sha256`,
    );
    store.objects.set(victimKey, original);

    const dir = path.join(work, "apply");
    const manifest = await getShardedPlans(store, dir, KEY, [...receipts].reverse());
    expect(manifest.shard).toBeUndefined();
    expect(manifest.stacks.map((s) => s.info.stack).sort()).toEqual(
      parts.flatMap((p) => p.run.manifest.stacks.map((s) => s.info.stack)).sort(),
    );
    expect(manifest.stacks.every((s) => !s.planFile || /^shard-[12]-of-2\/plans\//.test(s.planFile))).toBe(
      true,
    );

    const seen: RolloutUnit[] = [];
    const deployed = await deployLanding({
      config: CONFIG,
      target: targetFor(CONFIG, { FINOPS_LOCAL_DIR: localDir }),
      env: {},
      outdir: path.join(dir, "unused"),
      plansDir: dir,
      localStateDir: path.join(localDir, "state"),
      wrapRunner: () => async (unit) => {
        seen.push(unit);
        return { ok: true };
      },
    });
    const withChanges = manifest.stacks.filter((s) => s.status === "changes").map((s) => s.info.stack);
    expect(seen.map((u) => u.stack).sort()).toEqual([...withChanges].sort());
    // In waves: admin first, then the members.
    expect(seen[0]).toMatchObject({ stack: "admin", wave: 1 });
    expect(seen.slice(1).every((u) => u.kind === "member")).toBe(true);
    expect(deployed.noChanges).toEqual(
      manifest.stacks.filter((s) => s.status === "no-changes").map((s) => s.info.stack),
    );
    expect(deployed.result.exitCode).toBe(0);
  }, 300_000);

  it("mergeShardManifests refuses a stack in two shards", () => {
    const m = (index: number, stacks: string[]) => ({
      dir: `shard-${index}-of-2`,
      manifest: {
        kind: "finops-landing/plan-manifest" as const,
        schemaVersion: 2 as const,
        configFile: "c.yaml",
        unchanged: [],
        shard: { index, count: 2, candidates: 3 },
        stacks: stacks.map((stack) => ({
          info: {
            stack,
            kind: "member" as const,
            accountId: "1",
            accountName: stack,
            regions: [],
            dependsOn: [],
          },
          hash: "h",
          status: "no-changes" as const,
          seconds: 1,
        })),
      },
    });
    expect(() => mergeShardManifests([m(1, ["a", "b"]), m(2, ["b", "c"])])).toThrow(
      "b is planned by both shard-1-of-2 and shard-2-of-2",
    );
    expect(() => mergeShardManifests([m(1, ["a"]), m(2, ["c"])])).toThrow(
      "the shards plan 2 stacks, not the 3 candidates",
    );
  });
});
