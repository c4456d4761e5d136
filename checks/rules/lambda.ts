import type { Finding, Rule } from "../engine";
import { list } from "../policy";
import { block, type ResourceView } from "../stack-view";
import { setString } from "./helpers";

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

/** Lambda functions: roles, logs, tracing, concurrency, failure handling, environment encryption, runtimes, VPC. */
export const LAMBDA_RULES: readonly Rule[] = [
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
];
