import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PLAN_STORE_PREFIX } from "../contracts/gitops";
import { type PlanManifest, parsePlanManifest, readPlanManifest, sha256 } from "./plan-manifest";
import { mergeShardManifests, PlanMergeError } from "./plan-merge";

/**
 * The plan store: where a pull request's saved plans wait between review and apply. Saved plans
 * hold state values (the payer's external id among them), so they live in the encrypted state
 * bucket, never in a workflow artifact:
 *
 *   s3://<state bucket>/<keyPrefix>/plans/pr-<number>/<commit sha>/stacks.json, summary.*, plans/…
 *
 * `put` (plan job, plan role) uploads the output directory of `npm run plan` and returns a receipt:
 * the sha256 of the manifest (stacks.json), which itself records the sha256 of every plan file.
 * The receipt is the only thing besides the summaries that goes into the workflow artifact.
 * `get` (apply job, apply role) downloads the plans of the merged pull request's head commit and
 * refuses, before writing anything, a manifest whose sha256 is not the receipt's or a plan file whose
 * sha256 is not the manifest's, naming the stack. `npm run deploy -- --plans` checks the plan files
 * against the manifest again right before applying (deploy/deploy.ts).
 *
 * A sharded plan (npm run plan -- --shard <i>/<n>, one CI job per shard) stores each shard under
 * its own folder, <...>/<commit sha>/shard-<i>-of-<n>/, with its own receipt, so the shards never
 * overwrite each other; `getShardedPlans` fetches and checks every shard's (one receipt each, the
 * set complete) and writes one manifest over them all for `npm run deploy -- --plans`.
 *
 * Who can write there matters: the plan role may write under plans/ (any pull request can), so
 * the reference hash must come from somewhere a pull request cannot rewrite for another one: the
 * artifact of the plan run GitHub reports for that commit (apply.yml finds it through the API).
 */

/** The few S3 operations the store needs; s3ObjectStore adapts the SDK, tests use an in-memory fake. */
export interface ObjectStore {
  put(key: string, body: Uint8Array): Promise<void>;
  /** undefined when the object does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Shown in messages, e.g. s3://bucket. */
  readonly label: string;
}

export const PLAN_RECEIPT_KIND = "finops-landing/plan-store-receipt";
export const PLAN_RECEIPT_FILE = "plan-store.json";

/** What the plan job hands to the apply job through the artifact (no plan content, no state values). */
export interface PlanReceipt {
  readonly kind: typeof PLAN_RECEIPT_KIND;
  readonly schemaVersion: 1;
  readonly pr: number;
  readonly commit: string;
  /** Where the plans are, e.g. s3://bucket/finops-landing/plans/pr-7/<sha>/ */
  readonly location: string;
  /** sha256 of stacks.json as uploaded. */
  readonly manifestSha256: string;
  /** Every uploaded file (relative path) and its sha256. */
  readonly files: Readonly<Record<string, string>>;
  /** The shard these plans are (npm run plan -- --shard); absent for an unsharded plan. */
  readonly shard?: { readonly index: number; readonly count: number };
}

export interface PlanKey {
  /** organization.stateBackend.keyPrefix */
  readonly keyPrefix: string;
  readonly pr: number;
  /** Full 40-hex commit sha of the pull request's head. */
  readonly commit: string;
  /** One shard of a sharded plan: its own folder below the commit's. */
  readonly shard?: { readonly index: number; readonly count: number };
}

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * `<keyPrefix>/plans/pr-<n>/<sha>/`, or `…/<sha>/shard-<i>-of-<n>/` for a shard, after checking
 * the parts (they become an S3 key).
 */
export function planStorePrefix(key: PlanKey): string {
  if (!Number.isSafeInteger(key.pr) || key.pr < 1) {
    throw new Error(`pull request number ${JSON.stringify(key.pr)} is not a positive integer; pass --pr <n>`);
  }
  if (!COMMIT.test(key.commit)) {
    throw new Error(
      `commit "${key.commit}" is not a full 40-character lowercase sha; pass the pull request's head sha (github.event.pull_request.head.sha)`,
    );
  }
  const base = `${key.keyPrefix}/${PLAN_STORE_PREFIX}/pr-${key.pr}/${key.commit}/`;
  if (!key.shard) return base;
  const { index, count } = key.shard;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count) {
    throw new Error(`shard ${JSON.stringify(key.shard)} is not shard i of n with 1 ≤ i ≤ n; plan again`);
  }
  return `${base}${shardFolder(key.shard)}/`;
}

/** The folder of a shard's plans: shard-<i>-of-<n>. */
export function shardFolder(shard: { readonly index: number; readonly count: number }): string {
  return `shard-${shard.index}-of-${shard.count}`;
}

