import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAccountConfig } from "../../../../config/load";
import { Names } from "../../../../config/naming";
import type { AccountConfig } from "../../../../config/schema";
import { FORWARDER_ENV } from "../../../../functions/budget-alert-forwarder/settings";
import { BASELINE_RULES } from "../../../../modules/monitoring/baseline";
import {
  BUDGET_ALERT_DETAIL_TYPE,
  BUDGET_ALERT_SOURCE,
  BudgetAlertNames,
} from "../../../../modules/monitoring/budget-alerts";
import { synthConfig } from "../../../support/synth";

/**
 * Budget threshold alerts reach the central bus the way AWS supports: the budget notifies an SNS
 * topic in its own account (Budgets sends no threshold alerts to EventBridge), the topic delivers to
 * the admin's budget-alerts queue, the forwarder puts them on the central bus. Synthesized in both
 * monitoring modes.
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is untyped
type Json = any;

const LOCAL = readFileSync(path.join(__dirname, "../../../../accounts/local.yaml"), "utf8");

function config(monitoring: string): AccountConfig {
  return parseAccountConfig(
    LOCAL.replace(/monitoring:\n(?: {2}.*\n)+/, `monitoring:\n${monitoring}`),
    "local.yaml",
  );
}

function synth(c: AccountConfig): (name: string) => Json {
  const { stacks } = synthConfig(c);
  return (name) => stacks[name];
}

const resources = (stack: Json, type: string): Json[] => Object.values(stack.resource?.[type] ?? {});
const only = (stack: Json, type: string): Json => {
  const found = resources(stack, type);
  expect(found).toHaveLength(1);
  return found[0];
};
/** The budget-alerts topic's key (the baseline also has one key per forwarder DLQ region). */
const budgetKeyName = (stack: Json): string => {
  const names = Object.entries(stack.resource.aws_kms_key as Record<string, Json>)
    .filter(([, k]) => k["//"].metadata.path.endsWith("/budget-alerts-key"))
    .map(([name]) => name);
  expect(names).toHaveLength(1);
  return names[0]!;
};
const budgetKey = (stack: Json): Json => stack.resource.aws_kms_key[budgetKeyName(stack)];
const ref = (stack: Json, type: string, attr: string): string => {
  const [name] = Object.keys(stack.resource[type]);
  return `\${${type}.${name}.${attr}}`;
};

const DIRECT = config("  mode: direct\n  logRetentionDays: 30\n");
const STACKSET = config(
  '  mode: stackset\n  logRetentionDays: 30\n  stackset:\n    organizationalUnits: [Workloads]\n    excludedAccounts: ["444444444444"]\n',
);
const direct = synth(DIRECT);
const stackset = synth(STACKSET);
const names = new Names(DIRECT);
const n = new BudgetAlertNames(names);
const PROD = "444444444444"; // app-prod: us-east-1 + eu-west-1, budget with notify
const DEV = "333333333333"; // app-dev: budget without any email

