import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseAccountConfig } from "../../../../config/load";
import { Names } from "../../../../config/naming";
import type { AccountConfig } from "../../../../config/schema";
import { isWildcardAllowed } from "../../../../contracts/iam-wildcards";
import { STACKSET_METRICS } from "../../../../contracts/metrics";
import { DRIFT_ENV } from "../../../../functions/stackset-drift/settings";
import { metricData } from "../../../../functions/stackset-monitor/metrics";
import { MONITOR_ENV } from "../../../../functions/stackset-monitor/settings";
import { BASELINE_RULES } from "../../../../modules/monitoring/baseline";
import { STACKSET_DRIFT_SCHEDULE } from "../../../../modules/monitoring/stackset-drift";
import { synthConfig } from "../../../support/synth";

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is untyped
type Json = any;

const LOCAL = readFileSync(path.join(__dirname, "../../../../accounts/local.yaml"), "utf8");

function config(monitoring: string): AccountConfig {
  return parseAccountConfig(
    LOCAL.replace(/monitoring:\n(?: {2}.*\n)+/, `monitoring:\n${monitoring}`),
    "local.yaml",
  );
}

function synth(c: AccountConfig): { outdir: string; stack: (name: string) => Json } {
  const { outdir, stacks } = synthConfig(c);
  return { outdir, stack: (name) => stacks[name] };
}

const resources = (stack: Json, type: string): Json[] => Object.values(stack.resource?.[type] ?? {});

const DIRECT = config("  mode: direct\n  logRetentionDays: 30\n  alertEmail: ops@example.com\n");
const STACKSET = config(
  '  mode: stackset\n  logRetentionDays: 30\n  stackset:\n    organizationalUnits: [Workloads]\n    excludedAccounts: ["444444444444"]\n',
);
const direct = synth(DIRECT);
const stackset = synth(STACKSET);
const names = new Names(DIRECT);
const template = JSON.parse(
  (resources(stackset.stack("admin"), "aws_cloudformation_stack_set")[0].template_body as string).replace(
    /\$\$\{/g,
    "${",
  ),
);

describe("central monitoring (admin stack)", () => {
  const admin = direct.stack("admin");

  it("admits the whole organization on the central bus through aws:PrincipalOrgID from Organizations", () => {
    const [policy] = resources(admin, "aws_cloudwatch_event_bus_policy");
    const orgData = Object.keys(admin.data.aws_organizations_organization)[0];
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "OrganizationPutsEvents",
        Effect: "Allow",
        Principal: "*",
        Action: "events:PutEvents",
        Resource: names.centralBusArn,
        Condition: {
          StringEquals: { "aws:PrincipalOrgID": `\${data.aws_organizations_organization.${orgData}.id}` },
        },
      },
    ]);
  });

  it("sends every central event to a KMS-encrypted log group with the configured retention", () => {
    const group = resources(admin, "aws_cloudwatch_log_group").find(
      (g) => g.name === names.centralEventsLogGroup,
    );
    expect(group).toMatchObject({ name: names.centralEventsLogGroup, retention_in_days: 30 });
    expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\./);
    const target = resources(admin, "aws_cloudwatch_event_target").find(
      (t) => t.target_id === "central-log-group",
    );
    expect(target.arn).toBe(`arn:aws:logs:us-east-1:222222222222:log-group:${names.centralEventsLogGroup}`);
    const [logPolicy] = resources(admin, "aws_cloudwatch_log_resource_policy");
    expect(JSON.parse(logPolicy.policy_document).Statement[0].Principal.Service).toContain(
      "events.amazonaws.com",
    );
  });

  it("saves the Logs Insights queries on the central log group (the three central ones and member alarms)", () => {
    expect(
      resources(admin, "aws_cloudwatch_query_definition")
        .map((q) => q.name)
        .sort(),
    ).toEqual([
      "finops/monitoring/failed-stack-operations",
      "finops/monitoring/member-alarms",
      "finops/monitoring/recent-events-by-account-and-region",
      "finops/monitoring/stack-status-breakdown",
    ]);
  });

  it("alarms on failed stack operations, missing heartbeats and the StackSet success rate to a KMS topic", () => {
    // The central module's own alarms; the failure alarms are tested in failure-alarms.test.ts.
    const alarms = resources(admin, "aws_cloudwatch_metric_alarm").filter((a) =>
      a["//"].metadata.path.startsWith("admin/monitoring/central/"),
    );
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      "finops-failed-stack-operations",
      "finops-missing-heartbeats",
      "finops-stackset-success-rate",
    ]);
    const [topic] = resources(admin, "aws_sns_topic");
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
    expect(resources(admin, "aws_sns_topic_subscription")).toEqual([
      expect.objectContaining({ protocol: "email", endpoint: "ops@example.com" }),
    ]);
  });

  it("does not change when a member is added (org-wide policy, no per-account resources)", () => {
    // The admin stack's one per-member part is the API's member config object (config/members.json,
    // modules/app/member-config.ts), not monitoring: its content is left out of the comparison.
    const { budget: _budget, ...unbudgeted } = DIRECT.members[0]!;
    const more = {
      ...DIRECT,
      members: [
        ...DIRECT.members,
        { ...unbudgeted, id: "666666666666", name: "extra", email: "x@example.com" },
      ],
    };
    const withoutMemberConfig = (outdir: string) => {
      const json = JSON.parse(readFileSync(path.join(outdir, "stacks", "admin", "cdk.tf.json"), "utf8"));
      const objects: Record<string, { key?: string; content?: string }> = json.resource.aws_s3_object;
      const memberConfig = Object.values(objects).filter((o) => o.key === "config/members.json");
      expect(memberConfig).toHaveLength(1);
      delete memberConfig[0]!.content;
      return json;
    };
    const before = withoutMemberConfig(direct.outdir);
    const after = synth(more);
    expect(withoutMemberConfig(after.outdir)).toEqual(before);
  });
});

