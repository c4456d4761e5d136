import { z } from "zod";
import {
  AWS_DOCS,
  accountEmailProblem,
  bucketNameMessage,
  bucketNameProblems,
  COGNITO_MAX_URLS,
  callbackUrlProblem,
  emailProblem,
  partitionMessage,
  partitionOf,
  tagValueProblem,
} from "./aws-limits";
import { gitopsSchema } from "./gitops";
import { AWS_REGIONS } from "./regions";

/** A list whose entries must be unique: each repeat is an error at the repeat, naming the first. */
function unique<T extends z.ZodType>(
  list: z.ZodArray<T>,
  what: string,
  key: (v: z.output<T>) => string = String,
) {
  return list.superRefine((items, ctx) => {
    const seen = new Map<string, number>();
    items.forEach((v, i) => {
      const k = key(v);
      const first = seen.get(k);
      if (first === undefined) seen.set(k, i);
      else
        ctx.addIssue({
          code: "custom",
          path: [i],
          input: v,
          message: `${JSON.stringify(v)} is listed twice (first at [${first}]); name each ${what} once`,
        });
    });
  });
}

/**
 * The account config: one YAML file per organization under accounts/.
 * This file is the single typed source of truth (types come from z.infer); the JSON Schema that
 * editors use is generated from it (`npm run accounts:schema`).
 *
 * Layer 1 (this file) checks structure, one field at a time. Layer 2 (rules.ts) checks what
 * needs the whole document: unique ids, names and emails, OUs that exist, the payer/admin split.
 * Every object is strict: an unknown key is an error, never silently ignored.
 */

const accountId = z
  .string({
    error: (iss) =>
      iss.input === undefined
        ? "is required; give the 12-digit AWS account id as a quoted string"
        : typeof iss.input === "number" && String(iss.input).length === 12
          ? `must be a quoted string (YAML reads ${iss.input} as a number); write it as "${iss.input}"`
          : `must be a quoted string of 12 digits (YAML reads ${JSON.stringify(iss.input)} as a ${typeof iss.input}); quote it and give all 12 digits, leading zeros included`,
  })
  .regex(/^\d{12}$/, {
    error: (iss) =>
      `"${iss.input}" is not a 12-digit AWS account id; account ids have exactly 12 digits, e.g. "123456789012"`,
  });

const accountName = z
  .string({ error: 'is required; give a short lowercase name such as "shared-services"' })
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
    error: (iss) =>
      `"${iss.input}" is not a valid account name; use 2-32 lowercase letters, digits and hyphens, starting with a letter (it becomes the stack id and part of resource names)`,
  });

const email = z
  .email({
    error: (iss) =>
      iss.input === undefined
        ? 'is required; give the email address, e.g. "aws+dev@example.com"'
        : `${JSON.stringify(iss.input)} is not an email address; give an address such as "aws+dev@example.com"`,
  })
  .superRefine((v, ctx) => {
    const problem = emailProblem(v);
    if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
  });

/** The root email of an account: also within AWS Organizations' 6-64 ASCII characters. */
const accountEmail = email.superRefine((v, ctx) => {
  const problem = emailProblem(v) ? undefined : accountEmailProblem(v);
  if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
});

export const region = z.enum(AWS_REGIONS, {
  error: (iss) =>
    typeof iss.input !== "string"
      ? 'must be an AWS region code such as "eu-west-1"'
      : partitionOf(iss.input) !== "aws"
        ? partitionMessage(`"${iss.input}"`, partitionOf(iss.input))
        : `"${iss.input}" is not an AWS region; use a region code such as "us-east-1" or "eu-west-1"`,
});

const regions = z
  .array(region, {
    error: (iss) =>
      iss.input === undefined
        ? "is required; list the account's regions, primary first, e.g. [us-east-1]"
        : "must be a list of AWS region codes, e.g. [us-east-1, eu-west-1]",
  })
  .min(1, { error: "must name at least one region; the first one is the account's primary region" })
  .refine((list) => new Set(list).size === list.length, {
    error: "lists a region twice; name each region once",
  });

const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, {
  error: (iss) => `"${iss.input}" is not an IAM role name; use up to 64 letters, digits and + = , . @ _ -`,
});

