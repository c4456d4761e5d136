import type { SynthesizedStack } from "../../../../checks/stack-view";

/**
 * A small hand-made stack with one resource of every type the rules look at, each configured the
 * way the baseline wants. Each rule's failing fixture is this stack with one thing broken.
 */
type Body = Record<string, unknown>;
const meta = (path: string) => ({ "//": { metadata: { path: `fx/${path}` } } });
export const ref = (address: string, attr = "id") => `\${${address}.${attr}}`;
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });

export const ACCOUNT = "123456789012";
export const OTHER_ACCOUNT = "210987654321";

/** A Terraform expression that is not literal JSON: the rules cannot read it. */
export const JSONENCODED = `$${"{"}jsonencode({Statement = []})}`;

export const KEY = ref("aws_kms_key.key", "arn");

const trust = (service: string) =>
  doc({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });

export function goodStack(): SynthesizedStack & { resource: Record<string, Record<string, Body>> } {
  return {
    provider: { aws: [{ allowed_account_ids: [ACCOUNT], region: "us-east-1" }] },
    resource: {
      aws_cloudfront_distribution: {
        cdn: {
          ...meta("console/distribution"),
          origin: [
            {
              origin_id: "site",
              domain_name: "fx-bucket.s3.us-east-1.amazonaws.com",
              origin_access_control_id: ref("aws_cloudfront_origin_access_control.oac"),
            },
          ],
          default_cache_behavior: {
            viewer_protocol_policy: "redirect-to-https",
            response_headers_policy_id: ref("aws_cloudfront_response_headers_policy.headers"),
          },
          ordered_cache_behavior: [
            {
              path_pattern: "/assets/*",
              viewer_protocol_policy: "https-only",
              response_headers_policy_id: ref("aws_cloudfront_response_headers_policy.headers"),
            },
          ],
          viewer_certificate: {
            acm_certificate_arn:
              "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
            minimum_protocol_version: "TLSv1.2_2021",
          },
        },
      },
      aws_cloudwatch_log_delivery_source: {
        cdn_logs: { log_type: "ACCESS_LOGS", resource_arn: ref("aws_cloudfront_distribution.cdn", "arn") },
      },
      aws_s3_bucket: {
        bucket: { ...meta("bucket/bucket"), bucket: "fx-bucket", lifecycle: { prevent_destroy: true } },
      },
      aws_s3_bucket_versioning: {
        versioning: { bucket: ref("aws_s3_bucket.bucket"), versioning_configuration: { status: "Enabled" } },
      },
      aws_s3_bucket_server_side_encryption_configuration: {
        encryption: {
          bucket: "fx-bucket", // by literal name: matched to the bucket too
          rule: [
            { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY } },
          ],
        },
      },
      aws_s3_bucket_public_access_block: {
        pab: {
          bucket: ref("aws_s3_bucket.bucket"),
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        },
      },
      aws_s3_bucket_ownership_controls: {
        own: { bucket: ref("aws_s3_bucket.bucket"), rule: { object_ownership: "BucketOwnerEnforced" } },
      },
      aws_s3_bucket_policy: {
        policy: {
          bucket: ref("aws_s3_bucket.bucket"),
          policy: doc({
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::fx-bucket", "arn:aws:s3:::fx-bucket/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        },
      },
      aws_s3_bucket_lifecycle_configuration: {
        lc: {
          bucket: ref("aws_s3_bucket.bucket"),
          rule: [
            {
              id: "r",
              status: "Enabled",
              noncurrent_version_expiration: [{ noncurrent_days: 90 }],
              abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
            },
          ],
        },
      },
      aws_dynamodb_table: {
        table: {
          ...meta("table"),
          name: "t",
          point_in_time_recovery: { enabled: true },
          server_side_encryption: { enabled: true, kms_key_arn: KEY },
          deletion_protection_enabled: true,
          lifecycle: { prevent_destroy: true },
        },
      },
      aws_kms_key: {
        key: {
          enable_key_rotation: true,
          lifecycle: { prevent_destroy: true },
          policy: doc(
            {
              Sid: "Root",
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: "kms:*",
              Resource: "*",
            },
            {
              Sid: "Logs",
              Effect: "Allow",
              Principal: { Service: "logs.us-east-1.amazonaws.com" },
              Action: ["kms:Encrypt*", "kms:Decrypt*"],
              Resource: "*",
            },
          ),
        },
      },
      aws_iam_role: {
        fn_role: { name: "fn", assume_role_policy: trust("lambda.amazonaws.com") },
        reader: {
          name: "reader",
          assume_role_policy: doc({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
          }),
        },
        sfn_role: { name: "sfn", assume_role_policy: trust("states.amazonaws.com") },
      },
      aws_iam_role_policy: {
        fn_policy: {
          role: ref("aws_iam_role.fn_role"),
          policy: ref("data.aws_iam_policy_document.fn_doc", "json"),
        },
      },
      aws_lambda_function: {
        fn: {
          ...meta("fn/function"),
          function_name: "fx-fn",
          role: ref("aws_iam_role.fn_role", "arn"),
          runtime: "nodejs22.x",
          tracing_config: { mode: "Active" },
          reserved_concurrent_executions: 5,
          kms_key_arn: KEY,
          environment: { variables: { TABLE: "t" } },
          dead_letter_config: { target_arn: ref("aws_sqs_queue.dlq", "arn") },
          vpc_config: {
            subnet_ids: [ref("aws_subnet.a")],
            security_group_ids: [ref("aws_security_group.endpoints")],
          },
        },
      },
      aws_cloudwatch_log_group: {
        fn_logs: {
          name: "/aws/lambda/fx-fn",
          retention_in_days: 365,
          kms_key_id: KEY,
          lifecycle: { prevent_destroy: true },
        },
      },
      aws_cloudwatch_event_target: { target: { arn: ref("aws_lambda_function.fn", "arn"), rule: "r" } },
      aws_lambda_permission: {
        events: {
          function_name: ref("aws_lambda_function.fn", "function_name"),
          principal: "events.amazonaws.com",
          source_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
          action: "lambda:InvokeFunction",
        },
      },
      aws_sns_topic: {
        topic: {
          name: "alerts",
          kms_master_key_id: KEY,
          policy: doc({
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: "*",
            Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r" } },
          }),
        },
      },
      aws_sqs_queue: { dlq: { name: "dlq", kms_master_key_id: KEY, lifecycle: { prevent_destroy: true } } },
      aws_apigatewayv2_route: {
        route: { route_key: "GET /spend", authorization_type: "JWT", authorizer_id: "a" },
      },
      aws_apigatewayv2_stage: {
        stage: {
          name: "$default",
          access_log_settings: {
            destination_arn: ref("aws_cloudwatch_log_group.fn_logs", "arn"),
            format: "{}",
          },
        },
      },
      aws_cognito_identity_pool: {
        idp: { identity_pool_name: "p", allow_unauthenticated_identities: false },
      },
      aws_cognito_user_pool: {
        users: {
          name: "u",
          lifecycle: { prevent_destroy: true },
          password_policy: {
            minimum_length: 14,
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
          },
        },
      },
      aws_athena_workgroup: {
        wg: {
          name: "wg",
          lifecycle: { prevent_destroy: true },
          configuration: {
            enforce_workgroup_configuration: true,
            result_configuration: {
              encryption_configuration: { encryption_option: "SSE_KMS", kms_key_arn: KEY },
            },
          },
        },
      },
      aws_sfn_state_machine: {
        sm: {
          role_arn: ref("aws_iam_role.sfn_role", "arn"),
          logging_configuration: {
            level: "ERROR",
            log_destination: "arn:aws:logs:us-east-1:123456789012:log-group:sm:*",
          },
          tracing_configuration: { enabled: true },
        },
      },
      aws_vpc: { vpc: { cidr_block: "10.0.0.0/24" } },
      aws_subnet: {
        a: { vpc_id: ref("aws_vpc.vpc"), cidr_block: "10.0.0.0/25", map_public_ip_on_launch: false },
      },
      aws_route_table: { private: { vpc_id: ref("aws_vpc.vpc") } },
      aws_default_security_group: { default: { vpc_id: ref("aws_vpc.vpc"), ingress: [], egress: [] } },
      aws_security_group: {
        endpoints: {
          vpc_id: ref("aws_vpc.vpc"),
          ingress: [{ protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/24"] }],
        },
      },
      aws_vpc_security_group_egress_rule: {
        out: {
          security_group_id: ref("aws_security_group.endpoints"),
          ip_protocol: "tcp",
          from_port: 443,
          to_port: 443,
        },
      },
      aws_flow_log: { flow: { vpc_id: ref("aws_vpc.vpc"), traffic_type: "ALL" } },
      aws_vpc_endpoint: {
        sts: {
          vpc_id: ref("aws_vpc.vpc"),
          service_name: "com.amazonaws.us-east-1.sts",
          vpc_endpoint_type: "Interface",
          private_dns_enabled: true,
          security_group_ids: [ref("aws_security_group.endpoints")],
        },
      },
    },
    data: {
      aws_iam_policy_document: {
        fn_doc: {
          statement: [
            {
              sid: "Table",
              effect: "Allow",
              actions: ["dynamodb:GetItem"],
              resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"],
            },
            { sid: "Traces", effect: "Allow", actions: ["xray:PutTraceSegments"], resources: ["*"] },
          ],
        },
      },
    },
  };
}
