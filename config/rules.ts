import { isCidr, isPrivate, overlaps, parseCidr } from "../contracts/cidr";
import { unreachableEndpoints } from "../contracts/endpoints";
import { GITOPS_ROLE_NAMES } from "../contracts/gitops";
import {
  AWS_DOCS,
  bucketNameMessage,
  bucketNameProblems,
  DATA_EXPORT_NAME_MAX,
  tagKeyProblem,
} from "./aws-limits";
import { checkConsole } from "./console";
import { BILLING_HOME_REGION } from "./regions";
import { type AccountConfig, defaultCredentials } from "./schema";
import { resolveStackSetTargeting, TargetingError } from "./targeting";

/** One problem found in a config, located by its path in the document. */
export interface ConfigIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

type Located = { path: (string | number)[]; label: string };

/** Every account entry of the config, with where it sits in the file. */
function accountEntries(config: AccountConfig) {
  return [
    { entry: config.payer, at: { path: ["payer"], label: "payer" } as Located },
    { entry: config.admin, at: { path: ["admin"], label: "admin" } as Located },
    // flatMap: skips the holes of a partly valid members list (see Section "members:each").
    ...config.members.flatMap((entry, i) => [
      {
        entry,
        at: { path: ["members", i], label: `members[${i}] (${entry.name})` } as Located,
      },
    ]),
  ];
}

function uniqueBy(
  config: AccountConfig,
  field: "id" | "name" | "email",
  normalise: (v: string) => string,
  issues: ConfigIssue[],
  why: string,
): void {
  const seen = new Map<string, Located>();
  for (const { entry, at } of accountEntries(config)) {
    const key = normalise(entry[field]);
    const first = seen.get(key);
    if (first) {
      issues.push({
        path: [...at.path, field],
        message: `"${entry[field]}" is already used by ${first.label}; ${why}`,
      });
    } else {
      seen.set(key, at);
    }
  }
}

/** The top-level sections of the config; a rule runs only when every section it reads is valid. */
/**
 * "members:each": the members list may have holes where a member failed layer 1 (the valid ones
 * keep their index); rules that only look at one member at a time, or can only miss (never
 * invent) a problem when members are absent, run on it. Rules over all members need "members".
 */
export type Section = keyof AccountConfig | "members:each";

/**
 * Layer 2: rules that need the whole document. Collects every problem; never stops at the first.
 * `valid` names the sections that passed layer 1: when some did not, the rules that read only
 * valid sections still run (so a second, independent error is not hidden by the first) and the
 * others wait until layer 1 is clean (their input is not yet what the rule expects).
 */
export function checkCrossReferences(
  config: AccountConfig,
  valid: ReadonlySet<Section> = new Set([...(Object.keys(config) as Section[]), "members:each"]),
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const when = (sections: Section[], rule: () => void) => {
    if (sections.every((s) => valid.has(s))) rule();
  };
  checkCore(config, issues, when);
  checkSynthPreconditions(config, issues, when);
  checkAwsLimits(config, issues, when);
  when(["admin", "vpc"], () => issues.push(...checkVpc(config)));
  when(["organization", "admin", "encryption"], () => issues.push(...checkEncryptionKeys(config)));
  when(["payer", "admin", "cur"], () => issues.push(...checkCurEncryption(config)));
  return issues;
}

type When = (sections: Section[], rule: () => void) => void;

function checkCore(config: AccountConfig, issues: ConfigIssue[], when: When): void {
  when(["payer", "admin", "members:each"], () => checkAccounts(config, issues));
  when(["organization"], () => checkOus(config, issues, when));
  when(["cur"], () => checkCurRegion(config, issues));
  when(["members", "rollout"], () => checkRegionOrder(config, issues));
  when(["target", "organization"], () => checkTarget(config, issues));
  when(["target", "app", "admin"], () => issues.push(...checkConsole(config)));
  when(["target", "organization", "payer", "admin", "members:each"], () => checkPlanPath(config, issues));
  when(["organization", "gitops"], () => checkGitopsState(config, issues));
}

/**
 * The bootstrap stack (gitops section) creates the state bucket in the management account and gives
 * the pipeline roles there access to it; a stateBackend.roleArn would send the backend to a role in
 * another place that the bootstrap neither creates nor grants (docs/bootstrap.md).
 */
function checkGitopsState(config: AccountConfig, issues: ConfigIssue[]): void {
  if (!config.gitops || !config.organization.stateBackend?.roleArn) return;
  issues.push({
    path: ["organization", "stateBackend", "roleArn"],
    message:
      "is set together with gitops: the bootstrap stack creates the state bucket in the management account and grants the plan and apply roles access to it directly; remove roleArn (or remove gitops and manage the state bucket and roles yourself, docs/gitops.md)",
  });
}

