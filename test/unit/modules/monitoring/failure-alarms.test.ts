import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { loadAccountConfig, parseAccountConfig } from "../../../../config/load";
import { Names } from "../../../../config/naming";
import type { AccountConfig } from "../../../../config/schema";
import {
  APP_METRICS_NAMESPACE,
  CUR_INGEST_METRICS,
  STACKSET_DRIFT_METRICS,
} from "../../../../contracts/metrics";
import { RUNBOOKS } from "../../../../modules/monitoring/runbooks";
import { type StackJson, synthConfig } from "../../../support/synth";

/**
 * Every failure mode has an alarm (issue 16), whatever the config: the synthesized stacks of
 * accounts/local.yaml (direct and stackset mode) and accounts/example.yaml are enumerated, and every
 * function, queue and forwarder (a rule target on the central bus) must have its alarm.
 *
 * Metric names and dimensions are AWS's, from its documentation:
 * - AWS/Lambda Errors, Throttles; dimension FunctionName
 *   (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html);
 * - AWS/SQS ApproximateNumberOfMessagesVisible, ApproximateAgeOfOldestMessage; dimension QueueName
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html);
 * - AWS/Events FailedInvocations, InvocationsSentToDlq, InvocationsFailedToBeSentToDlq; dimension
 *   RuleName (default bus), EventBusName + RuleName (custom bus)
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html);
 * - AWS/ApiGateway 5xx, Latency for HTTP APIs; dimensions ApiId, Stage
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html);
 * - an alarm's Period x EvaluationPeriods is at most 604,800 s (PutMetricAlarm, Period).
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is untyped
type Json = any;

const ROOT = path.join(__dirname, "../../../..");
const LOCAL = readFileSync(path.join(ROOT, "accounts/local.yaml"), "utf8");
const OPERATIONS = readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");

function withMonitoring(monitoring: string): AccountConfig {
  return parseAccountConfig(
    LOCAL.replace(/monitoring:\n(?: {2}.*\n)+/, `monitoring:\n${monitoring}`),
    "local.yaml",
  );
}

const CONFIGS: Record<string, AccountConfig> = {
  "local.yaml, direct": withMonitoring("  mode: direct\n"),
  "local.yaml, stackset": withMonitoring(
    "  mode: stackset\n  stackset:\n    organizationalUnits: [Workloads]\n",
  ),
  "example.yaml": loadAccountConfig(path.join(ROOT, "accounts/example.yaml")),
};

const resources = (stack: StackJson, type: string): [string, Json][] =>
  Object.entries(stack.resource?.[type] ?? {});

/** Every metric an alarm reads: its single metric or those of its metric_query. */
function alarmMetrics(a: Json): { namespace: string; name: string; dimensions: Record<string, string> }[] {
  if (a.metric_name) return [{ namespace: a.namespace, name: a.metric_name, dimensions: a.dimensions ?? {} }];
  return (a.metric_query ?? [])
    .filter((q: Json) => q.metric)
    .map((q: Json) => ({
      namespace: q.metric.namespace,
      name: q.metric.metric_name,
      dimensions: q.metric.dimensions ?? {},
    }));
}

/** The provider alias of a resource ("aws" when none): alarms live in the region of what they watch. */
const providerOf = (r: Json) => r.provider ?? "aws";

function alarmsOn(
  stack: StackJson,
  provider: string,
  namespace: string,
  metric: string,
  dims: Record<string, string>,
) {
  return resources(stack, "aws_cloudwatch_metric_alarm")
    .map(([, a]) => a)
    .filter(
      (a) =>
        providerOf(a) === provider &&
        alarmMetrics(a).some(
          (m) =>
            m.namespace === namespace &&
            m.name === metric &&
            Object.entries(dims).every(([k, v]) => m.dimensions[k] === v),
        ),
    );
}