export const ENVIRONMENTS = ["prod", "staging", "dev", "test", "sandbox", "shared"] as const;

const environment = z.enum(ENVIRONMENTS, {
  error: (iss) => `${JSON.stringify(iss.input)} is not an environment; use one of ${ENVIRONMENTS.join(", ")}`,
});

/** A value that becomes a tag value (owner, account name): AWS's tag value limits. */
function asTagValue<T extends z.ZodType<string>>(schema: T) {
  return schema.superRefine((v, ctx) => {
    const problem = tagValueProblem(v);
    if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
  });
}

const budget = z.strictObject({
  /** Monthly budget in USD for this account's AWS Budget and its spend cards. */
  monthlyUsd: z
    .number({ error: "must be a number of US dollars, e.g. 2500" })
    .positive({ error: "must be greater than 0" }),
  /** Who is told when actual or forecast spend crosses the thresholds. @default [] (the owner only) */
  notify: unique(z.array(email), "address", (v) => v.toLowerCase()).default([]),
});

const accountBase = {
  id: accountId,
  name: accountName,
  email: accountEmail,
  /** Role Terraform assumes in this account. @default organization.deployRoleName */
  deployRole: roleName.optional(),
};

/** Owner tag of the payer and admin stacks. @default "platform" */
const platformOwner = asTagValue(z.string().min(1)).default("platform");

const payer = z.strictObject({
  ...accountBase,
  owner: platformOwner,
  /** Regions of the payer stack. @default [cur.homeRegion] */
  regions: regions.optional(),
});

const admin = z.strictObject({
  ...accountBase,
  owner: platformOwner,
  /** Regions of the delegated-admin stack; the first is where the FinOps application runs. */
  regions,
});

const member = z.strictObject({
  ...accountBase,
  /** Name of an entry in organization.organizationalUnits. */
  ou: z.string({ error: "is required; name an OU listed under organization.organizationalUnits" }),
  environment,
  /** Team or person accountable for the account's spend (an email or a team handle). */
  owner: asTagValue(
    z.string({ error: "is required; name the team or person accountable for the spend" }).min(1),
  ),
  regions,
  budget: budget.optional(),
  /**
   * A retired account keeps its entry so that the next plan destroys its baseline stack;
   * remove the entry only after that plan was applied. @default false
   */
  retired: z.boolean().default(false),
});

const organizationalUnit = z.strictObject({
  name: z.string().regex(/^[A-Za-z][\w -]{0,127}$/, {
    error: (iss) => `"${iss.input}" is not an OU name; use letters, digits, spaces, hyphens or underscores`,
  }),
  /** Parent OU by name. @default the organization root */
  parent: z.string().optional(),
});

const stateBackend = z.strictObject({
  /** S3 bucket that holds every stack's state (see README: state bucket bootstrap). */
  bucket: z.string().superRefine((v, ctx) => {
    const problems = bucketNameProblems(v);
    if (problems.length > 0)
      ctx.addIssue({
        code: "custom",
        input: v,
        message: bucketNameMessage(v, problems, "name the existing state bucket exactly"),
      });
  }),
  region,
  /** Key prefix: each stack's state is <keyPrefix>/<stack>.tfstate. @default "finops-landing" */
  keyPrefix: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)*$/, { error: "must be a key prefix without leading or trailing slashes" })
    .default("finops-landing"),
  /** Role the backend assumes to reach the state bucket. @default none (the caller's credentials) */
  roleArn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: "must be an IAM role ARN" })
    .superRefine((v, ctx) => {
      const partition = v.split(":")[1]!;
      if (partition !== "aws")
        ctx.addIssue({
          code: "custom",
          input: v,
          message: partitionMessage(
            "the role",
            partition,
            "give a role ARN of the aws partition (arn:aws:iam::…)",
          ),
        });
    })
    .optional(),
});

/** organization.credentials: how Terraform reaches each account (modules/providers.ts). */
export const CREDENTIAL_MODES = ["assume-role", "profiles"] as const;