function checkAccounts(config: AccountConfig, issues: ConfigIssue[]): void {
  if (config.payer.id === config.admin.id) {
    issues.push({
      path: ["admin", "id"],
      message:
        "is the payer's id; the delegated admin must be a different account from the payer (management) account, so that the FinOps application never runs with payer privileges",
    });
  } else {
    uniqueBy(config, "id", (v) => v, issues, "every account needs its own 12-digit id");
  }
  uniqueBy(config, "name", (v) => v, issues, "names become stack ids and must be unique");
  uniqueBy(config, "email", (v) => v.toLowerCase(), issues, "AWS requires a distinct root email per account");
}

function checkOus(config: AccountConfig, issues: ConfigIssue[], when: When): void {
  const ous = new Map(config.organization.organizationalUnits.map((ou, i) => [ou.name, i]));
  const ouNames = [...ous.keys()].join(", ");
  config.organization.organizationalUnits.forEach((ou, i) => {
    if (ous.get(ou.name) !== i) {
      issues.push({
        path: ["organization", "organizationalUnits", i, "name"],
        message: `"${ou.name}" is listed twice; name each OU once`,
      });
    }
    if (ou.parent !== undefined && !ous.has(ou.parent)) {
      issues.push({
        path: ["organization", "organizationalUnits", i, "parent"],
        message: `no OU named "${ou.parent}"; OUs are: ${ouNames} (leave parent out for the root)`,
      });
    }
  });
  for (const [i, ou] of config.organization.organizationalUnits.entries()) {
    const chain = new Set<string>([ou.name]);
    let parent = ou.parent;
    while (parent !== undefined && ous.has(parent)) {
      if (chain.has(parent)) {
        issues.push({
          path: ["organization", "organizationalUnits", i, "parent"],
          message: `OU "${ou.name}" is its own ancestor (${[...chain, parent].join(" → ")}); break the cycle`,
        });
        break;
      }
      chain.add(parent);
      parent = config.organization.organizationalUnits[ous.get(parent)!]!.parent;
    }
  }
  when(["members:each"], () =>
    config.members.forEach((m, i) => {
      if (!ous.has(m.ou)) {
        issues.push({
          path: ["members", i, "ou"],
          message: `no OU named "${m.ou}" in organization.organizationalUnits; OUs are: ${ouNames}`,
        });
      }
    }),
  );
}

function checkCurRegion(config: AccountConfig, issues: ConfigIssue[]): void {
  if (config.cur.homeRegion !== BILLING_HOME_REGION) {
    issues.push({
      path: ["cur", "homeRegion"],
      message: `is "${config.cur.homeRegion}", but AWS Data Exports (CUR 2.0, FOCUS) exist only in ${BILLING_HOME_REGION}; set cur.homeRegion: ${BILLING_HOME_REGION} (the export can still deliver to a bucket in another region)`,
    });
  }
}

function checkRegionOrder(config: AccountConfig, issues: ConfigIssue[]): void {
  const memberRegions = new Set(config.members.flatMap((m) => m.regions));
  config.rollout.regionOrder.forEach((r, i) => {
    if (!memberRegions.has(r)) {
      issues.push({
        path: ["rollout", "regionOrder", i],
        message: `"${r}" is not a region of any member; member regions are: ${[...memberRegions].join(", ") || "(none)"}`,
      });
    }
  });
}

function checkTarget(config: AccountConfig, issues: ConfigIssue[]): void {
  if (config.target === "aws" && config.organization.stateBackend === undefined) {
    issues.push({
      path: ["organization"],
      message:
        "has no stateBackend, which target aws requires; add organization.stateBackend with the state bucket and its region (see README: state bucket bootstrap)",
    });
  }

  const credentials = config.organization.credentials ?? defaultCredentials(config.target);
  if (config.target === "local" && credentials === "profiles") {
    issues.push({
      path: ["organization", "credentials"],
      message:
        'is "profiles", which only target aws supports: the local target reaches the emulator with its own test credentials; remove credentials (or set assume-role) for target local',
    });
  }
}

/**
 * Target aws: pull-request plans (credentials profiles, `npm run aws-profiles -- --role plan`) reach
 * each account through the read-only role GITOPS_ROLE_NAMES.read and the state bucket through
 * stateBackend.roleArn (profile finops-state). A config that makes either of them a deploy role
 * would hand every pull request deploy rights, so it is refused here, naming the field and the fix.
 * (Explicit credentials: assume-role is refused by the plan path itself: deploy/aws-profiles.ts.)
 */
