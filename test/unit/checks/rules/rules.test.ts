import { checkStack, formatViolation, type RuleSettings, type Violation } from "../../../../checks/engine";
import { RULES } from "../../../../checks/rules";
import { ACCOUNT, goodStack, JSONENCODED, OTHER_ACCOUNT, ref } from "./fixtures";

/** A Terraform reference `${expr}` (written without a template placeholder in a string). */
const tf = (expr: string) => `$${"{"}${expr}}`;

type Stack = ReturnType<typeof goodStack>;
type R = Record<string, Record<string, Record<string, unknown>>>;

const settings: RuleSettings = { logRetentionDays: 365, allowDataStoreDestroy: false };
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const res = (s: Stack) => s.resource as R;

function check(stack: Stack, over: Partial<RuleSettings> = {}): Violation[] {
  return checkStack("fx", stack, { ...settings, ...over });
}

/** Each case breaks one thing in the good stack; the named rule must report the named resource. */
const failing: Array<
  [rule: string, what: string, address: string, mutate: (s: Stack) => void, over?: Partial<RuleSettings>]
> = [
  [
    "cloudfront.https-only",
    "a behavior that serves http",
    "aws_cloudfront_distribution.cdn",
    (s) => {
      (
        res(s).aws_cloudfront_distribution!.cdn!.ordered_cache_behavior as R[string][string][]
      )[0]!.viewer_protocol_policy = "allow-all";
    },
  ],
  [
    "cloudfront.tls",
    "a custom certificate accepting TLS 1.0",
    "aws_cloudfront_distribution.cdn",
    (s) => {
      (
        res(s).aws_cloudfront_distribution!.cdn!.viewer_certificate as R[string][string]
      ).minimum_protocol_version = "TLSv1_2016";
    },
  ],
  [
    "cloudfront.s3-origin-access-control",
    "an S3 origin without origin access control",
    "aws_cloudfront_distribution.cdn",
    (s) => {
      delete (res(s).aws_cloudfront_distribution!.cdn!.origin as R[string][string][])[0]!
        .origin_access_control_id;
    },
  ],
  [
    "cloudfront.security-headers",
    "the default behavior without a response headers policy",
    "aws_cloudfront_distribution.cdn",
    (s) => {
      delete (res(s).aws_cloudfront_distribution!.cdn!.default_cache_behavior as R[string][string])
        .response_headers_policy_id;
    },
  ],
  [
    "cloudfront.access-logs",
    "no access-log delivery source",
    "aws_cloudfront_distribution.cdn",
    (s) => {
      delete res(s).aws_cloudwatch_log_delivery_source;
    },
  ],
  [
    "s3.versioning",
    "versioning suspended",
    "aws_s3_bucket_versioning.versioning",
    (s) => {
      res(s).aws_s3_bucket_versioning!.versioning!.versioning_configuration = { status: "Suspended" };
    },
  ],
  [
    "s3.versioning",
    "no versioning resource at all",
    "aws_s3_bucket.bucket",
    (s) => {
      delete res(s).aws_s3_bucket_versioning;
    },
  ],
  [
    "s3.encryption",
    "no encryption configuration",
    "aws_s3_bucket.bucket",
    (s) => {
      delete res(s).aws_s3_bucket_server_side_encryption_configuration;
    },
  ],
  [
    "s3.public-access-block",
    "restrict_public_buckets off",
    "aws_s3_bucket_public_access_block.pab",
    (s) => {
      res(s).aws_s3_bucket_public_access_block!.pab!.restrict_public_buckets = false;
    },
  ],
  [
    "s3.public-access-block",
    "block for another bucket only",
    "aws_s3_bucket.bucket",
    (s) => {
      res(s).aws_s3_bucket_public_access_block!.pab!.bucket = ref("aws_s3_bucket.other", "id");
    },
  ],
  [
    "s3.tls-only",
    "policy without the TLS deny",
    "aws_s3_bucket_policy.policy",
    (s) => {
      res(s).aws_s3_bucket_policy!.policy!.policy = doc({
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::fx-bucket/*",
      });
    },
  ],
  [
    "s3.tls-only",
    "TLS deny on objects only",
    "aws_s3_bucket_policy.policy",
    (s) => {
      res(s).aws_s3_bucket_policy!.policy!.policy = doc({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: "arn:aws:s3:::fx-bucket/*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    },
  ],
  [
    "s3.ownership-enforced",
    "ObjectWriter ownership",
    "aws_s3_bucket_ownership_controls.own",
    (s) => {
      res(s).aws_s3_bucket_ownership_controls!.own!.rule = { object_ownership: "ObjectWriter" };
    },
  ],
  [
    "s3.lifecycle",
    "no abort of incomplete uploads",
    "aws_s3_bucket_lifecycle_configuration.lc",
    (s) => {
      const rule = (res(s).aws_s3_bucket_lifecycle_configuration!.lc!.rule as Record<string, unknown>[])[0]!;
      delete rule.abort_incomplete_multipart_upload;
    },
  ],
  [
    "s3.lifecycle",
    "noncurrent expiry in a disabled rule",
    "aws_s3_bucket_lifecycle_configuration.lc",
    (s) => {
      const rule = (res(s).aws_s3_bucket_lifecycle_configuration!.lc!.rule as Record<string, unknown>[])[0]!;
      rule.status = "Disabled";
    },
  ],
  [
    "dynamodb.pitr",
    "PITR off",
    "aws_dynamodb_table.table",
    (s) => {
      res(s).aws_dynamodb_table!.table!.point_in_time_recovery = { enabled: false };
    },
  ],
  [
    "dynamodb.kms",
    "AWS-owned key",
    "aws_dynamodb_table.table",
    (s) => {
      res(s).aws_dynamodb_table!.table!.server_side_encryption = { enabled: true };
    },
  ],
  [
    "dynamodb.deletion-protection",
    "no deletion protection",
    "aws_dynamodb_table.table",
    (s) => {
      delete res(s).aws_dynamodb_table!.table!.deletion_protection_enabled;
    },
  ],
  [
    "kms.rotation",
    "rotation off",
    "aws_kms_key.key",
    (s) => {
      res(s).aws_kms_key!.key!.enable_key_rotation = false;
    },
  ],
  [
    "kms.key-policy",
    "anyone may decrypt",
    "aws_kms_key.key",
    (s) => {
      res(s).aws_kms_key!.key!.policy = doc({
        Sid: "Open",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "kms:Decrypt",
        Resource: "*",
      });
    },
  ],
  [
    "kms.key-policy",
    "policy through jsonencode",
    "aws_kms_key.key",
    (s) => {
      res(s).aws_kms_key!.key!.policy = JSONENCODED;
    },
  ],
  [
    "lambda.own-role",
    "two functions, one role",
    "aws_lambda_function.fn",
    (s) => {
      res(s).aws_lambda_function!.fn2 = { ...res(s).aws_lambda_function!.fn!, function_name: "fx-fn2" };
      res(s).aws_cloudwatch_log_group!.fn2_logs = {
        ...res(s).aws_cloudwatch_log_group!.fn_logs!,
        name: "/aws/lambda/fx-fn2",
      };
    },
  ],
  [
    "lambda.log-group",
    "no log group",
    "aws_lambda_function.fn",
    (s) => {
      res(s).aws_cloudwatch_log_group!.fn_logs!.name = "/aws/lambda/someone-else";
    },
  ],
  [
    "lambda.log-group",
    "retention below the configured days",
    "aws_lambda_function.fn",
    (s) => {
      res(s).aws_cloudwatch_log_group!.fn_logs!.retention_in_days = 30;
    },
  ],
  [
    "lambda.tracing",
    "PassThrough tracing",
    "aws_lambda_function.fn",
    (s) => {
      res(s).aws_lambda_function!.fn!.tracing_config = { mode: "PassThrough" };
    },
  ],
  [
    "lambda.reserved-concurrency",
    "no reserved concurrency",
    "aws_lambda_function.fn",
    (s) => {
      delete res(s).aws_lambda_function!.fn!.reserved_concurrent_executions;
    },
  ],
  [
    "lambda.async-failure-destination",
    "EventBridge target without DLQ",
    "aws_lambda_function.fn",
    (s) => {
      delete res(s).aws_lambda_function!.fn!.dead_letter_config;
    },
  ],
  [
    "lambda.env-encryption",
    "env vars without a key",
    "aws_lambda_function.fn",
    (s) => {
      delete res(s).aws_lambda_function!.fn!.kms_key_arn;
    },
  ],
  [
    "lambda.runtime",
    "deprecated runtime",
    "aws_lambda_function.fn",
    (s) => {
      res(s).aws_lambda_function!.fn!.runtime = "nodejs16.x";
    },
  ],
  [
    "lambda.vpc-attached",
    "function outside the VPC",
    "aws_lambda_function.fn",
    (s) => {
      delete res(s).aws_lambda_function!.fn!.vpc_config;
    },
  ],
  [
    "iam.policy-readable",
    "policy from jsonencode",
    "aws_iam_role_policy.fn_policy",
    (s) => {
      res(s).aws_iam_role_policy!.fn_policy!.policy = JSONENCODED;
    },
  ],
  [
    "iam.no-wildcard-action",
    "dynamodb:*",
    "aws_iam_role_policy.fn_policy",
    (s) => {
      res(s).aws_iam_role_policy!.fn_policy!.policy = doc({
        Effect: "Allow",
        Action: "dynamodb:*",
        Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/t",
      });
    },
  ],
  [
    "iam.no-wildcard-action",
    "inline policy of a role allows *",
    "aws_iam_role.fn_role",
    (s) => {
      res(s).aws_iam_role!.fn_role!.inline_policy = [
        { name: "x", policy: doc({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }) },
      ];
    },
  ],
  [
    "iam.wildcard-resource",
    "GetItem on *",
    "aws_iam_role_policy.fn_policy",
    (s) => {
      const d = s.data!.aws_iam_policy_document!.fn_doc! as { statement: Record<string, unknown>[] };
      d.statement[0]!.resources = ["*"];
    },
  ],
  ...(
    [
      "arn:aws:s3:::*",
      "arn:aws:s3:::*/*",
      "arn:aws:dynamodb:*:*:table/*",
      "arn:aws:logs:*:*:*",
      "arn:aws:iam::*:role/*",
      "arn:*:dynamodb:us-east-1:123456789012:table/t",
    ] as const
  ).map(
    (arn) =>
      [
        "iam.wildcard-resource",
        `GetItem on ${arn} (a wildcard in disguise)`,
        "aws_iam_role_policy.fn_policy",
        (s: Stack) => {
          const d = s.data!.aws_iam_policy_document!.fn_doc! as { statement: Record<string, unknown>[] };
          d.statement[0]!.resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/t", arn];
        },
      ] as [string, string, string, (s: Stack) => void],
  ),
  [
    "iam.no-broad-managed-policy",
    "AdministratorAccess attached",
    "aws_iam_role_policy_attachment.admin",
    (s) => {
      res(s).aws_iam_role_policy_attachment = {
        admin: { role: "fn", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      };
    },
  ],
  [
    "iam.trust-specific-principal",
    "anyone may assume",
    "aws_iam_role.fn_role",
    (s) => {
      res(s).aws_iam_role!.fn_role!.assume_role_policy = doc({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "sts:AssumeRole",
      });
    },
  ],
  [
    "iam.cross-account-trust",
    "another account without a condition",
    "aws_iam_role.reader",
    (s) => {
      res(s).aws_iam_role!.reader!.assume_role_policy = doc({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
        Action: "sts:AssumeRole",
      });
    },
  ],
  [
    "iam.cross-account-trust",
    "a condition that only excludes",
    "aws_iam_role.reader",
    (s) => {
      res(s).aws_iam_role!.reader!.assume_role_policy = doc({
        Effect: "Allow",
        Principal: { AWS: OTHER_ACCOUNT },
        Action: "sts:AssumeRole",
        Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-x" } },
      });
    },
  ],
  [
    "resource-policy.no-public",
    "topic open to anyone",
    "aws_sns_topic.topic",
    (s) => {
      res(s).aws_sns_topic!.topic!.policy = doc({
        Effect: "Allow",
        Principal: "*",
        Action: "sns:Publish",
        Resource: "*",
      });
    },
  ],
  [
    "resource-policy.no-public",
    "queue policy open to anyone",
    "aws_sqs_queue_policy.open",
    (s) => {
      res(s).aws_sqs_queue_policy = {
        open: {
          queue_url: "q",
          policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: "*" }),
        },
      };
    },
  ],
  [
    "resource-policy.no-public",
    "service may invoke without source",
    "aws_lambda_permission.events",
    (s) => {
      delete res(s).aws_lambda_permission!.events!.source_arn;
    },
  ],
  [
    "sns.kms",
    "unencrypted topic",
    "aws_sns_topic.topic",
    (s) => {
      delete res(s).aws_sns_topic!.topic!.kms_master_key_id;
    },
  ],
  [
    "sqs.kms",
    "SSE-SQS only",
    "aws_sqs_queue.dlq",
    (s) => {
      delete res(s).aws_sqs_queue!.dlq!.kms_master_key_id;
      res(s).aws_sqs_queue!.dlq!.sqs_managed_sse_enabled = true;
    },
  ],
  [
    "logs.retention",
    "never expire",
    "aws_cloudwatch_log_group.fn_logs",
    (s) => {
      res(s).aws_cloudwatch_log_group!.fn_logs!.retention_in_days = 0;
    },
  ],
  [
    "logs.kms",
    "no key",
    "aws_cloudwatch_log_group.fn_logs",
    (s) => {
      delete res(s).aws_cloudwatch_log_group!.fn_logs!.kms_key_id;
    },
  ],
  [
    "api.route-authorized",
    "open route",
    "aws_apigatewayv2_route.route",
    (s) => {
      res(s).aws_apigatewayv2_route!.route!.authorization_type = "NONE";
    },
  ],
  [
    "api.access-logs",
    "stage without access logs",
    "aws_apigatewayv2_stage.stage",
    (s) => {
      delete res(s).aws_apigatewayv2_stage!.stage!.access_log_settings;
    },
  ],
  [
    "cognito.no-unauthenticated",
    "guest identities",
    "aws_cognito_identity_pool.idp",
    (s) => {
      res(s).aws_cognito_identity_pool!.idp!.allow_unauthenticated_identities = true;
    },
  ],
  [
    "cognito.password-policy",
    "8 characters",
    "aws_cognito_user_pool.users",
    (s) => {
      (res(s).aws_cognito_user_pool!.users!.password_policy as Record<string, unknown>).minimum_length = 8;
    },
  ],
  [
    "athena.workgroup",
    "not enforced",
    "aws_athena_workgroup.wg",
    (s) => {
      (
        res(s).aws_athena_workgroup!.wg!.configuration as Record<string, unknown>
      ).enforce_workgroup_configuration = false;
    },
  ],
  [
    "athena.workgroup",
    "SSE-S3 results",
    "aws_athena_workgroup.wg",
    (s) => {
      (res(s).aws_athena_workgroup!.wg!.configuration as Record<string, unknown>).result_configuration = {
        encryption_configuration: { encryption_option: "SSE_S3" },
      };
    },
  ],
  [
    "sfn.logging-tracing",
    "logging OFF",
    "aws_sfn_state_machine.sm",
    (s) => {
      res(s).aws_sfn_state_machine!.sm!.logging_configuration = { level: "OFF" };
    },
  ],
  [
    "sfn.logging-tracing",
    "no tracing",
    "aws_sfn_state_machine.sm",
    (s) => {
      delete res(s).aws_sfn_state_machine!.sm!.tracing_configuration;
    },
  ],
  [
    "data-store.prevent-destroy",
    "table without prevent_destroy",
    "aws_dynamodb_table.table",
    (s) => {
      delete res(s).aws_dynamodb_table!.table!.lifecycle;
    },
  ],
  [
    "data-store.prevent-destroy",
    "prevent_destroy although the config opts out",
    "aws_s3_bucket.bucket",
    () => {},
    { allowDataStoreDestroy: true },
  ],
  [
    "vpc.no-internet-path",
    "internet gateway",
    "aws_internet_gateway.igw",
    (s) => {
      res(s).aws_internet_gateway = { igw: { vpc_id: ref("aws_vpc.vpc", "id") } };
    },
  ],
  [
    "vpc.no-internet-path",
    "route to a NAT gateway",
    "aws_route.out",
    (s) => {
      res(s).aws_route = {
        out: { route_table_id: "x", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-1" },
      };
    },
  ],
  [
    "vpc.flow-logs",
    "no flow log",
    "aws_vpc.vpc",
    (s) => {
      delete res(s).aws_flow_log;
    },
  ],
  [
    "vpc.default-sg-closed",
    "default SG unmanaged",
    "aws_vpc.vpc",
    (s) => {
      delete res(s).aws_default_security_group;
    },
  ],
  [
    "vpc.default-sg-closed",
    "default SG allows all egress",
    "aws_default_security_group.default",
    (s) => {
      res(s).aws_default_security_group!.default!.egress = [
        { protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] },
      ];
    },
  ],
  [
    "vpc.sg-https-only",
    "SSH ingress",
    "aws_security_group.endpoints",
    (s) => {
      res(s).aws_security_group!.endpoints!.ingress = [
        { protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] },
      ];
    },
  ],
  [
    "vpc.sg-https-only",
    "all-traffic egress rule",
    "aws_vpc_security_group_egress_rule.out",
    (s) => {
      res(s).aws_vpc_security_group_egress_rule!.out!.ip_protocol = "-1";
    },
  ],
  [
    "vpc.endpoint-private",
    "interface endpoint without private DNS",
    "aws_vpc_endpoint.sts",
    (s) => {
      res(s).aws_vpc_endpoint!.sts!.private_dns_enabled = false;
    },
  ],
];

