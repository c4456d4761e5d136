import { isCidr, isPrivate, overlaps, parseCidr } from "../modules/network/cidr";
import { unreachableEndpoints } from "../modules/network/endpoints";
import { BILLING_HOME_REGION } from "./regions";
import type { AccountConfig } from "./schema";

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
    ...config.members.map((entry, i) => ({
      entry,
      at: { path: ["members", i], label: `members[${i}] (${entry.name})` } as Located,
    })),
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

/**
 * Layer 2: rules that need the whole document. Collects every problem; never stops at the first.
 */
export function checkCrossReferences(config: AccountConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];

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

  config.members.forEach((m, i) => {
    if (!ous.has(m.ou)) {
      issues.push({
        path: ["members", i, "ou"],
        message: `no OU named "${m.ou}" in organization.organizationalUnits; OUs are: ${ouNames}`,
      });
    }
  });

  if (config.cur.homeRegion !== BILLING_HOME_REGION) {
    issues.push({
      path: ["cur", "homeRegion"],
      message: `is "${config.cur.homeRegion}", but AWS Data Exports (CUR 2.0, FOCUS) exist only in ${BILLING_HOME_REGION}; set cur.homeRegion: ${BILLING_HOME_REGION} (the export can still deliver to a bucket in another region)`,
    });
  }

  const memberRegions = new Set(config.members.flatMap((m) => m.regions));
  config.rollout.regionOrder.forEach((r, i) => {
    if (!memberRegions.has(r)) {
      issues.push({
        path: ["rollout", "regionOrder", i],
        message: `"${r}" is not a region of any member; member regions are: ${[...memberRegions].join(", ") || "(none)"}`,
      });
    }
  });

  if (config.target === "aws" && config.organization.stateBackend === undefined) {
    issues.push({
      path: ["organization"],
      message:
        "has no stateBackend, which target aws requires; add organization.stateBackend with the state bucket and its region (see README: state bucket bootstrap)",
    });
  }

  if (config.target === "local" && config.organization.credentials === "profiles") {
    issues.push({
      path: ["organization", "credentials"],
      message:
        'is "profiles", which only target aws supports: the local target reaches the emulator with its own test credentials; remove credentials (or set assume-role) for target local',
    });
  }

  issues.push(...checkVpc(config), ...checkEncryptionKeys(config), ...checkCurEncryption(config));

  return issues;
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