describe("member baseline, direct mode", () => {
  const prod = direct.stack("member-app-prod"); // us-east-1 + eu-west-1, budget with notify

  it("creates every baseline rule in every region, each targeting the central bus through the forwarder role", () => {
    const rules = resources(prod, "aws_cloudwatch_event_rule");
    // The fixed rules and the alarm-state rule, in each of the two regions.
    expect(rules).toHaveLength((BASELINE_RULES.length + 1) * 2);
    const targets = resources(prod, "aws_cloudwatch_event_target");
    expect(new Set(targets.map((t) => t.arn))).toEqual(new Set([names.centralBusArn]));
    expect(targets.every((t) => /^\$\{aws_iam_role\..*forwarder.*\.arn\}$/.test(t.role_arn))).toBe(true);
  });

  it("the forwarder role may only events:PutEvents to the central bus, and only EventBridge of this account assumes it", () => {
    const role = resources(prod, "aws_iam_role").find((r) => r.name === names.baselineForwarderRole);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": "444444444444" } },
      }),
    ]);
    const policy = resources(prod, "aws_iam_role_policy").find((p) => p.name === "put-events-central-bus");
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "PutEventsOnTheCentralBusOnly",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: names.centralBusArn,
      },
    ]);
  });

  it("the read-only role trusts only the admin's named roles (root + aws:PrincipalArn + external id)", () => {
    const role = resources(prod, "aws_iam_role").find((r) => r.name === names.memberReadOnlyRole);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Sid: "AdminFinOpsRolesOnly",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: {
            "aws:PrincipalArn": [
              "arn:aws:iam::222222222222:role/finops-finops-reader",
              "arn:aws:iam::222222222222:role/finops-stackset-monitor",
            ],
          },
          StringEquals: { "sts:ExternalId": names.memberReadOnlyExternalId },
        },
      },
    ]);
  });

  it("grants Resource * only for allowlisted actions and nothing but reads", () => {
    for (const p of resources(prod, "aws_iam_role_policy")) {
      for (const s of JSON.parse(p.policy).Statement) {
        const actions = [s.Action].flat();
        if (s.Resource === "*") expect(actions.filter((a: string) => !isWildcardAllowed(a))).toEqual([]);
        for (const a of actions) expect(a).toMatch(/:(Get|Describe|View|PutEvents)/);
      }
    }
  });

  it("creates the budget once, in the primary region, with actual and forecast notifications", () => {
    const budgets = resources(prod, "aws_budgets_budget");
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toMatchObject({ limit_amount: "12000.00", time_unit: "MONTHLY", budget_type: "COST" });
    expect(budgets[0].provider).toBe("aws");
    expect(budgets[0].notification.map((n: Json) => [n.notification_type, n.threshold])).toEqual([
      ["ACTUAL", 80],
      ["ACTUAL", 100],
      ["FORECASTED", 100],
    ]);
    expect(resources(direct.stack("member-sandbox-data"), "aws_budgets_budget")).toEqual([]);
  });
});

