import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PLAN_MANIFEST_KIND, PLAN_MANIFEST_VERSION, sha256 } from "../../../deploy/plan-manifest";
import {
  getPlans,
  getShardedPlans,
  type ObjectStore,
  PLAN_RECEIPT_FILE,
  type PlanReceipt,
  planStorePrefix,
  putPlans,
} from "../../../deploy/plan-store";
import { run } from "../../../scripts/plan-store";

/**
 * The plan store the workflows call (`npm run plan:store -- put|get`): saved plans go to the state
 * bucket keyed by pull request and commit, the receipt (hashes only) is what the artifact carries,
 * and get refuses anything whose hash differs before writing a byte. S3 is replaced here by an
 * in-memory map (unit tests in this project never start the emulator); the same put/get run
 * against the emulator's S3 with a KMS-encrypted bucket in test/integration/plan-store.test.ts.
 */

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const KEY = { keyPrefix: "finops-landing", pr: 7, commit: COMMIT };
const PREFIX = `finops-landing/plans/pr-7/${COMMIT}/`;

function memoryStore(): ObjectStore & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  return {
    objects,
    label: "s3://example-org-terraform-state",
    async put(key, body) {
      objects.set(key, new Uint8Array(body));
    },
    async get(key) {
      return objects.get(key);
    },
  };
}

const tmpDirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "plan-store-"));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** A plan directory as `npm run plan` writes it: two stacks with plans, one errored. */
function planDir(): string {
  const dir = tmp();
  mkdirSync(path.join(dir, "plans"));
  mkdirSync(path.join(dir, "synth"));
  writeFileSync(path.join(dir, "synth", "not-stored.txt"), "synth output stays local");
  const stack = (name: string, plan: string) => {
    writeFileSync(path.join(dir, "plans", `${name}.tfplan`), plan);
    writeFileSync(path.join(dir, "plans", `${name}.json`), JSON.stringify({ stack: name }));
    return {
      info: { stack: name },
      hash: "a".repeat(64),
      status: "changes",
      planFile: `plans/${name}.tfplan`,
      planJson: `plans/${name}.json`,
      planSha256: sha256(plan),
      seconds: 1,
    };
  };
  const manifest = {
    kind: PLAN_MANIFEST_KIND,
    schemaVersion: PLAN_MANIFEST_VERSION,
    configFile: "accounts/example.yaml",
    unchanged: [],
    stacks: [
      stack("payer", "payer plan bytes"),
      stack("member-shop-dev", "shop-dev plan bytes"),
      { info: { stack: "admin" }, hash: "b".repeat(64), status: "errored", error: "x", seconds: 1 },
    ],
  };
  writeFileSync(path.join(dir, "stacks.json"), JSON.stringify(manifest));
  writeFileSync(path.join(dir, "summary.md"), "# plan\n");
  writeFileSync(path.join(dir, "summary.json"), "{}\n");
  return dir;
}

describe("plan store keys", () => {
  it("keys plans by pull request and full commit sha under <keyPrefix>/plans/", () => {
    expect(planStorePrefix(KEY)).toBe(PREFIX);
  });

  it("refuses a pull request number or commit that is not one (they become an S3 key)", () => {
    expect(() => planStorePrefix({ ...KEY, pr: 0 })).toThrow(
      "pull request number 0 is not a positive integer",
    );
    expect(() => planStorePrefix({ ...KEY, commit: "../../x" })).toThrow(
      'commit "../../x" is not a full 40-character lowercase sha',
    );
    expect(() => planStorePrefix({ ...KEY, commit: COMMIT.slice(0, 7) })).toThrow(/not a full 40-character/);
  });
});