const organization = z.strictObject({
  name: accountName,
  /** Region of organization-wide resources (central bus, FinOps application). @default "us-east-1" */
  homeRegion: region.default("us-east-1"),
  /** Role assumed in every account unless the account names its own. @default "OrganizationAccountAccessRole" */
  deployRoleName: roleName.default("OrganizationAccountAccessRole"),
  /** Prefix of tag keys and physical names. @default "finops" */
  tagPrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,15}$/, { error: "must be 2-16 lowercase letters, digits or hyphens" })
    .refine((p) => p !== "aws", {
      error: `is "aws", which makes tag keys aws:account, aws:owner…; AWS reserves the aws: prefix of tag keys for its own tags: choose another prefix such as "finops" (AWS tag limits: ${AWS_DOCS.tags})`,
    })
    .default("finops"),
  organizationalUnits: z
    .array(organizationalUnit, { error: "must be a list of OUs, e.g. [{ name: Workloads }]" })
    .min(1, { error: "must list at least one OU; members name theirs with `ou:`" }),
  /** Remote state. Required for target aws; the local target keeps state on disk. */
  stateBackend: stateBackend.optional(),
  /**
   * Allow plans to destroy data stores (buckets, tables, keys). Leave false outside throw-away
   * organizations: with false every data store carries prevent_destroy. @default false
   */
  allowDataStoreDestroy: z.boolean().default(false),
  /**
   * How Terraform gets each account's credentials. assume-role: every provider assumes the deploy
   * role itself. profiles: every provider names the AWS shared-config profile finops-<account-id>
   * (and the S3 backend finops-state when stateBackend.roleArn is set), which
   * `npm run aws-profiles -- --role plan|apply` writes: read-only roles for plans, deploy roles for
   * applies, with the same saved plan (docs/gitops.md). profiles is target aws only; assume-role on
   * target aws must be written out, and the GitOps plan path refuses it (a pull request's plan would
   * hold every deploy role). @default "profiles" for target aws, "assume-role" for target local
   */
  credentials: z
    .enum(CREDENTIAL_MODES, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a credentials mode; use profiles (providers name the profile finops-<account-id>; the default for target aws) or assume-role (providers assume the deploy role; target local's default)`,
    })
    .optional(),
});