describe("member baseline, stackset mode", () => {
  const admin = stackset.stack("admin");

  it("deploys a SERVICE_MANAGED stack set as delegated admin with the rollout's operation preferences", () => {
    const [set] = resources(admin, "aws_cloudformation_stack_set");
    expect(set).toMatchObject({
      name: names.baselineStackSet,
      permission_model: "SERVICE_MANAGED",
      call_as: "DELEGATED_ADMIN",
      auto_deployment: { enabled: true, retain_stacks_on_account_removal: false },
      operation_preferences: {
        max_concurrent_count: 2,
        failure_tolerance_count: 0,
        region_concurrency_type: "SEQUENTIAL",
        region_order: ["us-east-1", "eu-west-1"],
      },
    });
    const instances = resources(admin, "aws_cloudformation_stack_set_instance");
    expect(
      instances.map((i) => [
        i.region,
        i.deployment_targets.account_filter_type,
        i.deployment_targets.accounts,
      ]),
    ).toEqual([
      // Terraform JSON orders resources by name; StackSets itself follows region_order.
      ["eu-west-1", "DIFFERENCE", ["444444444444"]],
      ["us-east-1", "DIFFERENCE", ["444444444444"]],
    ]);
    expect(instances[0].operation_preferences.concurrency_mode).toBe("STRICT_FAILURE_TOLERANCE");
  });

  it("generates the template from the same baseline as the direct mode's Terraform", () => {
    const prod = direct.stack("member-app-prod");
    const tfRules = resources(prod, "aws_cloudwatch_event_rule").filter((r) => r.provider === "aws");
    const cfnRules = Object.values(template.Resources as Record<string, Json>).filter(
      (r) => r.Type === "AWS::Events::Rule",
    );
    expect(
      cfnRules
        .map((r) => [r.Properties.Name, r.Properties.EventPattern ?? r.Properties.ScheduleExpression])
        .sort(),
    ).toEqual(
      tfRules
        .map((r) => [r.name, r.event_pattern ? JSON.parse(r.event_pattern) : r.schedule_expression])
        .sort(),
    );
    expect(cfnRules).toHaveLength(BASELINE_RULES.length + 1);
    const tfReadOnly = resources(prod, "aws_iam_role").find((r) => r.name === names.memberReadOnlyRole);
    expect(template.Resources.ReadonlyRole.Properties.AssumeRolePolicyDocument).toEqual(
      JSON.parse(tfReadOnly.assume_role_policy),
    );
    expect(template.Resources.ForwarderRole.Properties.Policies[0].PolicyDocument).toEqual(
      JSON.parse(
        resources(prod, "aws_iam_role_policy").find((p) => p.name === "put-events-central-bus").policy,
      ),
    );
  });

  it("keeps only the budget, its alerts topic (key, policy, subscription) and the SSM parameter in member stacks", () => {
    const prod = stackset.stack("member-app-prod");
    expect(Object.keys(prod.resource).sort()).toEqual([
      "aws_budgets_budget",
      "aws_kms_alias",
      "aws_kms_key",
      "aws_sns_topic",
      "aws_sns_topic_policy",
      "aws_sns_topic_subscription",
      "aws_ssm_parameter",
    ]);
  });

  it("produces a template cfn-lint accepts", () => {
    const file = path.join(stackset.outdir, "baseline-template.json");
    writeFileSync(file, JSON.stringify(template, null, 2));
    // cfn-lint exits non-zero on any error or warning and prints them.
    expect(execFileSync("cfn-lint", [file], { encoding: "utf8" })).toBe("");
  });

  it("escapes CloudFormation's Fn::Sub placeholders so Terraform does not interpolate them", () => {
    const raw = resources(admin, "aws_cloudformation_stack_set")[0].template_body as string;
    expect(raw).toContain("$${AWS::AccountId}");
    expect(raw).not.toMatch(/[^$]\$\{AWS::/);
  });
});

describe("StackSet drift detection (admin stack, stackset mode)", () => {
  const admin = stackset.stack("admin");
  const fn = resources(admin, "aws_lambda_function").find((r) => r.function_name === "finops-stackset-drift");
  const policy = () =>
    JSON.parse(
      resources(admin, "aws_iam_role_policy").find(
        (p) => p.name === "least-privilege" && String(p.role).includes("stackset-drift"),
      ).policy,
    ).Statement as Json[];

  it("exists only in stackset mode", () => {
    expect(fn).toBeDefined();
    expect(resources(direct.stack("admin"), "aws_lambda_function").map((r) => r.function_name)).not.toContain(
      "finops-stackset-drift",
    );
  });

  it("runs on a schedule with an environment its handler accepts (the stack set, as delegated admin, the central bus)", () => {
    const vars = fn.environment.variables;
    expect(DRIFT_ENV.safeParse(vars).success).toBe(true);
    expect(vars).toEqual({
      ...vars,
      STACK_SET_PREFIX: names.baselineStackSet,
      CALL_AS: "DELEGATED_ADMIN",
      CENTRAL_BUS_ARN: names.centralBusArn,
    });
    const rule = resources(admin, "aws_cloudwatch_event_rule").find(
      (r) => r.name === "finops-stackset-drift-schedule",
    );
    expect(rule.schedule_expression).toBe(STACKSET_DRIFT_SCHEDULE);
  });

  it("may detect drift on the landing's stack set only, and put events on the central bus only", () => {
    const own = policy().filter((st) =>
      [st.Action].flat().some((a: string) => a.startsWith("cloudformation:") || a.startsWith("events:")),
    );
    expect(own).toEqual([
      { Sid: "ListStackSets", Effect: "Allow", Action: "cloudformation:ListStackSets", Resource: "*" },
      {
        Sid: "DetectDriftOnTheLandingsStackSet",
        Effect: "Allow",
        Action: [
          "cloudformation:ListStackSetOperations",
          "cloudformation:ListStackInstances",
          "cloudformation:DetectStackSetDrift",
        ],
        Resource: `arn:aws:cloudformation:*:${STACKSET.payer.id}:stackset/${names.baselineStackSet}*`,
      },
      {
        Sid: "PutResultOnCentralBus",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: names.centralBusArn,
      },
    ]);
  });
});

describe("StackSet monitor function (admin stack, both modes)", () => {
  const byName = (stack: Json, type: string, key: string, value: string): Json =>
    resources(stack, type).find((r) => r[key] === value);
  const fnOf = (stack: Json) =>
    byName(stack, "aws_lambda_function", "function_name", names.stackSetMonitorFunction);
  const policyOf = (stack: Json) =>
    JSON.parse(
      resources(stack, "aws_iam_role_policy").find(
        (p) => p.name === "least-privilege" && String(p.role).includes("stackset-monitor"),
      ).policy,
    ).Statement;
  const ownStatements = (stack: Json) =>
    policyOf(stack).filter(
      (s: Json) =>
        !["OwnLogGroup", "XRayTraces", "OwnKeyForEnvironmentAndDlq", "OwnDeadLetterQueue"].includes(s.Sid),
    );
  const heartbeatAndMetrics = [
    {
      Sid: "ReadHeartbeats",
      Effect: "Allow",
      Action: ["cloudwatch:ListMetrics", "cloudwatch:GetMetricData"],
      Resource: "*",
    },
    {
      Sid: "PublishOwnNamespace",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": "finops/stacksets" } },
    },
  ];

  it("runs as finops-stackset-monitor with its own role, the name the member read-only role trusts", () => {
    for (const stack of [direct.stack("admin"), stackset.stack("admin")]) {
      const fn = fnOf(stack);
      expect(fn).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", timeout: 120 });
      const role = byName(stack, "aws_iam_role", "name", names.stackSetMonitorRole);
      expect(role.name).toBe("finops-stackset-monitor");
      expect(fn.role).toMatch(/^\$\{aws_iam_role\..*stackset-monitor.*\.arn\}$/);
      expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: "lambda.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
        }),
      ]);
      expect(names.memberReadOnlyTrustedRoles).toContain(
        "arn:aws:iam::222222222222:role/finops-stackset-monitor",
      );
    }
  });

  it("stackset mode: reads only the landing's stack set in the management account, as delegated admin", () => {
    expect(ownStatements(stackset.stack("admin"))).toEqual([
      { Sid: "ListStackSets", Effect: "Allow", Action: "cloudformation:ListStackSets", Resource: "*" },
      {
        Sid: "ReadTheLandingsStackSet",
        Effect: "Allow",
        Action: ["cloudformation:ListStackSetOperations", "cloudformation:ListStackInstances"],
        // AWS keeps service-managed stack sets in the management account, also a delegated admin's.
        Resource: "arn:aws:cloudformation:*:111111111111:stackset/finops-monitoring-baseline*",
      },
      {
        Sid: "DelegatedAdminCheck",
        Effect: "Allow",
        Action: "organizations:ListDelegatedAdministrators",
        Resource: "*",
      },
      ...heartbeatAndMetrics,
    ]);
    expect(fnOf(stackset.stack("admin")).environment.variables.CALL_AS).toBe("DELEGATED_ADMIN");
  });

  it("direct mode: calls as SELF and may read only stack sets of its own account with the landing's name", () => {
    expect(ownStatements(direct.stack("admin"))).toEqual([
      { Sid: "ListStackSets", Effect: "Allow", Action: "cloudformation:ListStackSets", Resource: "*" },
      {
        Sid: "ReadTheLandingsStackSet",
        Effect: "Allow",
        Action: ["cloudformation:ListStackSetOperations", "cloudformation:ListStackInstances"],
        Resource: "arn:aws:cloudformation:*:222222222222:stackset/finops-monitoring-baseline*",
      },
      ...heartbeatAndMetrics,
    ]);
  });

  it("adds only its logs, X-Ray, its key and its DLQ from the shared function construct; Resource * only allowlisted", () => {
    for (const stack of [direct.stack("admin"), stackset.stack("admin")]) {
      const statements = policyOf(stack);
      expect(statements.map((s: Json) => s.Sid).slice(0, 4)).toEqual([
        "OwnLogGroup",
        "XRayTraces",
        "OwnKeyForEnvironmentAndDlq",
        "OwnDeadLetterQueue",
      ]);
      expect(statements[0].Resource).toMatch(
        /^arn:aws:logs:us-east-1:222222222222:log-group:\$\{aws_cloudwatch_log_group\.monitoring_stackset-monitor_function_logs_\w+\.name\}:\*$/,
      );
      for (const s of statements) {
        const actions = [s.Action].flat();
        if (s.Resource === "*") expect(actions.filter((a: string) => !isWildcardAllowed(a))).toEqual([]);
        expect(actions.some((a: string) => a.endsWith("*"))).toBe(false);
      }
    }
  });

  it("gets an environment its handler accepts: the central namespaces, the stack set name, a 30-minute heartbeat age", () => {
    const vars = fnOf(stackset.stack("admin")).environment.variables;
    expect(vars).toMatchObject({
      METRICS_NAMESPACE: "finops/stacksets",
      HEARTBEAT_NAMESPACE: "finops/baseline",
      HEARTBEAT_METRIC: "Heartbeats",
      HEARTBEAT_MAX_AGE_SECONDS: "1800",
      STACK_SET_PREFIX: "finops-monitoring-baseline",
      WINDOW_MINUTES: "60",
    });
    expect(MONITOR_ENV.safeParse(vars).success).toBe(true);
    expect(MONITOR_ENV.safeParse(fnOf(direct.stack("admin")).environment.variables).success).toBe(true);
  });

  it("logs to its own KMS-encrypted log group with the monitoring retention", () => {
    const group = byName(
      direct.stack("admin"),
      "aws_cloudwatch_log_group",
      "name",
      "/aws/lambda/finops-stackset-monitor",
    );
    expect(group.retention_in_days).toBe(30);
    expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\..*functions.*\.arn\}$/);
    expect(fnOf(direct.stack("admin")).logging_config).toEqual({
      log_format: "JSON",
      log_group: expect.stringMatching(
        /^\$\{aws_cloudwatch_log_group\.monitoring_stackset-monitor_function_logs_\w+\.name\}$/,
      ),
    });
  });

  it("runs every 15 minutes from an EventBridge rule allowed to invoke only this function", () => {
    const admin = direct.stack("admin");
    const rule = byName(admin, "aws_cloudwatch_event_rule", "name", "finops-stackset-monitor-schedule");
    expect(rule.schedule_expression).toBe("rate(15 minutes)");
    const target = byName(admin, "aws_cloudwatch_event_target", "target_id", "stackset-monitor");
    expect(target.arn).toMatch(/^\$\{aws_lambda_function\..*stackset-monitor.*\.arn\}$/);
    expect(target.rule).toMatch(/stackset-monitor_schedule_\w+\.name\}$/);
    const permission = resources(admin, "aws_lambda_permission").find((p) =>
      String(p.function_name).includes("stackset-monitor"),
    );
    expect(permission).toMatchObject({ principal: "events.amazonaws.com", action: "lambda:InvokeFunction" });
    expect(permission.source_arn).toMatch(/stackset-monitor_schedule_\w+\.arn\}$/);
  });

  it("feeds the central alarms: their namespace and metrics are what the function publishes without dimensions", () => {
    const admin = direct.stack("admin");
    const vars = fnOf(admin).environment.variables;
    const alarm = (n: string) => byName(admin, "aws_cloudwatch_metric_alarm", "alarm_name", n);
    const published = metricData(
      [
        {
          stackSetName: "finops-monitoring-baseline",
          operationsByStatus: { SUCCEEDED: 1 },
          successRatePercent: 100,
          durationsSeconds: [30],
          instancesByStatus: { CURRENT: 2 },
          unhealthyInstances: [],
        },
      ],
      [],
      new Date(0),
    );
    for (const [name, metric] of [
      ["finops-missing-heartbeats", STACKSET_METRICS.missingHeartbeats],
      ["finops-stackset-success-rate", STACKSET_METRICS.successRate],
    ] as const) {
      expect(alarm(name)).toMatchObject({ namespace: vars.METRICS_NAMESPACE, metric_name: metric });
      expect(alarm(name).dimensions).toBeUndefined();
      if (name === "finops-missing-heartbeats")
        // one late 15-minute run must not page: two empty/breaching periods out of two
        expect(alarm(name)).toMatchObject({ period: 900, evaluation_periods: 2, datapoints_to_alarm: 2 });
      expect(published.some((d) => d.MetricName === metric && (d.Dimensions ?? []).length === 0)).toBe(true);
    }
  });
});