describe.each([
  ["direct", direct],
  ["stackset", stackset],
])("member budget alert path, %s mode", (_mode, stack) => {
  const prod = stack("member-app-prod");

  it("creates one budget-alerts topic in the primary region, encrypted with its own rotating key", () => {
    const topic = only(prod, "aws_sns_topic");
    expect(topic).toMatchObject({ name: n.topicName, provider: "aws" });
    expect(topic.kms_master_key_id).toBe(`\${aws_kms_key.${budgetKeyName(prod)}.arn}`);
    const key = budgetKey(prod);
    expect(key.enable_key_rotation).toBe(true);
    const aliases = resources(prod, "aws_kms_alias").filter(
      (a) => a.target_key_id === `\${aws_kms_key.${budgetKeyName(prod)}.key_id}`,
    );
    expect(aliases.map((a) => a.name)).toEqual([n.keyAlias]);
  });

  it("lets only AWS Budgets of this account publish, as the Budgets user guide writes it", () => {
    const policy = only(prod, "aws_sns_topic_policy");
    expect(policy.arn).toBe(ref(prod, "aws_sns_topic", "arn"));
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "BudgetsOfThisAccountPublish",
        Effect: "Allow",
        Principal: { Service: "budgets.amazonaws.com" },
        Action: "SNS:Publish",
        Resource: `arn:aws:sns:us-east-1:${PROD}:${n.topicName}`,
        Condition: {
          StringEquals: { "aws:SourceAccount": PROD },
          ArnLike: { "aws:SourceArn": `arn:aws:budgets::${PROD}:*` },
        },
      },
    ]);
  });

  it("lets AWS Budgets of this account (only) use the topic's key", () => {
    const statements = JSON.parse(budgetKey(prod).policy).Statement;
    expect(statements).toContainEqual({
      Sid: "BudgetsOfThisAccountPublishEncrypted",
      Effect: "Allow",
      Principal: { Service: "budgets.amazonaws.com" },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": PROD },
        ArnLike: { "aws:SourceArn": `arn:aws:budgets::${PROD}:*` },
      },
    });
    expect(statements.map((s: Json) => Object.values(s.Principal)[0])).toEqual([
      `arn:aws:iam::${PROD}:root`,
      "budgets.amazonaws.com",
    ]);
  });

  it("sends every budget notification to the topic (SNS subscriber) and keeps the email subscribers", () => {
    const budget = only(prod, "aws_budgets_budget");
    expect(
      budget.notification.map((x: Json) => [
        x.notification_type,
        x.threshold,
        x.subscriber_sns_topic_arns,
        x.subscriber_email_addresses,
      ]),
    ).toEqual([
      ["ACTUAL", 80, [`arn:aws:sns:us-east-1:${PROD}:${n.topicName}`], ["finance@example.com"]],
      ["ACTUAL", 100, [`arn:aws:sns:us-east-1:${PROD}:${n.topicName}`], ["finance@example.com"]],
      ["FORECASTED", 100, [`arn:aws:sns:us-east-1:${PROD}:${n.topicName}`], ["finance@example.com"]],
    ]);
    expect(budget.depends_on).toEqual(
      expect.arrayContaining([
        `aws_sns_topic_policy.${Object.keys(prod.resource.aws_sns_topic_policy)[0]}`,
        `aws_kms_key.${budgetKeyName(prod)}`,
      ]),
    );
  });

  it("notifies the topic even when no email address is configured", () => {
    const dev = stack("member-app-dev");
    const budget = only(dev, "aws_budgets_budget");
    expect(budget.notification).toHaveLength(3);
    for (const x of budget.notification) {
      expect(x.subscriber_sns_topic_arns).toEqual([`arn:aws:sns:us-east-1:${DEV}:${n.topicName}`]);
      expect(x.subscriber_email_addresses).toBeUndefined();
    }
  });

  it("subscribes the central budget-alerts queue to the topic (SQS, SNS envelope kept)", () => {
    const sub = only(prod, "aws_sns_topic_subscription");
    expect(sub).toMatchObject({
      topic_arn: ref(prod, "aws_sns_topic", "arn"),
      protocol: "sqs",
      endpoint: `arn:aws:sqs:us-east-1:${DIRECT.admin.id}:${n.queueName}`,
    });
    expect(sub.raw_message_delivery).toBeUndefined();
  });

  it("creates no topic for a member without a budget", () => {
    expect(resources(stack("member-sandbox-data"), "aws_sns_topic")).toEqual([]);
  });
});

