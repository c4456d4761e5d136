/**
 * The member config: what the FinOps API knows of the accounts config's members, as one versioned
 * JSON document the admin stack writes to S3 (modules/app/member-config.ts) and the API function
 * reads (functions/api/member-config-source.ts): each non-retired member's environment
 * (members[].environment, what GET /spend?environment= filters by) and, when set, its monthly budget
 * (members[].budget.monthlyUsd, which application budgets must hold: docs/budgets.md).
 *
 *   {"kind":"finops-landing/member-config","version":1,"accounts":{
 *   "333333333333":{"environment":"dev","monthlyUsd":1500},
 *   "555555555555":{"environment":"sandbox"}
 *   }}
 *
 * An S3 object has no 4 KB limit (Lambda's environment variables had): 10,000 accounts take about
 * 500 KB. The bytes are stable (account ids and each entry's fields sorted, one account a line), so
 * an unchanged config writes the same object and a plan shows one line per added, changed or
 * retired account.
 *
 * Plain data and functions: imports nothing of the project.
 */

/** The document's `kind`. */
export const MEMBER_CONFIG_KIND = "finops-landing/member-config";

/** The only version this code writes and reads; a reader refuses any other. */
export const MEMBER_CONFIG_VERSION = 1;

/** The object's key in the admin stack's application configuration bucket. */
export const MEMBER_CONFIG_KEY = "config/members.json";

/** The API function's variables naming the object (constant size, whatever the member count). */
export const MEMBER_CONFIG_BUCKET_ENV = "MEMBER_CONFIG_BUCKET";
export const MEMBER_CONFIG_KEY_ENV = "MEMBER_CONFIG_KEY";

/** Where a member's monthly budget is set, as errors and docs name it. */
export const CONFIG_BUDGET_FIELD = "members[].budget.monthlyUsd";

/** Where an account's environment is set, as errors and docs name it. */
export const CONFIG_ENVIRONMENT_FIELD = "members[].environment";

/** One account of the document. */
export interface MemberConfigEntry {
  /** members[].environment. */
  readonly environment: string;
  /** members[].budget.monthlyUsd, when the member has a budget. */
  readonly monthlyUsd?: number;
}

/** The document, account id → entry. */
export type MemberConfig = Readonly<Record<string, MemberConfigEntry>>;

/** The document as the API's pure logic takes it. */
export interface MemberConfigMaps {
  /** account id → monthly USD, the accounts with a budget only. */
  readonly budgets: ReadonlyMap<string, number>;
  /** account id → environment, every account of the document. */
  readonly environments: ReadonlyMap<string, string>;
}

const ACCOUNT_ID = /^\d{12}$/;
const ENVIRONMENT = /^[a-z][a-z0-9-]{0,31}$/;

/** A thrown error naming the document and the field, and the fix. */
function malformed(field: string, problem: string): Error {
  return new Error(
    `member config: ${field}: ${problem} (the admin stack writes this document from the accounts config; deploy the admin stack to rewrite it)`,
  );
}

function checkEntry(id: string, entry: unknown): MemberConfigEntry {
  const at = `accounts["${id}"]`;
  if (!ACCOUNT_ID.test(id)) throw malformed(at, "is not a 12-digit account id");
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    throw malformed(
      at,
      `must be an object {"environment": …, "monthlyUsd"?: …}, not ${JSON.stringify(entry)}`,
    );
  const { environment, monthlyUsd, ...rest } = entry as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw malformed(`${at}.${unknown[0]}`, "is not a field of version 1 (environment, monthlyUsd)");
  if (typeof environment !== "string" || !ENVIRONMENT.test(environment))
    throw malformed(
      `${at}.environment`,
      `${JSON.stringify(environment)} is not an environment (${CONFIG_ENVIRONMENT_FIELD})`,
    );
  if (
    monthlyUsd !== undefined &&
    !(typeof monthlyUsd === "number" && Number.isFinite(monthlyUsd) && monthlyUsd > 0)
  )
    throw malformed(
      `${at}.monthlyUsd`,
      `${JSON.stringify(monthlyUsd)} is not a positive monthly USD amount (${CONFIG_BUDGET_FIELD})`,
    );
  return monthlyUsd === undefined ? { environment } : { environment, monthlyUsd };
}

/**
 * The document's bytes: the envelope in the order kind, version, accounts; account ids sorted, each
 * entry's fields sorted (environment, monthlyUsd), one account a line. A malformed entry throws
 * naming it, so the synth never writes what the API would refuse.
 */
export function encodeMemberConfig(config: MemberConfig): string {
  const lines = Object.keys(config)
    .sort()
    .map((id) => {
      const e = checkEntry(id, config[id]);
      return `${JSON.stringify(id)}:${JSON.stringify(e.monthlyUsd === undefined ? { environment: e.environment } : { environment: e.environment, monthlyUsd: e.monthlyUsd })}`;
    });
  const head = `{"kind":${JSON.stringify(MEMBER_CONFIG_KIND)},"version":${MEMBER_CONFIG_VERSION},"accounts":{`;
  return lines.length === 0 ? `${head}}}\n` : `${head}\n${lines.join(",\n")}\n}}\n`;
}

/** The document back from its text; every malformed part throws naming its field. */
export function parseMemberConfig(text: string): MemberConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw malformed("(document)", `is not JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw malformed("(document)", `must be a JSON object {"kind", "version", "accounts"}`);
  const doc = parsed as Record<string, unknown>;
  if (doc.kind !== MEMBER_CONFIG_KIND)
    throw malformed("kind", `${JSON.stringify(doc.kind)} is not ${JSON.stringify(MEMBER_CONFIG_KIND)}`);
  if (doc.version !== MEMBER_CONFIG_VERSION)
    throw malformed(
      "version",
      `${JSON.stringify(doc.version)} is not a version this API reads (${MEMBER_CONFIG_VERSION})`,
    );
  const accounts = doc.accounts;
  if (typeof accounts !== "object" || accounts === null || Array.isArray(accounts))
    throw malformed("accounts", `must be an object {"<account id>": {…}}, not ${JSON.stringify(accounts)}`);
  const extra = Object.keys(doc).filter((k) => !["kind", "version", "accounts"].includes(k));
  if (extra.length > 0) throw malformed(extra[0]!, "is not a field of version 1 (kind, version, accounts)");
  const out: Record<string, MemberConfigEntry> = {};
  for (const [id, entry] of Object.entries(accounts)) out[id] = checkEntry(id, entry);
  return out;
}

/** The document as the maps the API's operations take. */
export function memberConfigMaps(config: MemberConfig): MemberConfigMaps {
  const budgets = new Map<string, number>();
  const environments = new Map<string, string>();
  for (const [id, e] of Object.entries(config)) {
    environments.set(id, e.environment);
    if (e.monthlyUsd !== undefined) budgets.set(id, e.monthlyUsd);
  }
  return { budgets, environments };
}