function checkPlanPath(config: AccountConfig, issues: ConfigIssue[]): void {
  if (config.target !== "aws") return;
  const read = GITOPS_ROLE_NAMES.read;
  if (config.organization.deployRoleName === read) {
    issues.push({
      path: ["organization", "deployRoleName"],
      message: `is "${read}", the read-only role pull-request plans assume in every account: a deploy role by that name would let every plan write; name the deploy role differently (default OrganizationAccountAccessRole)`,
    });
  }
  for (const { entry, at } of accountEntries(config)) {
    if (entry.deployRole === read) {
      issues.push({
        path: [...at.path, "deployRole"],
        message: `is "${read}", the read-only role pull-request plans assume: a deploy role by that name would let every plan write in ${entry.name}; name the account's deploy role differently`,
      });
    }
  }
  const stateRole = config.organization.stateBackend?.roleArn;
  const credentials = config.organization.credentials ?? defaultCredentials(config.target);
  if (stateRole && credentials === "profiles") {
    const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(stateRole);
    const deployRoles = new Set(
      accountEntries(config).map(
        ({ entry }) => `${entry.id}/${entry.deployRole ?? config.organization.deployRoleName}`,
      ),
    );
    if (match && deployRoles.has(`${match[1]}/${match[2]}`)) {
      issues.push({
        path: ["organization", "stateBackend", "roleArn"],
        message: `is account ${match[1]}'s deploy role (${match[2]}): with credentials profiles, pull-request plans reach state through it (profile finops-state) and would hold a deploy role; give a role that can only use the state bucket, or remove roleArn to use the job's own role (docs/gitops.md)`,
      });
    }
  }
}

/** `monitoring.stackset.accounts[0]` as a path. */
function parsePath(text: string): (string | number)[] {
  return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/**
 * What the stacks themselves refuse while they are built (modules/, stacks/): checked here first,
 * so that a config validate accepts always synthesizes. Where a module owns the rule, the module's
 * own function runs (one set of rules); the rest mirror the module's check and name it.
 */
function checkSynthPreconditions(config: AccountConfig, issues: ConfigIssue[], when: When): void {
  // config/targeting.ts (stackset mode): OUs and accounts that exist, a region left.
  // Checked in direct mode too: the section names the organization's OUs and accounts either way.
  when(["organization", "members", "monitoring"], () => {
    try {
      resolveStackSetTargeting(config);
    } catch (e) {
      if (!(e instanceof TargetingError)) throw e;
      for (const line of e.message.split("\n")) {
        const at = line.indexOf(": ");
        issues.push({ path: parsePath(line.slice(0, at)), message: line.slice(at + 2) });
      }
    }
  });
  // modules/monitoring/admin-monitoring.ts: the central bus lives in organization.homeRegion,
  // through one of the admin's providers.
  when(["organization", "admin"], () => checkHomeRegion(config, issues));
  when(["payer", "cur"], () => checkPayerRegions(config, issues));
}

function checkHomeRegion(config: AccountConfig, issues: ConfigIssue[]): void {
  const home = config.organization.homeRegion;
  if (!config.admin.regions.includes(home)) {
    issues.push({
      path: ["organization", "homeRegion"],
      message: `is ${home}, where the central monitoring bus and the FinOps application's alerts live, but admin.regions (${config.admin.regions.join(", ")}) does not include it; add ${home} to admin.regions or set organization.homeRegion to one of them`,
    });
  } else if (config.admin.regions[0] !== home) {
    // modules/data-platform/account-sync.ts and modules/monitoring/alarms.ts: the application runs
    // in the admin's primary region, and a rule invokes, an alarm notifies, only in its own region.
    issues.push({
      path: ["admin", "regions"],
      message: `lists ${config.admin.regions[0]} first, but organization.homeRegion is ${home}: the FinOps application runs in the admin's primary region (the first one), and the central bus's rules and the alerts topic reach only functions of their own region; list ${home} first in admin.regions`,
    });
  }
}

/** stacks/payer-stack.ts: the exports are created through the payer's provider in cur.homeRegion. */
function checkPayerRegions(config: AccountConfig, issues: ConfigIssue[]): void {
  const payerRegions = config.payer.regions;
  if (payerRegions !== undefined && !payerRegions.includes(config.cur.homeRegion)) {
    issues.push({
      path: ["payer", "regions"],
      message: `(${payerRegions.join(", ")}) does not include cur.homeRegion ${config.cur.homeRegion}, where the payer's CUR exports and bucket are created; add ${config.cur.homeRegion} to payer.regions (or leave payer.regions out)`,
    });
  }
}

/** Limits AWS enforces at apply: names and values the config shapes (config/aws-limits.ts). */
function checkAwsLimits(config: AccountConfig, issues: ConfigIssue[], when: When): void {
  when(["organization", "payer", "admin"], () => checkTagPrefix(config, issues));
  when(["cur"], () => checkExportNames(config, issues));
  when(["members:each"], () => checkBudgetSubscribers(config, issues));
}

function checkTagPrefix(config: AccountConfig, issues: ConfigIssue[]): void {
  const prefix = config.organization.tagPrefix;
  // Tag keys <prefix>:account, :environment, :owner (modules/tags.ts).
  for (const key of [`${prefix}:account`, `${prefix}:environment`, `${prefix}:owner`]) {
    const problem = tagKeyProblem(key);
    if (problem) {
      issues.push({
        path: ["organization", "tagPrefix"],
        message: `makes the tag key "${key}", which ${problem}`,
      });
      break;
    }
  }

  // Bucket names the tag prefix shapes (config/naming.ts): one error per rule broken.
  const buckets = [
    `${prefix}-cur-${config.payer.id}`,
    `${prefix}-cur-replica-${config.admin.id}`,
    `${prefix}-athena-results-${config.admin.id}`,
  ];
  for (const name of buckets) {
    const problems = bucketNameProblems(name);
    if (problems.length > 0) {
      issues.push({
        path: ["organization", "tagPrefix"],
        message: bucketNameMessage(name, problems, "choose another organization.tagPrefix"),
      });
      break;
    }
  }
}

/** Data Exports names after the suffixes the landing adds (config/naming.ts). */
function checkExportNames(config: AccountConfig, issues: ConfigIssue[]): void {
  const { cur } = config;
  const exportNames = [
    cur.exportName,
    ...(cur.focus.enabled ? [`${cur.exportName}-focus`] : []),
    ...(cur.costOptimizationHub.enabled ? [`${cur.exportName}-coh`] : []),
  ];
  const longest = exportNames.reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > DATA_EXPORT_NAME_MAX) {
    issues.push({
      path: ["cur", "exportName"],
      message: `makes the export name "${longest}" (${longest.length} characters); AWS Data Exports names are at most ${DATA_EXPORT_NAME_MAX}: shorten cur.exportName to ${DATA_EXPORT_NAME_MAX - (longest.length - cur.exportName.length)} characters or fewer (${AWS_DOCS.dataExportName})`,
    });
  }
}

