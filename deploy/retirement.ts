import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { STATE_PROFILE_NAME } from "../modules/providers";

/**
 * Account retirement (docs/gitops.md, "Retiring an account").
 *
 * A member leaves in two merged changes:
 *  1. `retired: true` on its entry: the stack is synthesized empty (providers and backend only), so
 *     its plan destroys everything its state holds, the PR summary shows the destroys (data stores
 *     flagged), and the apply after merge carries them out;
 *  2. the entry is removed, once that destroy has been applied.
 *
 * Removing an entry that was not retired first would orphan the stack: nothing would ever plan it
 * again, and its resources would stay in the account, unmanaged. Two checks refuse that, each
 * with what to do instead:
 *  - against the previous config (the base ref of a pull request, `git show <base>:<file>`): a
 *    member that was there and not retired must not be gone now;
 *  - against the state (local state files, or the S3 state objects under the key prefix): a
 *    `member-<name>` state that still holds resources must have a member entry.
 * The first catches it at review time without credentials; the second also catches a removal that
 * skipped the pull request, and is the one `npm run deploy` runs.
 */

/** A member of a previous config, read leniently (only what the checks need). */
export interface PreviousMember {
  readonly name: string;
  readonly id: string;
  readonly retired: boolean;
}

/** A state of one stack and how many managed resource instances it holds. */
export interface StackState {
  readonly stack: string;
  readonly resources: number;
  /** Where it is: a file path or s3://bucket/key. */
  readonly location: string;
}

export interface RetirementIssue {
  readonly severity: "error" | "info";
  readonly stack: string;
  readonly message: string;
}

/** Validation refused the config: a member was removed without retiring it first. */
export class RetirementError extends Error {
  constructor(readonly issues: readonly RetirementIssue[]) {
    const errors = issues.filter((i) => i.severity === "error");
    super(
      `${errors.length} member${errors.length === 1 ? "" : "s"} removed from the config without retiring first:\n${errors.map((i) => `  - ${i.message}`).join("\n")}`,
    );
    this.name = "RetirementError";
  }
}

const HOW =
  "put the entry back with `retired: true`, merge and apply (that destroys its stack), then remove the entry in a later change";

/**
 * The members of a config document, read without the schema (the previous config may predate a
 * schema change). Entries without a name are ignored.
 */
export function membersFromYaml(text: string): PreviousMember[] {
  const doc = parseYaml(text) as { members?: unknown } | null;
  const members = doc && Array.isArray(doc.members) ? doc.members : [];
  return members
    .filter((m): m is Record<string, unknown> => typeof m === "object" && m !== null && "name" in m)
    .map((m) => ({ name: String(m.name), id: String(m.id ?? ""), retired: m.retired === true }));
}

/** Members that were in the previous config, not retired, and are gone now. */
export function checkMemberRemovals(
  previous: readonly PreviousMember[],
  current: AccountConfig,
  file: string,
  baseLabel: string,
): RetirementIssue[] {
  const now = new Set(current.members.map((m) => Names.memberStack(m)));
  const issues: RetirementIssue[] = [];
  for (const m of previous) {
    const stack = Names.memberStack(m);
    if (now.has(stack)) continue;
    if (m.retired) {
      issues.push({
        severity: "info",
        stack,
        message: `member "${m.name}" (${m.id}) was retired at ${baseLabel} and is removed from ${file} now; allowed once its destroy was applied (the state check confirms it)`,
      });
      continue;
    }
    const renamed = current.members.find((c) => c.id === m.id);
    issues.push({
      severity: "error",
      stack,
      message: renamed
        ? `member "${m.name}" (${m.id}) in ${baseLabel} is now named "${renamed.name}" in ${file}; a name is a stack id, so the rename would orphan stack ${stack}. Retire "${m.name}" first (${HOW}), or keep the name`
        : `member "${m.name}" (${m.id}) is in ${file} at ${baseLabel} but not any more, and was not retired: stack ${stack} would be orphaned with its resources left in the account. To remove it, ${HOW}`,
    });
  }
  return issues;
}

