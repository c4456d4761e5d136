import { PREVENT_DESTROY_TYPES } from "../contracts/data-stores";
import { isArnWildcardAllowed, isWildcardAllowed } from "../modules/iam-wildcards";
import {
  hasRestrictingCondition,
  isAnyPrincipal,
  list,
  parsePolicy,
  principalsOf,
  type Statement,
  wildcardArnReason,
} from "./policy";
import { block, blocks, parseRef, type ResourceView, StackView, type SynthesizedStack } from "./stack-view";

/**
 * The security baseline as rules over synthesized Terraform JSON. Every rule looks at every
 * resource of its types, so a resource added tomorrow is checked without a new test. A finding
 * names the stack, the resource (Terraform address and construct path) and the rule id; the only
 * way around a rule is an entry in exceptions.ts, with a reason.
 */

/** What the rules need to know about the config the stacks were synthesized from. */
export interface RuleSettings {
  /** monitoring.logRetentionDays: Lambda log groups keep logs at least this long. */
  readonly logRetentionDays: number;
  /** organization.allowDataStoreDestroy: when false every data store carries prevent_destroy. */
  readonly allowDataStoreDestroy: boolean;
}

export interface Violation {
  readonly stack: string;
  readonly address: string;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export interface Rule {
  readonly id: string;
  /** What the rule demands, in one line (shown in docs/security.md and by security:check). */
  readonly title: string;
  readonly check: (
    view: StackView,
    settings: RuleSettings,
  ) => Array<{ resource: ResourceView; message: string }>;
}

type Finding = { resource: ResourceView; message: string };

/** Lambda runtimes the landing may deploy (AWS-supported, not within a year of deprecation). */
export const SUPPORTED_LAMBDA_RUNTIMES = [
  "nodejs20.x",
  "nodejs22.x",
  "python3.12",
  "python3.13",
  "provided.al2023",
] as const;

/** Who invokes a function asynchronously (so failures need a DLQ or an on-failure destination). */
const ASYNC_INVOKER_PRINCIPALS = [
  "events.amazonaws.com",
  "scheduler.amazonaws.com",
  "sns.amazonaws.com",
  "s3.amazonaws.com",
  "logs.amazonaws.com",
  "lambda.alarms.cloudwatch.amazonaws.com",
  "ses.amazonaws.com",
  "iot.amazonaws.com",
  "config.amazonaws.com",
];
const ASYNC_INVOKER_TYPES = [
  "aws_cloudwatch_event_target",
  "aws_scheduler_schedule",
  "aws_sns_topic_subscription",
  "aws_s3_bucket_notification",
  "aws_cloudwatch_log_subscription_filter",
];

/** Managed policies that grant far more than any landing role needs. */
const BROAD_MANAGED_POLICY =
  /^arn:aws[\w-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess|\w*FullAccess)$/;

// ---------------------------------------------------------------------------------------------
// helpers

function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

function setString(v: unknown): boolean {
  return typeof v === "string" && v.trim() !== "";
}

/** The bucket a bucket sub-resource configures: by `${aws_s3_bucket.x.id|bucket}` or by literal name. */
function bucketOf(view: StackView, sub: ResourceView, buckets: ResourceView[]): ResourceView | undefined {
  const target = sub.body.bucket;
  const ref = parseRef(target);
  if (ref) return ref.type === "aws_s3_bucket" ? view.resolve(target) : undefined;
  return buckets.find((b) => b.body.bucket === target);
}

function subResourcesByBucket(view: StackView, type: string): Map<ResourceView, ResourceView[]> {
  const buckets = view.ofType("aws_s3_bucket");
  const out = new Map<ResourceView, ResourceView[]>(buckets.map((b) => [b, []]));
  for (const sub of view.ofType(type)) {
    const b = bucketOf(view, sub, buckets);
    if (b) out.get(b)!.push(sub);
  }
  return out;
}

function perBucket(
  view: StackView,
  type: string,
  what: string,
  ok: (sub: ResourceView) => boolean,
): Finding[] {
  const findings: Finding[] = [];
  for (const [bucket, subs] of subResourcesByBucket(view, type)) {
    if (subs.length === 0) findings.push({ resource: bucket, message: `has no ${type}: ${what}` });
    else if (!subs.some(ok)) findings.push({ resource: subs[0]!, message: `does not ${what}` });
  }
  return findings;
}

function actionsOf(s: Statement): string[] {
  return list(s.Action);
}

function isWildcardAction(a: string): boolean {
  return a === "*" || /^[\w-]+:\*$/.test(a);
}

/** Identity policies: every policy document attached to a role, user or group. */
function identityPolicies(view: StackView): Array<{ resource: ResourceView; label: string; value: unknown }> {
  const out: Array<{ resource: ResourceView; label: string; value: unknown }> = [];
  for (const r of view.ofType(
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
  )) {
    out.push({ resource: r, label: "policy", value: r.body.policy });
  }
  for (const r of view.ofType("aws_iam_role")) {
    blocks(r.body.inline_policy).forEach((p, i) => {
      out.push({ resource: r, label: `inline_policy[${i}]`, value: p.policy });
    });
  }
  return out;
}

/** Resource policies: who else may use a resource. (Key policies have their own rule.) */
const RESOURCE_POLICY_ATTRS: Array<[string, string]> = [
  ["aws_s3_bucket_policy", "policy"],
  ["aws_sns_topic", "policy"],
  ["aws_sns_topic_policy", "policy"],
  ["aws_sqs_queue", "policy"],
  ["aws_sqs_queue_policy", "policy"],
  ["aws_cloudwatch_event_bus_policy", "policy"],
  ["aws_secretsmanager_secret", "policy"],
  ["aws_secretsmanager_secret_policy", "policy"],
  ["aws_glue_resource_policy", "policy"],
  ["aws_cloudwatch_log_resource_policy", "policy_document"],
  ["aws_vpc_endpoint", "policy"],
  ["aws_vpc_endpoint_policy", "policy"],
  ["aws_lambda_layer_version_permission", "principal"],
];

function publicStatements(statements: readonly Statement[]): Statement[] {
  return statements.filter((s) => s.Effect === "Allow" && isAnyPrincipal(s) && !hasRestrictingCondition(s));
}

const ARN_ACCOUNT = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/;

/** The account an AWS principal belongs to; "unknown" for a reference that is not the caller's own account. */
function principalAccount(id: string): string | "unknown" {
  if (/^\d{12}$/.test(id)) return id;
  const m = ARN_ACCOUNT.exec(id);
  if (m) return m[1]!;
  if (/data\.aws_caller_identity\.[\w-]+\.account_id/.test(id)) return "self";
  return "unknown";
}

const CROSS_ACCOUNT_CONDITIONS = ["sts:externalid", "aws:principalorgid", "aws:principalarn"];

function unparseable(resource: ResourceView, label: string, reason: string): Finding {
  return { resource, message: `${label} ${reason}` };
}

// ---------------------------------------------------------------------------------------------
// the rules

export const RULES: readonly Rule[] = [
  // S3 ----------------------------------------------------------------------------------------
  {
    id: "s3.versioning",
    title: "every bucket has versioning Enabled",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_versioning", "enable versioning", (s) => {
        return block(s.body.versioning_configuration).status === "Enabled";
      }),
  },
  {
    id: "s3.encryption",
    title: "every bucket has default encryption (SSE-KMS, DSSE-KMS or SSE-S3)",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_server_side_encryption_configuration", "set default encryption", (s) =>
        blocks(s.body.rule).some((r) =>
          ["aws:kms", "aws:kms:dsse", "AES256"].includes(
            String(block(r.apply_server_side_encryption_by_default).sse_algorithm),
          ),
        ),
      ),
  },
  {
    id: "s3.public-access-block",
    title: "every bucket has all four public-access blocks on",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_public_access_block", "turn on all four public-access blocks", (s) =>
        ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every(
          (k) => isTrue(s.body[k]),
        ),
      ),
  },
  {
    id: "s3.tls-only",
    title:
      "every bucket policy denies requests without TLS (aws:SecureTransport false) to bucket and objects",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_policy", "deny non-TLS requests to the bucket and its objects", (s) => {
        const parsed = parsePolicy(s.body.policy, v.data);
        if (!parsed.ok) return false;
        return parsed.statements.some((st) => {
          const cond = st.Condition?.Bool ?? {};
          const resources = list(st.Resource);
          return (
            st.Effect === "Deny" &&
            isAnyPrincipal(st) &&
            actionsOf(st).some((a) => a === "s3:*" || a === "*") &&
            String(list(cond["aws:SecureTransport"] as string)[0]) === "false" &&
            resources.some((r) => !r.endsWith("/*")) &&
            resources.some((r) => r.endsWith("/*"))
          );
        });
      }),
  },
  {
    id: "s3.ownership-enforced",
    title: "every bucket has ObjectOwnership BucketOwnerEnforced (ACLs off)",
    check: (v) =>
      perBucket(
        v,
        "aws_s3_bucket_ownership_controls",
        "enforce bucket ownership (BucketOwnerEnforced)",
        (s) => blocks(s.body.rule).some((r) => r.object_ownership === "BucketOwnerEnforced"),
      ),
  },
  {
    id: "s3.lifecycle",
    title: "every bucket's lifecycle expires noncurrent versions and aborts incomplete multipart uploads",
    check: (v) =>
      perBucket(
        v,
        "aws_s3_bucket_lifecycle_configuration",
        "both expire noncurrent versions and abort incomplete multipart uploads in Enabled rules",
        (s) => {
          const rules = blocks(s.body.rule).filter((r) => r.status === "Enabled");
          const noncurrent = rules.some((r) => blocks(r.noncurrent_version_expiration).length > 0);
          const abort = rules.some((r) => blocks(r.abort_incomplete_multipart_upload).length > 0);
          return noncurrent && abort;
        },
      ),
  },
  // DynamoDB ----------------------------------------------------------------------------------
  {
    id: "dynamodb.pitr",
    title: "every table has point-in-time recovery",
    check: (v) =>
      v
        .ofType("aws_dynamodb_table")
        .filter((t) => !isTrue(block(t.body.point_in_time_recovery).enabled))
        .map((resource) => ({ resource, message: "has no point-in-time recovery" })),
  },
  {
    id: "dynamodb.kms",
    title: "every table is encrypted with a customer-managed KMS key",
    check: (v) =>
      v
        .ofType("aws_dynamodb_table")
        .filter((t) => {
          const sse = block(t.body.server_side_encryption);
          return !isTrue(sse.enabled) || !setString(sse.kms_key_arn);
        })
        .map((resource) => ({
          resource,
          message: "is not encrypted with a customer-managed key (server_side_encryption.kms_key_arn)",
        })),
  },
  {
    id: "dynamodb.deletion-protection",
    title: "every table has deletion protection (unless organization.allowDataStoreDestroy)",
    check: (v, settings) =>
      v
        .ofType("aws_dynamodb_table")
        .filter((t) => !settings.allowDataStoreDestroy && !isTrue(t.body.deletion_protection_enabled))
        .map((resource) => ({ resource, message: "has no deletion protection" })),
  },
  // KMS ---------------------------------------------------------------------------------------
  {
    id: "kms.rotation",
    title: "every symmetric key rotates",
    check: (v) =>
      v
        .ofType("aws_kms_key")
        .filter((k) => (k.body.customer_master_key_spec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT")
        .filter((k) => !isTrue(k.body.enable_key_rotation))
        .map((resource) => ({ resource, message: "does not rotate (enable_key_rotation)" })),
  },
  {
    id: "kms.key-policy",
    title: "key policies are readable and grant no `*` principal without a restricting condition",
    check: (v) => {
      const findings: Finding[] = [];
      for (const k of v.ofType("aws_kms_key", "aws_kms_key_policy")) {
        if (k.body.policy === undefined) continue; // the default key policy: the account only
        const parsed = parsePolicy(k.body.policy, v.data);
        if (!parsed.ok) findings.push(unparseable(k, "key policy", parsed.reason));
        else if (publicStatements(parsed.statements).length > 0)
          findings.push({
            resource: k,
            message: `key policy grants "*" without a restricting condition (statements: ${publicStatements(
              parsed.statements,
            )
              .map((s) => s.Sid ?? "?")
              .join(", ")})`,
          });
      }
      return findings;
    },
  },
  // Lambda ------------------------------------------------------------------------------------
  {
    id: "lambda.own-role",
    title: "every function has its own role",
    check: (v) => {
      const byRole = new Map<string, ResourceView[]>();
      for (const f of v.ofType("aws_lambda_function")) {
        const role = String(f.body.role);
        byRole.set(role, [...(byRole.get(role) ?? []), f]);
      }
      return [...byRole.values()]
        .filter((fs) => fs.length > 1)
        .flatMap((fs) =>
          fs.map((resource) => ({
            resource,
            message: `shares its role with ${fs
              .filter((f) => f !== resource)
              .map((f) => f.path)
              .join(", ")}`,
          })),
        );
    },
  },
  {
    id: "lambda.log-group",
    title: "every function has an explicit log group keeping logs at least monitoring.logRetentionDays",
    check: (v, settings) => {
      const groups = v.ofType("aws_cloudwatch_log_group");
      const findings: Finding[] = [];
      for (const f of v.ofType("aws_lambda_function")) {
        const name = f.body.function_name;
        const logging = block(f.body.logging_config);
        const mine = groups.filter(
          (g) =>
            (typeof name === "string" && g.body.name === `/aws/lambda/${name}`) ||
            String(g.body.name).includes(`\${${f.address}.function_name}`) ||
            (logging.log_group !== undefined &&
              (logging.log_group === g.body.name || v.resolve(logging.log_group) === g)),
        );
        if (mine.length === 0) {
          findings.push({
            resource: f,
            message: "has no log group of its own (/aws/lambda/<name> or logging_config)",
          });
          continue;
        }
        for (const g of mine) {
          const days = Number(g.body.retention_in_days ?? 0);
          if (days !== 0 && days < settings.logRetentionDays)
            findings.push({
              resource: f,
              message: `log group ${g.path} keeps logs ${days} days, less than the configured ${settings.logRetentionDays}`,
            });
        }
      }
      return findings;
    },
  },
  {
    id: "lambda.tracing",
    title: "every function has X-Ray tracing Active",
    check: (v) =>
      v
        .ofType("aws_lambda_function")
        .filter((f) => block(f.body.tracing_config).mode !== "Active")
        .map((resource) => ({ resource, message: "has no active X-Ray tracing" })),
  },
  {
    id: "lambda.reserved-concurrency",
    title: "every function has reserved concurrency (at least 1)",
    check: (v) =>
      v
        .ofType("aws_lambda_function")
        .filter((f) => !(Number(f.body.reserved_concurrent_executions) >= 1))
        .map((resource) => ({ resource, message: "has no reserved concurrency" })),
  },
  {
    id: "lambda.async-failure-destination",
    title: "every function invoked asynchronously has a DLQ or an on-failure destination",
    check: (v) => {
      const findings: Finding[] = [];
      for (const f of v.ofType("aws_lambda_function")) {
        const literal = f.body.function_name;
        const asyncInvoked =
          v.ofType(...ASYNC_INVOKER_TYPES).some((r) => v.mentions(r.body, f, literal)) ||
          v
            .ofType("aws_lambda_permission")
            .some(
              (p) =>
                ASYNC_INVOKER_PRINCIPALS.includes(String(p.body.principal)) &&
                v.mentions(p.body.function_name, f, literal),
            );
        if (!asyncInvoked) continue;
        const dlq = setString(block(f.body.dead_letter_config).target_arn);
        const onFailure = v
          .ofType("aws_lambda_function_event_invoke_config")
          .some(
            (c) =>
              v.mentions(c.body.function_name, f, literal) &&
              setString(block(block(c.body.destination_config).on_failure).destination),
          );
        if (!dlq && !onFailure)
          findings.push({
            resource: f,
            message:
              "is invoked asynchronously but has neither a dead-letter queue nor an on-failure destination",
          });
      }
      return findings;
    },
  },
  {
    id: "lambda.env-encryption",
    title: "functions with environment variables encrypt them with the configured KMS key",
    check: (v) =>
      v
        .ofType("aws_lambda_function")
        .filter((f) => Object.keys(block(block(f.body.environment).variables)).length > 0)
        .filter((f) => !setString(f.body.kms_key_arn))
        .map((resource) => ({
          resource,
          message: "has environment variables but no kms_key_arn (the configured key of its domain)",
        })),
  },
  {
    id: "lambda.runtime",
    title: `every zip function uses a supported runtime (${SUPPORTED_LAMBDA_RUNTIMES.join(", ")})`,
    check: (v) =>
      v
        .ofType("aws_lambda_function")
        .filter((f) => f.body.package_type !== "Image")
        .filter((f) => !(SUPPORTED_LAMBDA_RUNTIMES as readonly unknown[]).includes(f.body.runtime))
        .map((resource) => ({
          resource,
          message: `runtime ${JSON.stringify(resource.body.runtime)} is not one of ${SUPPORTED_LAMBDA_RUNTIMES.join(", ")}`,
        })),
  },
  {
    id: "lambda.vpc-attached",
    title: "in VPC mode (the stack has a VPC) every function runs in its private subnets",
    check: (v) => {
      if (v.ofType("aws_vpc").length === 0) return [];
      return v
        .ofType("aws_lambda_function")
        .filter((f) => {
          const cfg = block(f.body.vpc_config);
          return (
            list(cfg.subnet_ids as string[]).length === 0 ||
            list(cfg.security_group_ids as string[]).length === 0
          );
        })
        .map((resource) => ({
          resource,
          message: "is not attached to the VPC (vpc_config subnets and security groups)",
        }));
    },
  },
  // IAM ---------------------------------------------------------------------------------------
  {
    id: "iam.policy-readable",
    title: "identity policies are literal JSON or aws_iam_policy_document, so these rules can read them",
    check: (v) =>
      identityPolicies(v).flatMap(({ resource, label, value }) => {
        const parsed = parsePolicy(value, v.data);
        return parsed.ok ? [] : [unparseable(resource, label, parsed.reason)];
      }),
  },
  {
    id: "iam.no-wildcard-action",
    title: 'no identity policy allows "*" or "<service>:*" or uses NotAction in an Allow',
    check: (v) =>
      identityPolicies(v).flatMap(({ resource, label, value }) => {
        const parsed = parsePolicy(value, v.data);
        if (!parsed.ok) return [];
        return parsed.statements
          .filter((s) => s.Effect === "Allow")
          .flatMap((s) => {
            const bad = actionsOf(s).filter(isWildcardAction);
            const out: Finding[] = [];
            if (bad.length > 0)
              out.push({ resource, message: `${label} statement ${s.Sid ?? "?"} allows ${bad.join(", ")}` });
            if (s.NotAction !== undefined)
              out.push({
                resource,
                message: `${label} statement ${s.Sid ?? "?"} allows NotAction (everything else)`,
              });
            return out;
          });
      }),
  },
  {
    id: "iam.wildcard-resource",
    title:
      'Resource "*", or an ARN with only wildcards as resource (or as account, region and resource), only for allowlisted actions or ARNs (modules/iam-wildcards.ts)',
    check: (v) =>
      identityPolicies(v).flatMap(({ resource, label, value }) => {
        const parsed = parsePolicy(value, v.data);
        if (!parsed.ok) return [];
        return parsed.statements
          .filter((s) => s.Effect === "Allow")
          .flatMap((s) => {
            const bad = actionsOf(s).filter((a) => !isWildcardAllowed(a));
            if (bad.length === 0) return []; // actions without resource-level permissions (the allowlist)
            if (list(s.Resource).includes("*") || s.NotResource !== undefined)
              return [
                {
                  resource,
                  message: `${label} statement ${s.Sid ?? "?"} allows ${bad.join(", ")} on Resource "*"; these actions are not in the allowlist`,
                },
              ];
            // Wildcards in disguise: an ARN that names no account, region or resource.
            return list(s.Resource).flatMap((arn) => {
              const why = wildcardArnReason(arn);
              if (why === undefined || isArnWildcardAllowed(arn, bad)) return [];
              return [
                {
                  resource,
                  message: `${label} statement ${s.Sid ?? "?"} allows ${bad.join(", ")} on "${arn}", which ${why}; name the account, region and resource (a prefix is fine), or allowlist the ARN with a reason (modules/iam-wildcards.ts)`,
                },
              ];
            });
          });
      }),
  },
  {
    id: "iam.no-broad-managed-policy",
    title: "no role gets AdministratorAccess, PowerUserAccess or a *FullAccess managed policy",
    check: (v) => [
      ...v
        .ofType("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")
        .filter((a) => BROAD_MANAGED_POLICY.test(String(a.body.policy_arn)))
        .map((resource) => ({ resource, message: `attaches ${resource.body.policy_arn}` })),
      ...v
        .ofType("aws_iam_role")
        .filter((r) => list(r.body.managed_policy_arns as string[]).some((p) => BROAD_MANAGED_POLICY.test(p)))
        .map((resource) => ({ resource, message: "has a broad managed policy in managed_policy_arns" })),
    ],
  },
  {
    id: "iam.trust-specific-principal",
    title: 'trust policies name specific principals (no "*")',
    check: (v) =>
      v.ofType("aws_iam_role").flatMap((role) => {
        const parsed = parsePolicy(role.body.assume_role_policy, v.data);
        if (!parsed.ok) return [unparseable(role, "assume_role_policy", parsed.reason)];
        return parsed.statements
          .filter((s) => s.Effect === "Allow" && (isAnyPrincipal(s) || s.NotPrincipal !== undefined))
          .map(() => ({ resource: role, message: 'trust policy lets "*" (any principal) assume the role' }));
      }),
  },
  {
    id: "iam.cross-account-trust",
    title: "trusts of another account carry sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn",
    check: (v) =>
      v.ofType("aws_iam_role").flatMap((role) => {
        const parsed = parsePolicy(role.body.assume_role_policy, v.data);
        if (!parsed.ok) return [];
        return parsed.statements
          .filter((s) => s.Effect === "Allow" && !isAnyPrincipal(s))
          .flatMap((s) => {
            const foreign = principalsOf(s.Principal)
              .filter(([type]) => type === "AWS")
              .map(([, id]) => id)
              .filter((id) => {
                const account = principalAccount(id);
                return account !== "self" && account !== v.accountId;
              });
            if (foreign.length === 0 || hasRestrictingCondition(s, CROSS_ACCOUNT_CONDITIONS)) return [];
            return [
              {
                resource: role,
                message: `trusts ${foreign.join(", ")} without an sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn condition`,
              },
            ];
          });
      }),
  },
  // Resource policies, SNS, SQS ---------------------------------------------------------------
  {
    id: "resource-policy.no-public",
    title:
      'no resource policy (bucket, topic, queue, bus, secret, endpoint, Lambda permission) allows "*" unconditionally',
    check: (v) => {
      const findings: Finding[] = [];
      for (const [type, attr] of RESOURCE_POLICY_ATTRS) {
        for (const r of v.ofType(type)) {
          const value = r.body[attr];
          if (value === undefined) continue;
          if (attr === "principal") {
            if (value === "*") findings.push({ resource: r, message: 'is shared with principal "*"' });
            continue;
          }
          const parsed = parsePolicy(value, v.data);
          if (!parsed.ok) findings.push(unparseable(r, attr, parsed.reason));
          else if (publicStatements(parsed.statements).length > 0)
            findings.push({ resource: r, message: `${attr} allows "*" without a restricting condition` });
        }
      }
      for (const p of v.ofType("aws_lambda_permission")) {
        const principal = String(p.body.principal);
        const scoped =
          setString(p.body.source_arn) ||
          setString(p.body.source_account) ||
          setString(p.body.principal_org_id);
        if (principal === "*" || (principal.endsWith(".amazonaws.com") && !scoped))
          findings.push({
            resource: p,
            message: `lets ${principal} invoke the function without source_arn/source_account (confused deputy)`,
          });
        if (p.body.function_url_auth_type === "NONE")
          findings.push({ resource: p, message: "opens a function URL without authentication" });
      }
      for (const u of v.ofType("aws_lambda_function_url")) {
        if (u.body.authorization_type === "NONE")
          findings.push({ resource: u, message: "function URL has authorization_type NONE" });
      }
      return findings;
    },
  },
  {
    id: "sns.kms",
    title: "every topic is encrypted with KMS",
    check: (v) =>
      v
        .ofType("aws_sns_topic")
        .filter((t) => !setString(t.body.kms_master_key_id))
        .map((resource) => ({ resource, message: "is not encrypted (kms_master_key_id)" })),
  },
  {
    id: "sqs.kms",
    title: "every queue is encrypted with KMS",
    check: (v) =>
      v
        .ofType("aws_sqs_queue")
        .filter((q) => !setString(q.body.kms_master_key_id))
        .map((resource) => ({ resource, message: "is not encrypted with KMS (kms_master_key_id)" })),
  },
  // Logs --------------------------------------------------------------------------------------
  {
    id: "logs.retention",
    title: "every log group has a retention (never-expire is refused)",
    check: (v) =>
      v
        .ofType("aws_cloudwatch_log_group")
        .filter((g) => !(Number(g.body.retention_in_days) >= 1))
        .map((resource) => ({ resource, message: "has no retention_in_days (logs would be kept forever)" })),
  },
  {
    id: "logs.kms",
    title: "every log group is encrypted with a KMS key",
    check: (v) =>
      v
        .ofType("aws_cloudwatch_log_group")
        .filter((g) => !setString(g.body.kms_key_id))
        .map((resource) => ({ resource, message: "is not encrypted with KMS (kms_key_id)" })),
  },
  // API ---------------------------------------------------------------------------------------
  {
    id: "api.route-authorized",
    title: "every API route/method has an authorizer (JWT, IAM or custom)",
    check: (v) => [
      ...v
        .ofType("aws_apigatewayv2_route")
        .filter((r) => (r.body.authorization_type ?? "NONE") === "NONE")
        .map((resource) => ({ resource, message: `route ${resource.body.route_key} has no authorizer` })),
      ...v
        .ofType("aws_api_gateway_method")
        .filter((m) => (m.body.authorization ?? "NONE") === "NONE" && m.body.http_method !== "OPTIONS")
        .map((resource) => ({ resource, message: `method ${resource.body.http_method} has no authorizer` })),
    ],
  },
  {
    id: "api.access-logs",
    title: "every API stage writes access logs",
    check: (v) =>
      v
        .ofType("aws_apigatewayv2_stage", "aws_api_gateway_stage")
        .filter((s) => !setString(block(s.body.access_log_settings).destination_arn))
        .map((resource) => ({ resource, message: "has no access log destination" })),
  },
  // Cognito -----------------------------------------------------------------------------------
  {
    id: "cognito.no-unauthenticated",
    title: "identity pools allow no unauthenticated identities",
    check: (v) =>
      v
        .ofType("aws_cognito_identity_pool")
        .filter((p) => isTrue(p.body.allow_unauthenticated_identities) || isTrue(p.body.allow_classic_flow))
        .map((resource) => ({ resource, message: "allows unauthenticated identities or the classic flow" })),
  },
  {
    id: "cognito.password-policy",
    title: "user pools require 12+ characters with lower, upper, digits and symbols",
    check: (v) =>
      v.ofType("aws_cognito_user_pool").flatMap((p) => {
        const pp = block(p.body.password_policy);
        const weak =
          !(Number(pp.minimum_length) >= 12) ||
          !["require_lowercase", "require_uppercase", "require_numbers", "require_symbols"].every((k) =>
            isTrue(pp[k]),
          );
        return weak ? [{ resource: p, message: "has a weak or default password policy" }] : [];
      }),
  },
  // Athena, Step Functions --------------------------------------------------------------------
  {
    id: "athena.workgroup",
    title: "every workgroup enforces its configuration and encrypts results with KMS",
    check: (v) =>
      v.ofType("aws_athena_workgroup").flatMap((w) => {
        const c = block(w.body.configuration);
        const enc = block(block(c.result_configuration).encryption_configuration).encryption_option;
        const out: Finding[] = [];
        if (!isTrue(c.enforce_workgroup_configuration))
          out.push({
            resource: w,
            message: "does not enforce its configuration (clients could turn encryption off)",
          });
        if (!["SSE_KMS", "CSE_KMS"].includes(String(enc)))
          out.push({ resource: w, message: `encrypts query results with ${enc ?? "nothing"}, not KMS` });
        return out;
      }),
  },
  {
    id: "sfn.logging-tracing",
    title: "every state machine logs (level ALL/ERROR/FATAL to a log group) and traces",
    check: (v) =>
      v.ofType("aws_sfn_state_machine").flatMap((m) => {
        const log = block(m.body.logging_configuration);
        const out: Finding[] = [];
        if (!log.level || log.level === "OFF" || !setString(log.log_destination))
          out.push({ resource: m, message: "does not log to a log group" });
        if (!isTrue(block(m.body.tracing_configuration).enabled))
          out.push({ resource: m, message: "has no X-Ray tracing" });
        return out;
      }),
  },
  // Data stores -------------------------------------------------------------------------------
  {
    id: "data-store.prevent-destroy",
    title:
      "data stores (contracts/data-stores.ts) carry prevent_destroy, and do not when organization.allowDataStoreDestroy is set",
    check: (v, settings) =>
      v
        .ofType(...PREVENT_DESTROY_TYPES)
        .filter((r) => isTrue(block(r.body.lifecycle).prevent_destroy) === settings.allowDataStoreDestroy)
        .map((resource) => ({
          resource,
          message: settings.allowDataStoreDestroy
            ? "carries prevent_destroy although the config allows destroying data stores (the throw-away org could not be torn down)"
            : "holds data but has no lifecycle.prevent_destroy",
        })),
  },
  // Network -----------------------------------------------------------------------------------
  {
    id: "vpc.no-internet-path",
    title: "no internet or NAT gateway, no route to one, no public IPs on launch",
    check: (v) => [
      ...v
        .ofType("aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway")
        .map((resource) => ({ resource, message: "gives the VPC a path to the internet" })),
      ...v
        .ofType("aws_route")
        .filter((r) => setString(r.body.gateway_id) || setString(r.body.nat_gateway_id))
        .map((resource) => ({ resource, message: "routes to a gateway" })),
      ...v
        .ofType("aws_route_table")
        .filter((t) =>
          blocks(t.body.route).some((r) => setString(r.gateway_id) || setString(r.nat_gateway_id)),
        )
        .map((resource) => ({ resource, message: "has a route to a gateway" })),
      ...v
        .ofType("aws_subnet")
        .filter((s) => isTrue(s.body.map_public_ip_on_launch))
        .map((resource) => ({ resource, message: "maps public IPs on launch" })),
    ],
  },
  {
    id: "vpc.flow-logs",
    title: "every VPC has flow logs",
    check: (v) =>
      v
        .ofType("aws_vpc")
        .filter((vpc) => !v.ofType("aws_flow_log").some((f) => v.resolve(f.body.vpc_id) === vpc))
        .map((resource) => ({ resource, message: "has no flow log" })),
  },
  {
    id: "vpc.default-sg-closed",
    title: "every VPC's default security group is adopted with no rules",
    check: (v) => [
      ...v
        .ofType("aws_vpc")
        .filter(
          (vpc) => !v.ofType("aws_default_security_group").some((g) => v.resolve(g.body.vpc_id) === vpc),
        )
        .map((resource) => ({
          resource,
          message: "leaves its default security group unmanaged (it allows all traffic within the group)",
        })),
      ...v
        .ofType("aws_default_security_group")
        .filter((g) => blocks(g.body.ingress).length > 0 || blocks(g.body.egress).length > 0)
        .map((resource) => ({ resource, message: "default security group has rules" })),
    ],
  },
  {
    id: "vpc.sg-https-only",
    title: "security groups allow TCP 443 only",
    check: (v) => {
      const https = (r: Record<string, unknown>) =>
        ["tcp", "6"].includes(String(r.protocol ?? r.ip_protocol)) &&
        Number(r.from_port) === 443 &&
        Number(r.to_port) === 443;
      return [
        ...v
          .ofType("aws_security_group")
          .flatMap((g) =>
            [...blocks(g.body.ingress), ...blocks(g.body.egress)]
              .filter((r) => !https(r))
              .map(() => ({ resource: g, message: "has a rule other than TCP 443" })),
          ),
        ...v
          .ofType(
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
          )
          .filter((r) => !https(r.body))
          .map((resource) => ({ resource, message: "allows something other than TCP 443" })),
      ];
    },
  },
  {
    id: "vpc.endpoint-private",
    title: "interface endpoints use private DNS and a security group",
    check: (v) =>
      v
        .ofType("aws_vpc_endpoint")
        .filter((e) => e.body.vpc_endpoint_type === "Interface")
        .filter(
          (e) =>
            !isTrue(e.body.private_dns_enabled) || list(e.body.security_group_ids as string[]).length === 0,
        )
        .map((resource) => ({ resource, message: "has no private DNS or no security group" })),
  },
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

/** Runs every rule over one synthesized stack. */
export function checkStack(stack: string, json: SynthesizedStack, settings: RuleSettings): Violation[] {
  const view = new StackView(stack, json);
  return RULES.flatMap((rule) =>
    rule.check(view, settings).map(({ resource, message }) => ({
      stack,
      address: resource.address,
      path: resource.path,
      rule: rule.id,
      message,
    })),
  );
}

/** `admin: aws_s3_bucket.x (admin/cur/bucket) [s3.versioning] has no ...` */
export function formatViolation(v: Violation): string {
  return `${v.stack}: ${v.address} (${v.path}) [${v.rule}] ${v.message}`;
}