/** A customer-managed key named by its full ARN (aliases resolve in the caller's account). */
const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a KMS key ARN; give the full key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), not an alias`,
  })
  .superRefine((v, ctx) => {
    const partition = v.split(":")[1]!;
    if (partition !== "aws")
      ctx.addIssue({
        code: "custom",
        input: v,
        message: partitionMessage(
          "the key",
          partition,
          "give a key ARN of the aws partition (arn:aws:kms:…)",
        ),
      });
  });

/** Encryption of the CUR buckets (docs/payer.md, "Encryption"). */
const curEncryption = z.strictObject({
  /** sse-s3: S3-managed keys; sse-kms: customer-managed KMS keys. @default "sse-s3" */
  mode: z
    .enum(["sse-s3", "sse-kms"], {
      error: (iss) => `${JSON.stringify(iss.input)} is not a CUR encryption mode; use sse-s3 or sse-kms`,
    })
    .default("sse-s3"),
  /**
   * Key of the payer's CUR bucket (replication delivery), in the payer account and cur.homeRegion.
   * @default with sse-kms, a key the payer stack creates
   */
  payerBucketKeyArn: kmsKeyArn.optional(),
  /**
   * Key of the admin's CUR (replica) bucket, in the admin account and its first region. Required with
   * sse-kms: the payer's replication names it by full ARN and cannot read the admin stack's state.
   */
  adminBucketKeyArn: kmsKeyArn.optional(),
});

export const CUR_TIME_GRANULARITIES = ["HOURLY", "DAILY"] as const;

const cur = z.strictObject({
  /** Name of the CUR 2.0 export; also the folder below the prefix. @default "finops-cur2" */
  exportName: z
    .string()
    .regex(/^[\w-]{1,128}$/, { error: "must be letters, digits, hyphens or underscores" })
    .default("finops-cur2"),
  /** AWS Data Exports only run in us-east-1; anything else is refused by rules.ts. @default "us-east-1" */
  homeRegion: region.default("us-east-1"),
  /** Key prefix of exports in the bucket. @default "cur" */
  s3Prefix: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)*$/, { error: "must be a key prefix without leading or trailing slashes" })
    .default("cur"),
  timeGranularity: z.enum(CUR_TIME_GRANULARITIES).default("HOURLY"),
  /** replication: payer bucket replicated to the admin; direct: export writes to the admin bucket. */
  delivery: z.enum(["replication", "direct"]).default("replication"),
  includeResourceIds: z.boolean().default(true),
  splitCostAllocationData: z.boolean().default(false),
  includeIamPrincipalData: z.boolean().default(false),
  /** S3 Replication Time Control (15-minute SLA, extra cost). @default false */
  replicationTimeControl: z.boolean().default(false),
  focus: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  costOptimizationHub: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  encryption: curEncryption.default({ mode: "sse-s3" }),
});

/** The delegated admin's CUR data platform (docs/data-platform.md). */
const dataPlatform = z.strictObject({
  /** Athena refuses any query that would scan more than this many MB (workgroup cutoff, at least 10). @default 10240 */
  athenaBytesScannedCutoffMb: z
    .number({ error: "must be a number of megabytes, e.g. 10240" })
    .int({ error: "must be a whole number of megabytes" })
    .min(10, { error: "must be at least 10 (Athena's smallest per-query cutoff is 10 MB)" })
    .default(10240),
  /** Days Athena query results are kept in the results bucket. @default 7 */
  athenaResultsExpirationDays: z.number().int().min(1).default(7),
  accountSync: z
    .strictObject({
      /**
       * delegated-admin: the admin account reads Organizations itself (needs an Organizations
       * delegation policy); payer-role: through the payer's read role with its external id.
       * @default "delegated-admin"
       */
      mode: z
        .enum(["delegated-admin", "payer-role"], {
          error: (iss) =>
            `${JSON.stringify(iss.input)} is not an account-sync mode; use delegated-admin or payer-role`,
        })
        .default("delegated-admin"),
      /** EventBridge schedule of the full sync. @default "rate(6 hours)" */
      scheduleExpression: z
        .string()
        .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, {
          error: (iss) =>
            `${JSON.stringify(iss.input)} is not an EventBridge schedule; use rate(6 hours) or cron(0 6 * * ? *)`,
        })
        .default("rate(6 hours)"),
    })
    .default({ mode: "delegated-admin", scheduleExpression: "rate(6 hours)" }),
  /** Days an ingestion run record is kept (DynamoDB TTL). @default 400 */
  ingestionRunRetentionDays: z.number().int().min(1).default(400),
});

/** Whether a string is an IANA time zone this runtime knows (e.g. "Europe/Berlin"). */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const webUrl = z
  .string({ error: 'must be a URL such as "https://finops.example.com/callback"' })
  .superRefine((v, ctx) => {
    const problem = callbackUrlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
  });

const webUrls = unique(
  z
    .array(webUrl)
    .min(1)
    .max(COGNITO_MAX_URLS, {
      error: `lists more than ${COGNITO_MAX_URLS} URLs, Cognito's limit per app client (${AWS_DOCS.cognitoCallbackUrls})`,
    }),
  "URL",
);

const hostname = z
  .string({ error: 'must be a host name such as "finops.example.com"' })
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a lowercase DNS host name; give e.g. "finops.example.com" (no scheme, no path)`,
  });

/** CloudFront takes certificates only from ACM in us-east-1. */
const cloudFrontCertificateArn = z
  .string()
  .regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not an ACM certificate ARN in us-east-1; CloudFront uses certificates from ACM in us-east-1 only (${AWS_DOCS.cloudFrontCertificates}): request or import it there and give its ARN`,
  });