/** Budget notifications: the account's topic plus at most 10 email subscribers (modules/monitoring/baseline.ts). */
function checkBudgetSubscribers(config: AccountConfig, issues: ConfigIssue[]): void {
  config.members.forEach((m, i) => {
    if (!m.budget) return;
    const ownerEmail = /^[^@\s]+@[^@\s]+$/.test(m.owner) ? [m.owner] : [];
    const subscribers = new Set([...m.budget.notify, ...ownerEmail]);
    if (subscribers.size > 10) {
      issues.push({
        path: ["members", i, "budget", "notify"],
        message: `gives each budget notification ${subscribers.size} email subscribers${ownerEmail.length && !m.budget.notify.includes(m.owner) ? " (the owner's email included)" : ""}; AWS Budgets allows at most 10 email subscribers per notification: list 10 or fewer, or notify a mailing list (${AWS_DOCS.budgetSubscribers})`,
      });
    }
  });
}

/** VPC mode: a valid private CIDR of a usable size that overlaps none of the reserved networks. */
function checkVpc(config: AccountConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { vpc } = config;
  const unreachable = vpc.enabled ? unreachableEndpoints(config.admin.regions[0]!) : [];
  if (unreachable.length > 0) {
    issues.push({
      path: ["vpc", "enabled"],
      message: `is true, but the functions run in ${config.admin.regions[0]} and ${unreachable.map((s) => s.service).join(" and ")} (${unreachable.map((s) => s.why).join("; ")}) have API and VPC endpoints only in us-east-1, which the private VPC cannot reach; make us-east-1 the admin's primary region (admin.regions[0]) or set vpc.enabled to false`,
    });
  }
  const reserved = vpc.reservedCidrs.map((text, i) => {
    const c = parseCidr(text);
    if (!isCidr(c)) issues.push({ path: ["vpc", "reservedCidrs", i], message: c.error });
    return c;
  });
  const cidr = parseCidr(vpc.cidr);
  if (!isCidr(cidr)) {
    issues.push({ path: ["vpc", "cidr"], message: cidr.error });
    return issues;
  }
  if (cidr.prefix < 16 || cidr.prefix > 24) {
    issues.push({
      path: ["vpc", "cidr"],
      message: `"${vpc.cidr}" is a /${cidr.prefix}; use a /16 to /24 (AWS allows /16 at most, and each of the two subnets needs room for the interface endpoints' addresses)`,
    });
  }
  if (!isPrivate(cidr)) {
    issues.push({
      path: ["vpc", "cidr"],
      message: `"${vpc.cidr}" is not a private range; use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`,
    });
  }
  reserved.forEach((r, i) => {
    if (isCidr(r) && overlaps(cidr, r)) {
      issues.push({
        path: ["vpc", "cidr"],
        message: `"${vpc.cidr}" overlaps vpc.reservedCidrs[${i}] ("${vpc.reservedCidrs[i]}"); pick a block outside every reserved network`,
      });
    }
  });
  return issues;
}