/** The files of a plan directory that are stored: manifest, summaries, and each plan and its JSON. */
function storedFiles(dir: string, manifest: PlanManifest): string[] {
  const files = ["stacks.json", "summary.md", "summary.json"].filter((f) => existsSync(path.join(dir, f)));
  for (const p of manifest.stacks) {
    for (const f of [p.planFile, p.planJson]) {
      if (!f) continue;
      if (path.isAbsolute(f) || f.split(/[\\/]/).includes("..")) {
        throw new Error(`stacks.json names ${f} for ${p.info.stack}, outside the plan directory; plan again`);
      }
      files.push(f.split(path.sep).join("/"));
    }
  }
  return files;
}

/** Uploads the output directory of `npm run plan` (needs the manifest to record every plan's sha256). */
export async function putPlans(store: ObjectStore, dir: string, key: PlanKey): Promise<PlanReceipt> {
  const manifest = readPlanManifest(dir);
  const shard = manifest.shard ? { index: manifest.shard.index, count: manifest.shard.count } : undefined;
  const prefix = planStorePrefix({ ...key, ...(shard ? { shard } : {}) });
  const unhashed = manifest.stacks.filter((p) => p.planFile && !p.planSha256).map((p) => p.info.stack);
  if (unhashed.length) {
    throw new Error(`stacks.json records no sha256 for the plans of ${unhashed.join(", ")}; plan again`);
  }
  const files: Record<string, string> = {};
  for (const rel of storedFiles(dir, manifest)) {
    const body = readFileSync(path.join(dir, rel));
    files[rel] = sha256(body);
    await store.put(`${prefix}${rel}`, body);
  }
  return {
    kind: PLAN_RECEIPT_KIND,
    schemaVersion: 1,
    pr: key.pr,
    commit: key.commit,
    location: `${store.label}/${prefix}`,
    manifestSha256: files["stacks.json"]!,
    files,
    ...(shard ? { shard } : {}),
  };
}

/** Reads and checks a receipt written by `plan:store put` (from the plan run's artifact). */
export function readReceipt(file: string): PlanReceipt {
  if (!existsSync(file)) {
    throw new Error(
      `${file} does not exist; --receipt needs the ${PLAN_RECEIPT_FILE} of the pull request's plan run`,
    );
  }
  const r = JSON.parse(readFileSync(file, "utf8")) as PlanReceipt;
  if (
    r.kind !== PLAN_RECEIPT_KIND ||
    r.schemaVersion !== 1 ||
    !/^[0-9a-f]{64}$/.test(String(r.manifestSha256)) ||
    (r.shard !== undefined &&
      !(
        Number.isSafeInteger(r.shard.index) &&
        Number.isSafeInteger(r.shard.count) &&
        r.shard.index >= 1 &&
        r.shard.index <= r.shard.count
      ))
  ) {
    throw new Error(`${file} is not a plan-store receipt of this version; re-run the pull request's plan`);
  }
  return r;
}

/**
 * Downloads the plans of one pull request's commit into `dir` and checks them against the
 * receipt: stacks.json must hash to receipt.manifestSha256 and every plan file to the sha256 the
 * manifest records. Nothing is written unless everything matches.
 */
export async function getPlans(
  store: ObjectStore,
  dir: string,
  key: PlanKey,
  receipt: PlanReceipt,
): Promise<PlanManifest> {
  const { manifest, bodies } = await fetchChecked(store, key, receipt);
  writeBodies(dir, bodies);
  return manifest;
}

/**
 * Downloads every shard of a sharded plan (one receipt per shard, from the plan run's artifacts),
 * checks each against its receipt as getPlans does, and that they are one complete set (every
 * shard 1..n once, every candidate stack in one shard: mergeShardManifests). Only then writes each
 * shard into <dir>/shard-<i>-of-<n>/ and one manifest over all of them into <dir>/stacks.json, which
 * `npm run deploy -- --plans <dir>` applies in one rollout. Nothing is written unless all match.
 */