/** A WAF web ACL for CloudFront has scope CLOUDFRONT: its ARN is global, in us-east-1. */
const cloudFrontWebAclArn = z
  .string()
  .regex(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a WAF web ACL ARN of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>); create the web ACL with scope CLOUDFRONT in us-east-1 (${AWS_DOCS.cloudFrontWaf})`,
  });

/** The finance console on S3 + CloudFront (docs/console-hosting.md). */
const consoleHosting = z.strictObject({
  /**
   * Host the console in the admin account. Target local never does (the local API front serves it).
   * @default true for target aws, false for target local
   */
  enabled: z.boolean().optional(),
  /** Custom domain of the console (a CNAME you point at the distribution); needs certificateArn. @default the distribution's *.cloudfront.net domain */
  domain: hostname.optional(),
  /** ACM certificate in us-east-1 covering domain. */
  certificateArn: cloudFrontCertificateArn.optional(),
  /** WAF web ACL (scope CLOUDFRONT) in front of the console. @default none */
  webAclArn: cloudFrontWebAclArn.optional(),
});

/** The FinOps application: users, API, spend cards and approvals (docs/api.md). */
const app = z.strictObject({
  /** IANA time zone of the Monday spend-card schedule and of "today". @default "UTC" */
  timeZone: z
    .string()
    .refine(isTimeZone, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not an IANA time zone; use e.g. "Europe/Berlin" or "UTC"`,
    })
    .default("UTC"),
  /** Hour (0-23, in timeZone) on Mondays when the spend cards for the previous period(s) are made. @default 6 */
  spendCardsHour: z.number().int().min(0).max(23).default(6),
  /** Budget amount changes larger than this (USD, either direction) need a FinancialAdmin's approval. @default 10000 */
  approvalThresholdUsd: z.number({ error: "must be a number of USD, e.g. 10000" }).min(0).default(10000),
  /** Days a budget change waits for a decision before it expires. @default 7 */
  approvalTimeoutDays: z.number().int().min(1).max(90).default(7),
  /**
   * Cognito threat protection (advanced security; needs the Plus feature plan): enforced blocks
   * risky sign-ins, audit only logs them, off uses the Essentials plan. @default "enforced"
   */
  threatProtection: z.enum(["off", "audit", "enforced"]).default("enforced"),
  /**
   * Sign-in callback and sign-out URLs of web front ends besides the hosted console (https; target
   * local also http://localhost). The hosted console's own URLs are always added (docs/console-hosting.md).
   * @default target aws: none (only the hosted console's); target local: http://localhost:5173/callback and http://localhost:5173/
   */
  webCallbackUrls: webUrls.optional(),
  webLogoutUrls: webUrls.optional(),
  /**
   * TOTP multi-factor sign-in. required: Cognito asks every user for a TOTP code (set up at the
   * first sign-in), so Admins and FinancialAdmins never sign in without it; optional: only users
   * who set up TOTP are asked. Cognito MFA is per user pool, not per group (docs/console-hosting.md, "MFA").
   * @default target aws: "required"; target local: "optional"
   */
  mfa: z
    .enum(["required", "optional"], {
      error: (iss) => `${JSON.stringify(iss.input)} is not an MFA setting; use required or optional`,
    })
    .optional(),
  /** The finance console hosted on S3 + CloudFront in the admin account (docs/console-hosting.md). */
  console: consoleHosting.default({}),
  /** Steady-state requests per second and burst of the HTTP API stage. @default 50 / 100 */
  apiRateLimitPerSecond: z.number().positive().default(50),
  apiBurstLimit: z.number().int().positive().default(100),
});