/** Managed resource instances in a Terraform state document (data sources not counted). */
export function stateResourceCount(state: unknown): number {
  const resources = (state as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return 0;
  return resources
    .filter((r) => (r as { mode?: string }).mode === "managed")
    .reduce((n, r) => n + (((r as { instances?: unknown[] }).instances ?? []).length || 0), 0);
}

/** Member states that hold resources but have no member entry, and retired members ready to go. */
export function checkOrphanStates(states: readonly StackState[], current: AccountConfig): RetirementIssue[] {
  const members = new Map(current.members.map((m) => [Names.memberStack(m), m]));
  const issues: RetirementIssue[] = [];
  for (const s of states) {
    if (!s.stack.startsWith("member-")) continue;
    const m = members.get(s.stack);
    if (!m && s.resources > 0) {
      issues.push({
        severity: "error",
        stack: s.stack,
        message: `state ${s.location} still holds ${s.resources} resource${s.resources === 1 ? "" : "s"} of stack ${s.stack}, but the config has no member "${s.stack.slice("member-".length)}": it was removed without retiring it first. To remove it, ${HOW}`,
      });
    } else if (m?.retired && s.resources === 0) {
      issues.push({
        severity: "info",
        stack: s.stack,
        message: `retired member "${m.name}" has an empty state: its entry can now be removed from the config`,
      });
    }
  }
  return issues;
}

/** The `<stack>.tfstate` files of the local target's state directory. */
export function listLocalStates(stateDir: string): StackState[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((f) => f.endsWith(".tfstate"))
    .map((f) => {
      const file = path.join(stateDir, f);
      let resources = 0;
      try {
        resources = stateResourceCount(JSON.parse(readFileSync(file, "utf8")));
      } catch {
        // An unreadable state is not empty: count it as holding resources so nothing is dropped.
        resources = Number.POSITIVE_INFINITY;
      }
      return { stack: f.slice(0, -".tfstate".length), resources, location: file };
    });
}

/** The `<keyPrefix>/<stack>.tfstate` objects of the S3 backend (needs read access to the bucket). */
export async function listS3States(backend: {
  readonly bucket: string;
  readonly keyPrefix: string;
  readonly region: string;
  readonly roleArn?: string;
  /** Shared-config profile to read through instead of assuming roleArn (credentials "profiles"). */
  readonly profile?: string;
}): Promise<StackState[]> {
  const { S3Client, ListObjectsV2Command, GetObjectCommand } = await import("@aws-sdk/client-s3");
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  if (backend.roleArn && !backend.profile) {
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({ region: backend.region });
    const r = await sts.send(
      new AssumeRoleCommand({ RoleArn: backend.roleArn, RoleSessionName: "finops-landing-state-check" }),
    );
    const c = r.Credentials!;
    credentials = {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken,
    };
  }
  const s3 = new S3Client({
    region: backend.region,
    ...(credentials ? { credentials } : {}),
    ...(backend.profile ? { profile: backend.profile } : {}),
  });
  const prefix = `${backend.keyPrefix}/member-`;
  const states: StackState[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: backend.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const key = o.Key!;
      if (!key.endsWith(".tfstate") || key.slice(backend.keyPrefix.length + 1).includes("/")) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: backend.bucket, Key: key }));
      const text = (await body.Body?.transformToString()) ?? "";
      let resources: number;
      try {
        resources = stateResourceCount(JSON.parse(text));
      } catch {
        resources = Number.POSITIVE_INFINITY;
      }
      states.push({
        stack: key.slice(backend.keyPrefix.length + 1, -".tfstate".length),
        resources,
        location: `s3://${backend.bucket}/${key}`,
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return states;
}

/** The states of the config's target: local files, or the S3 backend. */
export function listStates(config: AccountConfig, localStateDir: string): Promise<StackState[]> {
  const sb = config.organization.stateBackend;
  if (config.target === "aws" && sb) {
    // The same credentials as the S3 backend (modules/backend.ts).
    const profile =
      sb.roleArn && config.organization.credentials === "profiles" ? STATE_PROFILE_NAME : undefined;
    return listS3States({ ...sb, profile });
  }
  return Promise.resolve(listLocalStates(localStateDir));
}

/**
 * The config file as it is at a git ref, or undefined when the file did not exist there (a new
 * organization). Throws when the ref itself is unknown (a shallow clone without the base: fetch it).
 */
export function configAtRef(ref: string, file: string, cwd = process.cwd()): string | undefined {
  const rel = path.relative(gitTopLevel(cwd), path.resolve(cwd, file)).split(path.sep).join("/");
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd, stdio: "pipe" });
  } catch {
    throw new Error(
      `git ref "${ref}" is not known here; fetch it (in CI: actions/checkout with fetch-depth: 0) or pass --base <ref>`,
    );
  }
  try {
    return execFileSync("git", ["show", `${ref}:${rel}`], { cwd, stdio: "pipe", encoding: "utf8" });
  } catch {
    return undefined;
  }
}

export function gitTopLevel(cwd = process.cwd()): string {
  return execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd, encoding: "utf8" }).trim();
}