describe("putPlans / getPlans", () => {
  it("stores the manifest, summaries, plans and their JSON (nothing else) and receipts their hashes", async () => {
    const store = memoryStore();
    const dir = planDir();
    const receipt = await putPlans(store, dir, KEY);
    expect([...store.objects.keys()].sort()).toEqual(
      [
        "stacks.json",
        "summary.md",
        "summary.json",
        "plans/payer.tfplan",
        "plans/payer.json",
        "plans/member-shop-dev.tfplan",
        "plans/member-shop-dev.json",
      ]
        .map((f) => PREFIX + f)
        .sort(),
    );
    expect(receipt).toMatchObject({
      kind: "finops-landing/plan-store-receipt",
      pr: 7,
      commit: COMMIT,
      location: `s3://example-org-terraform-state/${PREFIX}`,
      manifestSha256: sha256(readFileSync(path.join(dir, "stacks.json"))),
    });
    expect(receipt.files["plans/payer.tfplan"]).toBe(sha256("payer plan bytes"));
    // The receipt holds hashes and names only: no plan content reaches the artifact.
    expect(JSON.stringify(receipt)).not.toContain("plan bytes");
  });

  it("gets back exactly the reviewed plans of that commit", async () => {
    const store = memoryStore();
    const receipt = await putPlans(store, planDir(), KEY);
    const out = tmp();
    const manifest = await getPlans(store, out, KEY, receipt);
    expect(manifest.stacks.map((s) => s.info.stack)).toEqual(["payer", "member-shop-dev", "admin"]);
    expect(readFileSync(path.join(out, "plans/member-shop-dev.tfplan"), "utf8")).toBe("shop-dev plan bytes");
    expect(readFileSync(path.join(out, "summary.md"), "utf8")).toBe("# plan\n");
  });

  it("refuses a tampered plan file before writing anything, naming the stack", async () => {
    const store = memoryStore();
    const receipt = await putPlans(store, planDir(), KEY);
    store.objects.set(`${PREFIX}plans/member-shop-dev.tfplan`, new TextEncoder().encode("swapped plan"));
    const out = tmp();
    await expect(getPlans(store, out, KEY, receipt)).rejects.toThrow(
      `refused: member-shop-dev (its plan plans/member-shop-dev.tfplan has sha256 ${sha256("swapped plan")}, not the reviewed ${sha256("shop-dev plan bytes")}) at s3://example-org-terraform-state/${PREFIX}; nothing was applied`,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it("refuses a manifest rewritten to match a swapped plan: its hash is not the receipt's", async () => {
    const store = memoryStore();
    const receipt = await putPlans(store, planDir(), KEY);
    const manifest = JSON.parse(new TextDecoder().decode(store.objects.get(`${PREFIX}stacks.json`)));
    manifest.stacks[1].planSha256 = sha256("swapped plan");
    store.objects.set(`${PREFIX}plans/member-shop-dev.tfplan`, new TextEncoder().encode("swapped plan"));
    store.objects.set(`${PREFIX}stacks.json`, new TextEncoder().encode(JSON.stringify(manifest)));
    await expect(getPlans(store, tmp(), KEY, receipt)).rejects.toThrow(
      /^refused: s3:\/\/example-org-terraform-state\/finops-landing\/plans\/pr-7\/0123456789abcdef0123456789abcdef01234567\/stacks\.json has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} its plan run recorded: the stored plans changed after review; nothing was applied/,
    );
  });

  it("refuses a receipt of another pull request or commit, and a commit that was never planned", async () => {
    const store = memoryStore();
    const receipt = await putPlans(store, planDir(), KEY);
    await expect(getPlans(store, tmp(), { ...KEY, pr: 8 }, receipt)).rejects.toThrow(
      `refused: the receipt is for pull request #7 at ${COMMIT}, not #8 at ${COMMIT}`,
    );
    const other = "f".repeat(40);
    await expect(
      getPlans(store, tmp(), { ...KEY, commit: other }, { ...receipt, commit: other } as PlanReceipt),
    ).rejects.toThrow(
      /^no saved plans at .*pr-7\/f{40}\/ \(stacks\.json missing\): the pull request's head commit was never planned/,
    );
  });
});

describe("npm run plan:store (scripts/plan-store.ts)", () => {
  const example = path.join(__dirname, "../../../accounts/example.yaml");

  async function cli(argv: string[], store: ObjectStore) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      argv,
      { FINOPS_CONFIG: example },
      async (bucket, region) => {
        expect([bucket, region]).toEqual(["example-org-terraform-state", "us-east-1"]);
        return store;
      },
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  it("put writes the receipt next to the plans; get with it restores them; a tampered plan exits 1", async () => {
    const store = memoryStore();
    const dir = planDir();
    const put = await cli(["put", "--dir", dir, "--pr", "7", "--commit", COMMIT], store);
    expect(put).toMatchObject({ code: 0, err: "" });
    expect(put.out).toContain(`7 files to s3://example-org-terraform-state/${PREFIX}`);
    const receiptFile = path.join(dir, PLAN_RECEIPT_FILE);
    expect(JSON.parse(readFileSync(receiptFile, "utf8")).manifestSha256).toMatch(/^[0-9a-f]{64}$/);

    const out = tmp();
    const get = await cli(
      ["get", "--dir", out, "--pr", "7", "--commit", COMMIT, "--receipt", receiptFile],
      store,
    );
    expect(get).toMatchObject({ code: 0, err: "" });
    expect(readFileSync(path.join(out, "plans/payer.tfplan"), "utf8")).toBe("payer plan bytes");

    store.objects.set(`${PREFIX}plans/payer.tfplan`, new TextEncoder().encode("swapped"));
    const refused = await cli(
      ["get", "--dir", tmp(), "--pr", "7", "--commit", COMMIT, "--receipt", receiptFile],
      store,
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^plan:store: .*: refused: payer \(its plan plans\/payer\.tfplan has sha256/);
  });

  it("exits 2 with the usage for a missing command, option or receipt", async () => {
    const store = memoryStore();
    expect((await cli([], store)).err).toContain("plan:store: put or get is required");
    const noPr = await cli(["put", "--dir", "x", "--commit", COMMIT], store);
    expect(noPr).toMatchObject({ code: 2 });
    expect(noPr.err).toContain("--pr is required");
    const noReceipt = await cli(["get", "--dir", "x", "--pr", "7", "--commit", COMMIT], store);
    expect(noReceipt.code).toBe(2);
    expect(noReceipt.err).toContain("get needs --receipt <file>");
    expect((await cli(["put", "--dir", "x", "--pr", "7a", "--commit", COMMIT], store)).err).toContain(
      '--pr "7a" is not a pull request number',
    );
  });

  it("exits 1 for a config without a state backend (the local target)", async () => {
    const out: string[] = [];
    const code = await run(
      ["put", "--dir", tmp(), "--pr", "7", "--commit", COMMIT],
      { FINOPS_CONFIG: path.join(__dirname, "../../../accounts/local.yaml") },
      async () => memoryStore(),
      () => {},
      (l) => out.push(l),
    );
    expect(code).toBe(1);
    expect(out.join("")).toMatch(
      /has no organization\.stateBackend: the plan store keeps saved plans in the state bucket/,
    );
  });
});

describe("sharded plans (npm run plan -- --shard i/n)", () => {
  /** A shard's plan directory: its manifest records the shard and the candidates in all. */
  function shardDir(index: number, count: number, stacks: string[], candidates = 3): string {
    const dir = tmp();
    mkdirSync(path.join(dir, "plans"));
    const manifest = {
      kind: PLAN_MANIFEST_KIND,
      schemaVersion: PLAN_MANIFEST_VERSION,
      configFile: "accounts/example.yaml",
      base: "0".repeat(40),
      unchanged: ["member-old"],
      shard: { index, count, candidates },
      stacks: stacks.map((name) => {
        writeFileSync(path.join(dir, "plans", `${name}.tfplan`), `${name} plan bytes`);
        return {
          info: { stack: name },
          hash: "a".repeat(64),
          status: "changes",
          planFile: `plans/${name}.tfplan`,
          planSha256: sha256(`${name} plan bytes`),
          seconds: 1,
        };
      }),
    };
    writeFileSync(path.join(dir, "stacks.json"), JSON.stringify(manifest));
    writeFileSync(path.join(dir, "summary.md"), `shard ${index}\n`);
    return dir;
  }

  it("keys each shard under its own folder, so shards never overwrite each other", async () => {
    expect(planStorePrefix({ ...KEY, shard: { index: 2, count: 3 } })).toBe(`${PREFIX}shard-2-of-3/`);
    expect(() => planStorePrefix({ ...KEY, shard: { index: 4, count: 3 } })).toThrow("is not shard i of n");
    const store = memoryStore();
    const one = await putPlans(store, shardDir(1, 2, ["payer", "member-a"]), KEY);
    const two = await putPlans(store, shardDir(2, 2, ["member-b"]), KEY);
    expect([one.shard, two.shard]).toEqual([
      { index: 1, count: 2 },
      { index: 2, count: 2 },
    ]);
    expect(one.location).toBe(`s3://example-org-terraform-state/${PREFIX}shard-1-of-2/`);
    expect([...store.objects.keys()].filter((k) => k.endsWith("stacks.json")).sort()).toEqual([
      `${PREFIX}shard-1-of-2/stacks.json`,
      `${PREFIX}shard-2-of-2/stacks.json`,
    ]);
    expect(one.manifestSha256).not.toBe(two.manifestSha256);

    const out = tmp();
    const merged = await getShardedPlans(store, out, KEY, [two, one]);
    expect(merged.stacks.map((p) => [p.info.stack, p.planFile])).toEqual([
      ["payer", "shard-1-of-2/plans/payer.tfplan"],
      ["member-a", "shard-1-of-2/plans/member-a.tfplan"],
      ["member-b", "shard-2-of-2/plans/member-b.tfplan"],
    ]);
    expect(merged).toMatchObject({ base: "0".repeat(40), unchanged: ["member-old"] });
    expect(merged.shard).toBeUndefined();
    expect(readFileSync(path.join(out, "shard-2-of-2/plans/member-b.tfplan"), "utf8")).toBe(
      "member-b plan bytes",
    );
    expect(JSON.parse(readFileSync(path.join(out, "stacks.json"), "utf8"))).toEqual(merged);
  });

  it("refuses an incomplete set, a receipt without a shard among others, and a shard whose stacks fall short", async () => {
    const store = memoryStore();
    const one = await putPlans(store, shardDir(1, 2, ["payer"]), KEY);
    const two = await putPlans(store, shardDir(2, 2, ["member-b"]), KEY);
    const out = tmp();
    await expect(getShardedPlans(store, out, KEY, [one])).rejects.toThrow("shard 2 of 2 missing");
    await expect(getShardedPlans(store, out, KEY, [one, one, two])).rejects.toThrow(
      "shard 1 of 2 is given twice",
    );
    const { shard: _shard, ...unsharded } = one;
    await expect(getShardedPlans(store, out, KEY, [unsharded, two])).rejects.toThrow(
      "is not a shard's (no shard) but is given with others",
    );
    // every shard present, but the candidates were 3: one stack is planned by none
    expect(readdirSync(out)).toEqual([]);
    const short = memoryStore();
    const a = await putPlans(short, shardDir(1, 2, ["payer"], 3), KEY);
    const b = await putPlans(short, shardDir(2, 2, ["member-b"], 3), KEY);
    await expect(getShardedPlans(short, out, KEY, [a, b])).rejects.toThrow(
      "the shards plan 2 stacks, not the 3 candidates",
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it("npm run plan:store -- get takes one --receipt per shard", async () => {
    const example = path.join(__dirname, "../../../accounts/example.yaml");
    const store = memoryStore();
    const dirs = [shardDir(1, 2, ["payer", "member-a"]), shardDir(2, 2, ["member-b"])];
    const cli = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(
        argv,
        { FINOPS_CONFIG: example },
        async () => store,
        (l) => out.push(l),
        (l) => err.push(l),
      );
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    for (const d of dirs) {
      expect((await cli(["put", "--dir", d, "--pr", "7", "--commit", COMMIT])).code).toBe(0);
    }
    const receipts = dirs.flatMap((d) => ["--receipt", path.join(d, PLAN_RECEIPT_FILE)]);
    const out = tmp();
    const got = await cli(["get", "--dir", out, "--pr", "7", "--commit", COMMIT, ...receipts]);
    expect(got).toMatchObject({ code: 0, err: "" });
    expect(got.out).toContain("3 reviewed plans of pull request #7 at 0123456 in");
    expect(got.out).toContain("from 2 shards, hashes match the receipts");
    expect(readFileSync(path.join(out, "shard-1-of-2/plans/payer.tfplan"), "utf8")).toBe("payer plan bytes");
    const partial = await cli([
      "get",
      "--dir",
      tmp(),
      "--pr",
      "7",
      "--commit",
      COMMIT,
      ...receipts.slice(0, 2),
    ]);
    expect(partial.code).toBe(1);
    expect(partial.err).toContain("shard 2 of 2 missing");
  });
});