const monitoring = z.strictObject({
  /** direct: one Terraform stack per member; stackset: a service-managed CloudFormation StackSet. */
  mode: z.enum(["direct", "stackset"]).default("direct"),
  /** Retention of the central log groups and of every Lambda log group. @default 365 */
  logRetentionDays: z
    .union(
      [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
        3653,
      ].map((n) => z.literal(n)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>],
      {
        error:
          "must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653",
      },
    )
    .default(365),
  /** Email subscribed to the central alerts topic. @default none */
  alertEmail: email.optional(),
  /** Where the stackset mode deploys the baseline (ignored in direct mode). See docs/monitoring.md. */
  stackset: z
    .strictObject({
      /** OUs (by name, children included) whose accounts get the baseline. Explicit allow. @default [] */
      organizationalUnits: unique(z.array(z.string()), "OU").default([]),
      /** Member accounts that get the baseline wherever their OU is. Explicit allow. @default [] */
      accounts: unique(z.array(accountId), "account").default([]),
      /** Accounts that never get the baseline, even when their OU or id is allowed. Explicit deny. @default [] */
      excludedAccounts: unique(z.array(accountId), "account").default([]),
      /** Regions of every stack instance, the first being the baseline's primary region. @default the members' regions, in config order */
      regions: unique(z.array(region).min(1), "region").optional(),
      /** Regions never deployed, even when listed. Explicit deny. @default [] */
      excludedRegions: unique(z.array(region), "region").default([]),
      /** Deploy to accounts that join a targeted OU later. @default true */
      autoDeployment: z.boolean().default(true),
      /** Keep an account's stack (its resources) when it leaves a targeted OU or the stack set. @default false */
      retainStacksOnAccountRemoval: z.boolean().default(false),
    })
    .default({
      organizationalUnits: [],
      accounts: [],
      excludedAccounts: [],
      excludedRegions: [],
      autoDeployment: true,
      retainStacksOnAccountRemoval: false,
    }),
  /** Thresholds of the failure alarms (docs/operations.md has one runbook per alarm). */
  alarms: z
    .strictObject({
      /**
       * Hours without a newly committed CUR delivery (cur-ingest's DeliveriesCommitted) before the
       * CUR-stale alarm fires. CUR 2.0 exports are refreshed about once a day; CloudWatch evaluates
       * an alarm over at most 7 days (Period x EvaluationPeriods <= 604,800 s). @default 48
       */
      curStaleHours: z
        .number({ error: "must be a whole number of hours from 24 to 168" })
        .int({ error: "must be a whole number of hours from 24 to 168" })
        .min(24, {
          error:
            "must be at least 24: CUR exports are refreshed about once a day, so fewer hours would page on the normal delivery cadence",
        })
        .max(168, {
          error:
            "must be at most 168 (7 days): CloudWatch evaluates an alarm over at most 7 days (Period x EvaluationPeriods <= 604,800 s)",
        })
        .default(48),
      /**
       * p99 latency of the HTTP API, in milliseconds, above which the API-latency alarm fires (three
       * 5-minute periods in a row). At most 30000: the Lambda integration times out at 29 s. @default 5000
       */
      apiLatencyP99Ms: z
        .number({ error: "must be a whole number of milliseconds from 100 to 30000" })
        .int({ error: "must be a whole number of milliseconds from 100 to 30000" })
        .min(100, { error: "must be at least 100 ms; a lower p99 would page on normal cold starts" })
        .max(30_000, {
          error:
            "must be at most 30000 ms: the API's Lambda integration times out at 29 s, so no request is slower",
        })
        .default(5000),
    })
    .default({ curStaleHours: 48, apiLatencyP99Ms: 5000 }),
});

/** Optional VPC mode of the admin account's functions (docs/security.md, "VPC mode"). */
const vpc = z.strictObject({
  /** Run the admin account's functions in private subnets without internet access. @default false */
  enabled: z.boolean().default(false),
  /**
   * IPv4 CIDR of the VPC, a private (RFC 1918) block from /16 to /24, split into two private
   * subnets; checked for overlap with reservedCidrs. @default "10.80.0.0/22"
   */
  cidr: z.string({ error: 'must be an IPv4 CIDR such as "10.80.0.0/22"' }).default("10.80.0.0/22"),
  /** Networks the VPC must not overlap (peered VPCs, on-premises ranges). @default [] */
  reservedCidrs: unique(
    z.array(z.string({ error: 'must be an IPv4 CIDR such as "10.0.0.0/16"' })),
    "network",
  ).default([]),
  /** Days VPC flow logs are kept. @default monitoring.logRetentionDays */
  flowLogRetentionDays: z.number().int().min(1).optional(),
});

/**
 * Data domains with their own customer-managed key, matching the modules that hold the data:
 * data (DynamoDB tables, Athena results), functions (Lambda environment, log groups, queues),
 * monitoring (central bus log group and alerts topic).
 */
export const KEY_DOMAINS = ["data", "functions", "monitoring"] as const;
export type KeyDomain = (typeof KEY_DOMAINS)[number];