describe("central budget alert forwarding (admin stack)", () => {
  describe.each([
    ["direct", direct],
    ["stackset", stackset],
  ])("%s mode", (_mode, stack) => {
    const admin = stack("admin");
    const queue = resources(admin, "aws_sqs_queue").find((q) => q.name === n.queueName);

    it("has one queue, encrypted with the functions key, that SNS may deliver to from budget-alerts topics only", () => {
      expect(queue).toBeDefined();
      const fn = resources(admin, "aws_lambda_function").find((f) => f.function_name === n.forwarderFunction);
      // The functions domain keeps the landing's queues (and the forwarder's environment).
      expect(queue.kms_master_key_id).toBe(fn.kms_key_arn);
      expect(queue.kms_master_key_id).toMatch(/^\$\{aws_kms_key\..*functions.*\.arn\}$/);
      const policy = resources(admin, "aws_sqs_queue_policy").find((p) =>
        JSON.stringify(p).includes(n.queueArn),
      );
      expect(JSON.parse(policy.policy).Statement).toEqual([
        {
          Sid: "MemberBudgetAlertTopicsDeliver",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: n.queueArn,
          Condition: { ArnLike: { "aws:SourceArn": `arn:aws:sns:*:*:${n.topicName}` } },
        },
      ]);
    });

    it("lets SNS encrypt into the queue with the functions key (and only that key)", () => {
      const withSns = resources(admin, "aws_kms_key").filter((k) =>
        String(k.policy).includes("SnsDeliversIntoTheBudgetAlertQueue"),
      );
      expect(withSns).toHaveLength(1);
      const [name] = Object.entries(admin.resource.aws_kms_key).find(([, k]) => k === withSns[0])!;
      expect(queue.kms_master_key_id).toBe(`\${aws_kms_key.${name}.arn}`);
      expect(JSON.parse(withSns[0].policy).Statement).toContainEqual({
        Sid: "SnsDeliversIntoTheBudgetAlertQueue",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
      });
    });

    it("feeds the forwarder from the queue, with partial batch failures", () => {
      const fn = resources(admin, "aws_lambda_function").find((f) => f.function_name === n.forwarderFunction);
      expect(fn).toBeDefined();
      const [mappingName, mapping] = Object.entries(admin.resource.aws_lambda_event_source_mapping).find(
        ([, m]: [string, Json]) => m.event_source_arn.includes("budget-alerts_queue"),
      ) as [string, Json];
      expect(mappingName).toBeDefined();
      expect(mapping).toMatchObject({ batch_size: 10, function_response_types: ["ReportBatchItemFailures"] });
      const env = FORWARDER_ENV.parse(fn.environment.variables);
      expect(env).toMatchObject({
        CENTRAL_BUS_ARN: names.centralBusArn,
        TOPIC_NAME: n.topicName,
        EVENT_SOURCE: BUDGET_ALERT_SOURCE,
        EVENT_DETAIL_TYPE: BUDGET_ALERT_DETAIL_TYPE,
      });
    });

    it("gives the forwarder only the queue (its key: the functions key of every function), PutEvents of its own source on the central bus and ListAccounts", () => {
      const policy = resources(admin, "aws_iam_role_policy").find(
        (p) => p.role?.includes("budget-alerts_function_role") && p.name === "least-privilege",
      );
      const own = JSON.parse(policy.policy).Statement.filter(
        (s: Json) => !["OwnLogGroup", "XRayTraces", "OwnKeyForEnvironmentAndDlq"].includes(s.Sid),
      );
      expect(own).toEqual([
        {
          Sid: "ConsumeTheBudgetAlertQueue",
          Effect: "Allow",
          Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
          Resource: n.queueArn,
        },
        {
          Sid: "PutBudgetAlertsOnTheCentralBus",
          Effect: "Allow",
          Action: "events:PutEvents",
          Resource: names.centralBusArn,
          Condition: { StringEquals: { "events:source": BUDGET_ALERT_SOURCE } },
        },
        { Sid: "OrganizationAccounts", Effect: "Allow", Action: "organizations:ListAccounts", Resource: "*" },
      ]);
    });
  });
});

describe("cost-alerts rule claims only what EventBridge delivers", () => {
  it("matches Cost Anomaly Detection's Anomaly Detected events, not aws.budgets", () => {
    const rule = BASELINE_RULES.find((r) => r.kind === "cost-alerts")!;
    expect(rule.eventPattern).toEqual({ source: ["aws.ce"], "detail-type": ["Anomaly Detected"] });
    expect(rule.description).not.toMatch(/budget/i);
  });

  it("leaves budget alerts out of the StackSet template: the budget and its topic are per-account Terraform", () => {
    const admin = stackset("admin");
    const template = JSON.parse(
      (resources(admin, "aws_cloudformation_stack_set")[0].template_body as string).replace(/\$\$\{/g, "${"),
    );
    const types = Object.values(template.Resources as Record<string, Json>).map((r) => r.Type);
    expect(types).not.toContain("AWS::SNS::Topic");
    expect(types).not.toContain("AWS::Budgets::Budget");
    const rule = Object.values(template.Resources as Record<string, Json>).find(
      (r) => r.Properties.Name === names.baselineRule("cost-alerts"),
    );
    expect(rule.Properties.EventPattern).toEqual({ source: ["aws.ce"], "detail-type": ["Anomaly Detected"] });
  });
});