describe("security rules over hand-made stacks", () => {
  it("find nothing in a stack that meets the baseline", () => {
    expect(check(goodStack()).map(formatViolation)).toEqual([]);
  });

  it("have a failing fixture for every rule, so no rule passes vacuously", () => {
    const covered = new Set(failing.map(([rule]) => rule));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  // Titles and assertions use plain strings: jest's diff of the raw case tuples (functions inside) stalls.
  it.each(failing.map(([rule, what, address], i) => [rule, what, address, i] as const))(
    "%s fails on %s, naming %s",
    (rule, _what, address, i) => {
      const [, , , mutate, over] = failing[i]!;
      const stack = goodStack();
      mutate(stack);
      const found = check(stack, over).map((v) => `${v.stack} ${v.rule} ${v.address}`);
      expect(found).toContain(`fx ${rule} ${address}`);
      // The broken thing is reported by its rule; nothing unrelated starts failing.
      expect(found.filter((f) => !f.startsWith(`fx ${rule} `))).toEqual([]);
    },
  );

  it("names the construct path of a resource so a finding survives logical-id hash changes", () => {
    const stack = goodStack();
    res(stack).aws_dynamodb_table!.table!.deletion_protection_enabled = false;
    expect(check(stack).map(formatViolation)).toEqual([
      "fx: aws_dynamodb_table.table (fx/table) [dynamodb.deletion-protection] has no deletion protection",
    ]);
  });

  it("accepts a trust of the stack's own account without a condition", () => {
    const stack = goodStack();
    res(stack).aws_iam_role!.reader!.assume_role_policy = doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "sts:AssumeRole",
    });
    expect(check(stack).map(formatViolation)).toEqual([]);
  });

  it("accepts a cross-account trust that requires an external id", () => {
    const stack = goodStack();
    res(stack).aws_iam_role!.reader!.assume_role_policy = doc({
      Effect: "Allow",
      Principal: { AWS: OTHER_ACCOUNT },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "x" } },
    });
    expect(check(stack).map(formatViolation)).toEqual([]);
  });

  it("treats a trust of a referenced principal it cannot resolve as cross-account", () => {
    const stack = goodStack();
    res(stack).aws_iam_role!.reader!.assume_role_policy = doc({
      Effect: "Allow",
      Principal: { AWS: ref("aws_iam_role.other", "arn") },
      Action: "sts:AssumeRole",
    });
    expect(check(stack).map((v) => v.rule)).toEqual(["iam.cross-account-trust"]);
  });

  it("lets Resource * through only for allowlisted actions", () => {
    const stack = goodStack();
    res(stack).aws_iam_role_policy!.fn_policy!.policy = doc({
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "s3:GetObject"],
      Resource: "*",
    });
    const found = check(stack);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("s3:GetObject");
    expect(found[0]!.message).not.toContain("xray:PutTraceSegments");
  });

  it("keeps prefix and named-resource ARNs, and partial wildcards of allowlisted actions", () => {
    const stack = goodStack();
    const d = stack.data!.aws_iam_policy_document!.fn_doc! as { statement: Record<string, unknown>[] };
    d.statement[0]!.resources = [
      "arn:aws:s3:::finops-cur-111111111111/cur/*",
      "arn:aws:s3:::finops-athena-results/*",
      "arn:aws:cloudformation:*:123456789012:stackset/finops-*",
      "arn:aws:dynamodb:us-east-1:123456789012:table/*",
      "arn:aws:organizations::111111111111:account/o-*/*",
      "arn:aws:iam::*:role/finops-read",
      `arn:aws:logs:us-east-1:123456789012:log-group:${tf("aws_cloudwatch_log_group.x.name")}:*`,
      `${tf("aws_dynamodb_table.t.arn")}/index/*`,
    ];
    d.statement[1]!.resources = ["arn:aws:xray:*:*:*"]; // xray:PutTraceSegments is on the allowlist
    expect(check(stack).map(formatViolation)).toEqual([]);
  });

  it("names the disguised wildcard ARN, why, and the fix", () => {
    const stack = goodStack();
    const d = stack.data!.aws_iam_policy_document!.fn_doc! as { statement: Record<string, unknown>[] };
    d.statement[0]!.resources = ["arn:aws:dynamodb:*:*:table/*"];
    const [v] = check(stack);
    expect(v?.message).toBe(
      'policy statement Table allows dynamodb:GetItem on "arn:aws:dynamodb:*:*:table/*", which has a wildcard account and region and a wildcard resource; name the account, region and resource (a prefix is fine), or allowlist the ARN with a reason (contracts/iam-wildcards.ts)',
    );
  });

  it("does not ask synchronously invoked functions for a DLQ", () => {
    const stack = goodStack();
    delete res(stack).aws_cloudwatch_event_target;
    res(stack).aws_lambda_permission!.events!.principal = "apigateway.amazonaws.com";
    delete res(stack).aws_lambda_function!.fn!.dead_letter_config;
    expect(check(stack).map(formatViolation)).toEqual([]);
  });

  it("accepts an on-failure destination instead of a DLQ", () => {
    const stack = goodStack();
    delete res(stack).aws_lambda_function!.fn!.dead_letter_config;
    res(stack).aws_lambda_function_event_invoke_config = {
      cfg: {
        function_name: "fx-fn",
        destination_config: { on_failure: { destination: ref("aws_sqs_queue.dlq", "arn") } },
      },
    };
    expect(check(stack).map(formatViolation)).toEqual([]);
  });

  it("asks for neither prevent_destroy nor table deletion protection when the config opts out", () => {
    const stack = goodStack();
    for (const byName of Object.values(res(stack)))
      for (const body of Object.values(byName)) delete body.lifecycle;
    res(stack).aws_dynamodb_table!.table!.deletion_protection_enabled = false;
    expect(check(stack, { allowDataStoreDestroy: true }).map(formatViolation)).toEqual([]);
  });
});