const encryption = z.strictObject({
  /**
   * Keys supplied by ARN, per data domain, instead of the landing's own customer-managed keys.
   * Each must meet the key-policy requirements in docs/security.md. @default {} (one new key per domain)
   */
  keys: z
    .strictObject(
      Object.fromEntries(KEY_DOMAINS.map((d) => [d, kmsKeyArn.optional()])) as Record<
        KeyDomain,
        z.ZodOptional<typeof kmsKeyArn>
      >,
    )
    .default({}),
});

const rollout = z
  .strictObject({
    /** At most this many member accounts deploy at once (StackSets MaxConcurrentCount). */
    maxConcurrentCount: z.number().int().min(1).optional(),
    /** ... or this share of the members, rounded down, at least 1 (MaxConcurrentPercentage). */
    maxConcurrentPercentage: z.number().int().min(1).max(100).optional(),
    /** Stop starting accounts once more than this many failed (FailureToleranceCount). @default 0 */
    failureToleranceCount: z.number().int().min(0).optional(),
    /** ... or this share of the members, rounded down (FailureTolerancePercentage). */
    failureTolerancePercentage: z.number().int().min(0).max(100).optional(),
    /** Regions in this order first, the rest after in config order. @default [] */
    regionOrder: unique(z.array(region), "region").default([]),
    regionConcurrency: z.enum(["SEQUENTIAL", "PARALLEL"]).default("SEQUENTIAL"),
    concurrencyMode: z
      .enum(["STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"])
      .default("STRICT_FAILURE_TOLERANCE"),
  })
  .superRefine((r, ctx) => {
    if (r.maxConcurrentCount !== undefined && r.maxConcurrentPercentage !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["maxConcurrentPercentage"],
        message: "cannot be set together with maxConcurrentCount; keep one of the two",
      });
    }
    if (r.failureToleranceCount !== undefined && r.failureTolerancePercentage !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["failureTolerancePercentage"],
        message: "cannot be set together with failureToleranceCount; keep one of the two",
      });
    }
  });

export const accountConfigSchema = z
  .strictObject({
    /** aws: real accounts through the deploy role; local: the emulated organization (moto). @default "aws" */
    target: z.enum(["aws", "local"]).default("aws"),
    organization,
    payer,
    admin,
    members: z.array(member).default([]),
    cur: cur.default(cur.parse({})),
    monitoring: monitoring.default(monitoring.parse({})),
    dataPlatform: dataPlatform.default(dataPlatform.parse({})),
    app: app.default(app.parse({})),
    vpc: vpc.default(vpc.parse({})),
    encryption: encryption.default(encryption.parse({})),
    rollout: rollout.default(rollout.parse({})),
    /** The bootstrap stack: GitHub OIDC trust of the plan and apply roles (docs/bootstrap.md). @default none: no bootstrap stack */
    gitops: gitopsSchema.optional(),
  })
  .overwrite((config) => {
    // organization.credentials' default depends on the target: read-only plans (profiles) for aws,
    // the emulator's assume-role for local. Filled in here so every parsed config carries the mode.
    config.organization.credentials ??= defaultCredentials(config.target);
    return config;
  });

/** organization.credentials when the config leaves it out: profiles for target aws, assume-role for local. */
export function defaultCredentials(target: "aws" | "local"): (typeof CREDENTIAL_MODES)[number] {
  return target === "aws" ? "profiles" : "assume-role";
}

/** The config as written (defaults optional). */
export type AccountConfigInput = z.input<typeof accountConfigSchema>;
/** The config after validation, with every default filled in. */
export type AccountConfig = z.output<typeof accountConfigSchema>;
export type MemberAccount = AccountConfig["members"][number];
export type PayerAccount = AccountConfig["payer"];
export type AdminAccount = AccountConfig["admin"];
export type CurConfig = AccountConfig["cur"];
export type RolloutConfig = AccountConfig["rollout"];
export type MonitoringConfig = AccountConfig["monitoring"];
export type DataPlatformConfig = AccountConfig["dataPlatform"];
export type AppConfig = AccountConfig["app"];
export type StackSetTargetingConfig = MonitoringConfig["stackset"];
export type VpcConfig = AccountConfig["vpc"];
export type EncryptionConfig = AccountConfig["encryption"];