/**
 * Supplied keys live in the account and the region of what they encrypt (the admin): data and
 * functions in the admin's primary region, monitoring in organization.homeRegion (the central bus).
 */
function checkEncryptionKeys(config: AccountConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [domain, arn] of Object.entries(config.encryption.keys)) {
    if (arn === undefined) continue;
    const [, , , keyRegion, keyAccount] = arn.split(":");
    const [where, region] =
      domain === "monitoring"
        ? ["organization.homeRegion, where the central monitoring lives,", config.organization.homeRegion]
        : ["the admin's primary region", config.admin.regions[0]];
    if (keyAccount !== config.admin.id) {
      issues.push({
        path: ["encryption", "keys", domain],
        message: `is a key of account ${keyAccount}; supply a key of the admin account (${config.admin.id}), where the data of domain "${domain}" lives`,
      });
    } else if (keyRegion !== region) {
      issues.push({
        path: ["encryption", "keys", domain],
        message: `is a key in ${keyRegion}; KMS keys are regional: supply a key in ${where} ${region}`,
      });
    }
  }
  return issues;
}

/** cur.encryption: which keys sse-kms needs, and that each lives where its bucket is (docs/payer.md). */
function checkCurEncryption(config: AccountConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { mode, payerBucketKeyArn, adminBucketKeyArn } = config.cur.encryption;
  const at = (field: string) => ["cur", "encryption", field];
  if (mode === "sse-s3") {
    for (const [field, arn] of [
      ["payerBucketKeyArn", payerBucketKeyArn],
      ["adminBucketKeyArn", adminBucketKeyArn],
    ] as const) {
      if (arn !== undefined)
        issues.push({
          path: at(field),
          message: `is set, but cur.encryption.mode is sse-s3, which uses no KMS key; set mode: sse-kms or remove ${field}`,
        });
    }
    return issues;
  }
  if (adminBucketKeyArn === undefined) {
    issues.push({
      path: ["cur", "encryption"],
      message: `has mode sse-kms but no adminBucketKeyArn; give the full ARN of a key in the admin account (${config.admin.id}, ${config.admin.regions[0]}) for the admin's CUR bucket (the payer's exports or replication write with it)`,
    });
  }
  if (payerBucketKeyArn !== undefined && config.cur.delivery === "direct") {
    issues.push({
      path: at("payerBucketKeyArn"),
      message:
        "is set, but cur.delivery is direct, which has no payer bucket; remove payerBucketKeyArn (the exports write to the admin's bucket, encrypted with adminBucketKeyArn)",
    });
  }
  const where = (
    field: string,
    arn: string | undefined,
    account: { label: string; id: string },
    region: string,
  ) => {
    if (arn === undefined) return;
    const [, , , keyRegion, keyAccount] = arn.split(":");
    if (keyAccount !== account.id)
      issues.push({
        path: at(field),
        message: `is a key of account ${keyAccount}; supply a key of the ${account.label} account (${account.id}), which owns the bucket it encrypts`,
      });
    else if (keyRegion !== region)
      issues.push({
        path: at(field),
        message: `is a key in ${keyRegion}; KMS keys are regional and S3 needs one in the bucket's region: supply a key in ${region}`,
      });
  };
  where(
    "payerBucketKeyArn",
    payerBucketKeyArn,
    { label: "payer", id: config.payer.id },
    config.cur.homeRegion,
  );
  where(
    "adminBucketKeyArn",
    adminBucketKeyArn,
    { label: "admin", id: config.admin.id },
    config.admin.regions[0]!,
  );
  return issues;
}