/** GitHub's heading anchors: lower case, spaces to hyphens, punctuation dropped. */
const ANCHORS = new Set(
  OPERATIONS.split("\n")
    .filter((l) => /^#{2,4} /.test(l))
    .map((l) =>
      l
        .replace(/^#+ /, "")
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .replace(/ /g, "-"),
    ),
);

const RUNBOOK_ANCHORS = new Set<string>(Object.values(RUNBOOKS));

describe("runbooks", () => {
  it("has a section in docs/operations.md for every anchor of RUNBOOKS", () => {
    const missing = [...RUNBOOK_ANCHORS].filter((a) => !ANCHORS.has(a));
    expect(missing).toEqual([]);
  });

  it("is named through RUNBOOKS everywhere: no module writes a runbook link itself", () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? sources(path.join(dir, e.name))
          : /\.tsx?$/.test(e.name)
            ? [path.join(dir, e.name)]
            : [],
      );
    const handWritten = sources(path.join(ROOT, "modules"))
      .filter((f) => !f.endsWith(path.join("monitoring", "runbooks.ts")))
      .filter((f) => readFileSync(f, "utf8").includes("operations.md#"))
      .map((f) => path.relative(ROOT, f));
    expect(handWritten).toEqual([]);
  });
});

describe.each(Object.entries(CONFIGS))("failure alarms, %s", (_label, config) => {
  const { stacks } = synthConfig(config);
  const names = new Names(config);
  const admin = stacks.admin!;
  const topicRef = /^\$\{aws_sns_topic\.[\w-]+\.arn\}$/;

  it("gives every function, in every stack, an Errors and a Throttles alarm in its own region", () => {
    const fns = Object.values(stacks).flatMap((s) =>
      resources(s, "aws_lambda_function").map(([, f]) => [s, f]),
    );
    expect(fns.length).toBeGreaterThan(5);
    for (const [stack, fn] of fns) {
      for (const metric of ["Errors", "Throttles"]) {
        const found = alarmsOn(stack, providerOf(fn), "AWS/Lambda", metric, {
          FunctionName: fn.function_name,
        });
        expect({ fn: fn.function_name, metric, alarms: found.length }).toEqual({
          fn: fn.function_name,
          metric,
          alarms: 1,
        });
      }
    }
  });

  it("gives every queue an alarm: visible messages of a DLQ, the oldest message's age of a source queue", () => {
    const queues = Object.values(stacks).flatMap((s) => resources(s, "aws_sqs_queue").map(([, q]) => [s, q]));
    expect(queues.some(([, q]) => q.name.endsWith("-dlq"))).toBe(true);
    for (const [stack, q] of queues) {
      const metric = q.name.endsWith("-dlq")
        ? "ApproximateNumberOfMessagesVisible"
        : "ApproximateAgeOfOldestMessage";
      const found = alarmsOn(stack, providerOf(q), "AWS/SQS", metric, { QueueName: q.name });
      expect({ queue: q.name, metric, alarms: found.length }).toEqual({ queue: q.name, metric, alarms: 1 });
      if (metric === "ApproximateNumberOfMessagesVisible") expect(found[0].threshold).toBe(1);
    }
  });

  it("gives every forwarder (a rule target on the central bus) a DLQ, a retry policy and a failures alarm", () => {
    const forwarders = Object.values(stacks).flatMap((s) =>
      resources(s, "aws_cloudwatch_event_target")
        .map(([, t]) => t)
        .filter((t) => t.arn === names.centralBusArn)
        .map((t) => [s, t]),
    );
    if (config.monitoring.mode === "direct") expect(forwarders.length).toBeGreaterThan(0);
    for (const [stack, t] of forwarders) {
      const ruleId = /^\$\{aws_cloudwatch_event_rule\.([\w-]+)\.name\}$/.exec(t.rule)![1]!;
      const rule = stack.resource.aws_cloudwatch_event_rule[ruleId];
      expect(t.retry_policy).toEqual({
        maximum_event_age_in_seconds: expect.any(Number),
        maximum_retry_attempts: expect.any(Number),
      });
      const where = t["//"].metadata.path;
      // A forwarder without a DLQ loses what it cannot deliver: name it in the failure.
      expect({ forwarder: where, dlq: t.dead_letter_config?.arn ?? "none" }).toEqual({
        forwarder: where,
        dlq: expect.stringMatching(/^\$\{aws_sqs_queue\.[\w-]+\.arn\}$/),
      });
      const dlqId = /^\$\{aws_sqs_queue\.([\w-]+)\.arn\}$/.exec(t.dead_letter_config.arn)![1]!;
      const dlq = stack.resource.aws_sqs_queue[dlqId];
      expect(providerOf(dlq)).toBe(providerOf(t));
      expect(dlq.kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
      // The queue policy admits EventBridge for exactly the region's baseline rules.
      const policy = resources(stack, "aws_sqs_queue_policy")
        .map(([, p]) => p)
        .find((p) => p.queue_url === `\${aws_sqs_queue.${dlqId}.url}`);
      const [statement] = JSON.parse(policy.policy).Statement;
      expect(statement.Principal).toEqual({ Service: "events.amazonaws.com" });
      expect(statement.Condition.ArnEquals["aws:SourceArn"]).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`:rule/${rule.name}$`))]),
      );
      for (const metric of ["FailedInvocations", "InvocationsSentToDlq", "InvocationsFailedToBeSentToDlq"]) {
        const found = alarmsOn(stack, providerOf(t), "AWS/Events", metric, { RuleName: rule.name });
        expect({ rule: rule.name, metric, alarms: found.length }).toEqual({
          rule: rule.name,
          metric,
          alarms: 1,
        });
      }
    }
  });

  it("alarms on every rule of the admin stack (its targets' FailedInvocations), custom-bus rules with EventBusName", () => {
    for (const [, rule] of resources(admin, "aws_cloudwatch_event_rule")) {
      // A rule may name its bus by ARN; the metric's EventBusName is the bus's name.
      const bus = rule.event_bus_name?.replace(/^arn:.*:event-bus\//, "");
      const dims: Record<string, string> =
        bus && bus !== "default" ? { RuleName: rule.name, EventBusName: bus } : { RuleName: rule.name };
      expect({
        rule: rule.name,
        alarms: alarmsOn(admin, providerOf(rule), "AWS/Events", "FailedInvocations", dims).length,
      }).toEqual({
        rule: rule.name,
        alarms: 1,
      });
    }
  });

  it("alarms on the HTTP API's 5xx and p99 latency on its $default stage", () => {
    const [[apiId]] = resources(admin, "aws_apigatewayv2_api");
    const dims = { ApiId: `\${aws_apigatewayv2_api.${apiId}.id}`, Stage: "$default" };
    expect(alarmsOn(admin, "aws", "AWS/ApiGateway", "5xx", dims)).toHaveLength(1);
    const [latency] = alarmsOn(admin, "aws", "AWS/ApiGateway", "Latency", dims);
    expect(latency).toMatchObject({
      extended_statistic: "p99",
      threshold: config.monitoring.alarms.apiLatencyP99Ms,
    });
  });

  it("alarms when an ingest fails and when no CUR delivery was committed for curStaleHours (silence breaches)", () => {
    const svc = { service: "cur-ingest" };
    const [failed] = alarmsOn(admin, "aws", APP_METRICS_NAMESPACE, CUR_INGEST_METRICS.ingestFailed, svc);
    expect(failed).toMatchObject({ statistic: "Sum", threshold: 1, treat_missing_data: "notBreaching" });
    const [stale] = alarmsOn(
      admin,
      "aws",
      APP_METRICS_NAMESPACE,
      CUR_INGEST_METRICS.deliveriesCommitted,
      svc,
    );
    const hours = config.monitoring.alarms.curStaleHours;
    expect(stale).toMatchObject({
      period: 3600,
      evaluation_periods: hours,
      datapoints_to_alarm: hours,
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
    });
    expect(stale.period * stale.evaluation_periods).toBeLessThanOrEqual(604_800);
  });

  it("alarms on StackSet drift and on a failed drift detection in stackset mode (the drift function's two metrics)", () => {
    const dims = { service: "stackset-drift", StackSet: names.baselineStackSet };
    const drifted = alarmsOn(
      admin,
      "aws",
      APP_METRICS_NAMESPACE,
      STACKSET_DRIFT_METRICS.driftedInstances,
      dims,
    );
    const failed = alarmsOn(
      admin,
      "aws",
      APP_METRICS_NAMESPACE,
      STACKSET_DRIFT_METRICS.detectionFailed,
      dims,
    );
    if (config.monitoring.mode !== "stackset") {
      expect([...drifted, ...failed]).toEqual([]);
      return;
    }
    for (const a of [...drifted, ...failed]) {
      // One data point per run (every 12 hours): any drifted instance or failed detection alarms.
      expect(a).toMatchObject({
        statistic: "Maximum",
        period: 43200,
        threshold: 1,
        comparison_operator: "GreaterThanOrEqualToThreshold",
      });
    }
    expect([drifted.length, failed.length]).toEqual([1, 1]);
  });

  it("sends every admin alarm to the alerts topic on ALARM and OK; member alarms reach it through the central bus", () => {
    for (const [, a] of resources(admin, "aws_cloudwatch_metric_alarm")) {
      expect(a.alarm_actions).toEqual([expect.stringMatching(topicRef)]);
      expect(a.ok_actions).toEqual([expect.stringMatching(topicRef)]);
    }
    const alarmRule = JSON.stringify({ prefix: `${names.prefix}-baseline-` });
    for (const [name, stack] of Object.entries(stacks).filter(([n]) => n.startsWith("member-"))) {
      const memberAlarms = resources(stack, "aws_cloudwatch_metric_alarm").map(([, a]) => a);
      if (config.monitoring.mode === "stackset") {
        expect({ name, alarms: memberAlarms.length }).toEqual({ name, alarms: 0 });
        continue;
      }
      expect(memberAlarms.length).toBeGreaterThan(0);
      for (const a of memberAlarms) {
        expect(a.alarm_actions).toBeUndefined();
        expect(a.alarm_name.startsWith(`${names.prefix}-baseline-`)).toBe(true);
      }
      // The alarm-state rule of each region matches them, and forwards to the central bus.
      const rules = resources(stack, "aws_cloudwatch_event_rule").map(([, r]) => r);
      expect(rules.filter((r) => r.event_pattern?.includes(alarmRule))).toHaveLength(
        new Set(memberAlarms.map(providerOf)).size,
      );
    }
    const [filter] = resources(admin, "aws_cloudwatch_log_metric_filter")
      .map(([, f]) => f)
      .filter((f) => f.name === `${names.prefix}-member-alarms`);
    expect(filter.pattern).toContain('$.detail.state.value = "ALARM"');
    expect(filter.pattern).toContain(`$.detail.alarmName = "${names.prefix}-baseline-*"`);
    expect(
      alarmsOn(admin, "aws", names.baselineMetricsNamespace, filter.metric_transformation.name, {}),
    ).toHaveLength(1);
  });

  it("names in every alarm's description a runbook section that docs/operations.md has", () => {
    const descriptions = Object.values(stacks).flatMap((s) =>
      resources(s, "aws_cloudwatch_metric_alarm").map(([, a]) => [a.alarm_name, a.alarm_description]),
    );
    const template = resources(admin, "aws_cloudformation_stack_set").map(([, s]) =>
      JSON.parse(s.template_body.replace(/\$\$\{/g, "${")),
    );
    for (const t of template)
      for (const r of Object.values(t.Resources as Record<string, Json>).filter(
        (r) => r.Type === "AWS::CloudWatch::Alarm",
      ))
        descriptions.push([r.Properties.AlarmName, r.Properties.AlarmDescription]);
    expect(descriptions.length).toBeGreaterThan(10);
    for (const [name, description] of descriptions) {
      const anchor = /Runbook: docs\/operations\.md#([a-z0-9-]+)$/.exec(description ?? "")?.[1];
      expect({
        name,
        anchor,
        documented: anchor !== undefined && ANCHORS.has(anchor),
        inRunbooks: RUNBOOK_ANCHORS.has(anchor ?? ""),
      }).toEqual({ name, anchor, documented: true, inRunbooks: true });
    }
  });
});