export async function getShardedPlans(
  store: ObjectStore,
  dir: string,
  key: PlanKey,
  receipts: readonly PlanReceipt[],
): Promise<PlanManifest> {
  const fetched: { folder: string; manifest: PlanManifest; bodies: Map<string, Uint8Array> }[] = [];
  for (const receipt of receipts) {
    if (!receipt.shard) {
      throw new PlanMergeError(
        `refused: a receipt of pull request #${receipt.pr} is not a shard's (no shard) but is given with others; pass one receipt for an unsharded plan, or one per shard; nothing was applied`,
      );
    }
    const { manifest, bodies } = await fetchChecked(store, { ...key, shard: receipt.shard }, receipt);
    if (manifest.shard?.index !== receipt.shard.index || manifest.shard.count !== receipt.shard.count) {
      throw new PlanMergeError(
        `refused: the receipt is for shard ${receipt.shard.index} of ${receipt.shard.count}, its manifest for ${manifest.shard ? `shard ${manifest.shard.index} of ${manifest.shard.count}` : "no shard"}; nothing was applied. Re-run the pull request's plan`,
      );
    }
    fetched.push({ folder: shardFolder(receipt.shard), manifest, bodies });
  }
  const merged = mergeShardManifests(fetched.map((f) => ({ dir: f.folder, manifest: f.manifest })));
  for (const f of fetched) {
    writeBodies(dir, new Map([...f.bodies].map(([rel, body]) => [`${f.folder}/${rel}`, body])));
  }
  writeFileSync(path.join(dir, "stacks.json"), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

function writeBodies(dir: string, bodies: ReadonlyMap<string, Uint8Array>): void {
  for (const [rel, body] of bodies) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body);
  }
}

/** Downloads one stored plan set into memory, checked against its receipt (see getPlans). */
async function fetchChecked(
  store: ObjectStore,
  key: PlanKey,
  receipt: PlanReceipt,
): Promise<{ manifest: PlanManifest; bodies: Map<string, Uint8Array> }> {
  const prefix = planStorePrefix(key);
  if (receipt.pr !== key.pr || receipt.commit !== key.commit) {
    throw new Error(
      `refused: the receipt is for pull request #${receipt.pr} at ${receipt.commit}, not #${key.pr} at ${key.commit}; nothing was applied`,
    );
  }
  const where = `${store.label}/${prefix}`;
  const manifestBytes = await store.get(`${prefix}stacks.json`);
  if (!manifestBytes) {
    throw new Error(
      `no saved plans at ${where} (stacks.json missing): the pull request's head commit was never planned, or its plans expired; re-run its plan`,
    );
  }
  const manifestSha = sha256(manifestBytes);
  if (manifestSha !== receipt.manifestSha256) {
    throw new Error(
      `refused: ${where}stacks.json has sha256 ${manifestSha}, not the ${receipt.manifestSha256} its plan run recorded: the stored plans changed after review; nothing was applied. Re-run the pull request's plan`,
    );
  }
  const manifest = parsePlanManifest(new TextDecoder().decode(manifestBytes), `${where}stacks.json`);
  const bodies = new Map<string, Uint8Array>([["stacks.json", manifestBytes]]);
  const problems: string[] = [];
  for (const p of manifest.stacks) {
    if (p.status === "errored" || !p.planFile) continue;
    const rel = p.planFile.split(path.sep).join("/");
    const body = await store.get(`${prefix}${rel}`);
    if (!body) problems.push(`${p.info.stack} (its plan ${rel} is missing)`);
    else if (!p.planSha256 || sha256(body) !== p.planSha256)
      problems.push(
        `${p.info.stack} (its plan ${rel} has sha256 ${sha256(body)}, not the reviewed ${p.planSha256 ?? "(none recorded)"})`,
      );
    else bodies.set(rel, body);
    if (p.planJson) {
      const json = await store.get(`${prefix}${p.planJson.split(path.sep).join("/")}`);
      if (json) bodies.set(p.planJson.split(path.sep).join("/"), json);
    }
  }
  if (problems.length) {
    throw new Error(
      `refused: ${problems.join("; ")} at ${where}; nothing was applied. Apply only the plans that were reviewed: re-run the pull request's plan`,
    );
  }
  for (const rel of ["summary.md", "summary.json"]) {
    const body = await store.get(`${prefix}${rel}`);
    if (body) bodies.set(rel, body);
  }
  return { manifest, bodies };
}

/** The S3 adapter, with the caller's credentials (the job's OIDC role: plan role puts, apply role gets). */
export async function s3ObjectStore(
  bucket: string,
  region: string,
  clientConfig: Record<string, unknown> = {},
): Promise<ObjectStore> {
  const { S3Client, PutObjectCommand, GetObjectCommand, NoSuchKey } = await import("@aws-sdk/client-s3");
  const s3 = new S3Client({ region, ...clientConfig });
  return {
    label: `s3://${bucket}`,
    async put(key, body) {
      // No ServerSideEncryption header: "If a PUT Object request doesn't specify any server-side
      // encryption, this default encryption will be applied" (S3 API reference,
      // ServerSideEncryptionByDefault), i.e. the state bucket's SSE-KMS key, as for state itself.
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async get(key) {
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
      } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey") return undefined;
        throw e;
      }
    },
  };
}