describe("failure alarms of the StackSet template (stackset mode)", () => {
  const config = CONFIGS["local.yaml, stackset"]!;
  const { stacks } = synthConfig(config);
  const names = new Names(config);
  const [[, set]] = resources(stacks.admin!, "aws_cloudformation_stack_set");
  const template = JSON.parse(set.template_body.replace(/\$\$\{/g, "${"));
  const all = Object.values(template.Resources as Record<string, Json>);
  const alarms = all.filter((r) => r.Type === "AWS::CloudWatch::Alarm");
  const metricsOf = (a: Json) =>
    (a.Properties.Metrics ?? [{ MetricStat: { Metric: a.Properties } }])
      .filter((m: Json) => m.MetricStat)
      .map((m: Json) => ({
        name: m.MetricStat.Metric.MetricName,
        dims: Object.fromEntries((m.MetricStat.Metric.Dimensions ?? []).map((d: Json) => [d.Name, d.Value])),
      }));

  it("gives every rule's central-bus target the DLQ, the retry policy and a failures alarm, as the direct mode does", () => {
    const rules = all.filter((r) => r.Type === "AWS::Events::Rule");
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const [target] = rule.Properties.Targets;
      expect(target.Arn).toBe(names.centralBusArn);
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 185 });
      expect(target.DeadLetterConfig.Arn).toEqual({
        "Fn::Sub": `arn:aws:sqs:\${AWS::Region}:\${AWS::AccountId}:${names.baselineRule("forwarder-dlq")}`,
      });
      for (const metric of ["FailedInvocations", "InvocationsSentToDlq", "InvocationsFailedToBeSentToDlq"])
        expect(
          alarms.filter((a) =>
            metricsOf(a).some((m: Json) => m.name === metric && m.dims.RuleName === rule.Properties.Name),
          ),
        ).toHaveLength(1);
    }
  });

  it("encrypts the DLQ with its own key, lets only the baseline rules send to it, and alarms on its messages", () => {
    const [queue] = all.filter((r) => r.Type === "AWS::SQS::Queue");
    expect(queue.Properties.KmsMasterKeyId).toEqual({ Ref: "ForwarderDlqKey" });
    expect(template.Resources.ForwarderDlqKey.Properties.EnableKeyRotation).toBe(true);
    expect(
      alarms.filter((a) =>
        metricsOf(a).some(
          (m: Json) =>
            m.name === "ApproximateNumberOfMessagesVisible" &&
            m.dims.QueueName === queue.Properties.QueueName,
        ),
      ),
    ).toHaveLength(1);
    const [statement] = template.Resources.ForwarderDlqPolicy.Properties.PolicyDocument.Statement;
    expect(statement.Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(statement.Condition.ArnEquals["aws:SourceArn"]).toHaveLength(
      all.filter((r) => r.Type === "AWS::Events::Rule").length,
    );
  });
});

describe("monitoring.alarms validation", () => {
  const withAlarms = (alarms: string) => () =>
    parseAccountConfig(LOCAL.replace(/monitoring:\n/, `monitoring:\n  alarms:\n${alarms}`), "local.yaml");

  it("defaults curStaleHours to 48 and apiLatencyP99Ms to 5000", () => {
    expect(withAlarms("    {}\n".replace("    {}\n", "    curStaleHours: 48\n"))().monitoring.alarms).toEqual(
      {
        curStaleHours: 48,
        apiLatencyP99Ms: 5000,
      },
    );
  });

  it.each([
    ["    curStaleHours: 12\n", /monitoring\.alarms\.curStaleHours.*at least 24/s],
    ["    curStaleHours: 200\n", /monitoring\.alarms\.curStaleHours.*at most 168.*604,800/s],
    ["    curStaleHours: 36.5\n", /monitoring\.alarms\.curStaleHours.*whole number/s],
    ["    apiLatencyP99Ms: 60000\n", /monitoring\.alarms\.apiLatencyP99Ms.*at most 30000/s],
  ])("refuses %j, naming the field and the bound", (yaml, message) => {
    expect(withAlarms(yaml)).toThrow(message);
  });
});
