import { Names } from "../../config/naming";
import type { MemberAccount } from "../../config/schema";
import { type PolicyDocument, type PolicyStatement, serviceTrustStatement } from "../../contracts/iam-policy";
import { type BudgetAlertPath, budgetAlertPath } from "./budget-alerts";

/**
 * The member monitoring baseline, defined once. Both renderers read this description:
 * - direct mode: `MemberBaseline` (Terraform resources in each member stack, per region);
 * - stackset mode: `baselineTemplate` (the CloudFormation template of the service-managed stack set).
 * Account ids appear as `accountId`: the Terraform renderer passes the member's id, the template
 * renderer passes "${AWS::AccountId}" and wraps such strings in Fn::Sub.
 */

/** Placeholder the template renderer uses for the deploying account. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder, not a JS template
export const CFN_ACCOUNT_ID = "${AWS::AccountId}";

export interface BaselineRule {
  /** Part of the rule name and of the construct/logical id: finops-baseline-<kind>. */
  readonly kind: string;
  readonly description: string;
  /** Exactly one of eventPattern and scheduleExpression. */
  readonly eventPattern?: Record<string, unknown>;
  readonly scheduleExpression?: string;
}

export interface NamedBaselineRule extends BaselineRule {
  readonly name: string;
}

export interface BaselineRole {
  /** Construct/logical id part. */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly assumeRolePolicy: PolicyDocument;
  readonly inlinePolicyName: string;
  readonly inlinePolicy: PolicyDocument;
  readonly maxSessionSeconds: number;
}

export interface BaselineDashboard {
  readonly name: string;
  /** CloudWatch dashboard body (JSON). */
  readonly body: string;
}

export interface BaselineBudget {
  readonly name: string;
  readonly monthlyUsd: number;
  readonly notifications: readonly {
    readonly type: "ACTUAL" | "FORECASTED";
    readonly thresholdPercent: number;
  }[];
  /** Email subscribers of every notification (AWS allows up to 10 besides the one SNS topic). */
  readonly subscribers: readonly string[];
  /** The account's budget-alerts topic: every notification's SNS subscriber. */
  readonly snsTopicArn: string;
}

/** What lands in one member account, region by region. */
export interface Baseline {
  /** The bus every rule forwards to (the admin's central bus). */
  readonly centralBusArn: string;
  /** Rules on the default bus of every region; each targets the central bus through the forwarder role. */
  readonly rules: readonly NamedBaselineRule[];
  /** Global resources, created once per account (in the baseline's primary region). */
  readonly forwarderRole: BaselineRole;
  readonly readOnlyRole: BaselineRole;
  readonly dashboard: BaselineDashboard;
  /** Differs per account, so it stays in the member's Terraform stack in both modes (primary region). */
  readonly budget?: BaselineBudget;
  /**
   * With a budget: the topic its notifications go to and the subscription that carries them to the
   * central queue. Terraform in both modes, next to the budget it serves (primary region).
   */
  readonly budgetAlerts?: BudgetAlertPath;
}

/** How often every member region proves that its forwarding works. */
export const HEARTBEAT_SCHEDULE = "rate(15 minutes)";
export const HEARTBEAT_PERIOD_SECONDS = 15 * 60;

/** The rules of the baseline; the central side's metric filters rely on these patterns. */
export const BASELINE_RULES: readonly BaselineRule[] = [
  {
    kind: "cloudformation",
    description: "Forwards CloudFormation stack status changes to the central FinOps monitoring bus",
    eventPattern: { source: ["aws.cloudformation"], "detail-type": ["CloudFormation Stack Status Change"] },
  },
  {
    kind: "health",
    description: "Forwards AWS Health events to the central FinOps monitoring bus",
    eventPattern: { source: ["aws.health"] },
  },
  {
    // Cost Anomaly Detection publishes "Anomaly Detected" to EventBridge (source aws.ce,
    // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ce.html). AWS Budgets does not
    // publish its threshold alerts to EventBridge (only CloudTrail API calls, events-ref-budgets.html):
    // they reach the central bus through the budget-alerts topic (./budget-alerts.ts).
    kind: "cost-alerts",
    description:
      "Forwards Cost Anomaly Detection anomalies (aws.ce, Anomaly Detected) to the central FinOps monitoring bus",
    eventPattern: { source: ["aws.ce"], "detail-type": ["Anomaly Detected"] },
  },
  {
    kind: "heartbeat",
    description:
      "Sends a scheduled heartbeat to the central FinOps monitoring bus, so a silent account raises an alarm",
    scheduleExpression: HEARTBEAT_SCHEDULE,
  },
];

/** Read-only FinOps actions of the member role. Cost Explorer reads have no resource-level permissions. */
export const READ_ONLY_ACTIONS_ANY_RESOURCE = [
  "ce:GetCostAndUsage",
  "ce:GetCostForecast",
  "ce:GetDimensionValues",
  "ce:GetTags",
] as const;

function doc(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export interface BaselineInput {
  readonly names: Names;
  /** The member's id, or CFN_ACCOUNT_ID in the template. */
  readonly accountId: string;
  /** Regions the dashboard shows. */
  readonly regions: readonly string[];
  /** Only in direct mode (Terraform): the member whose budget this is. */
  readonly member?: MemberAccount;
}

export function memberBaseline({ names, accountId, regions, member }: BaselineInput): Baseline {
  const busArn = names.centralBusArn;
  const forwarderRole: BaselineRole = {
    key: "forwarder",
    name: names.baselineForwarderRole,
    description:
      "EventBridge forwards this account's baseline events to the central FinOps bus (PutEvents only)",
    assumeRolePolicy: doc([
      serviceTrustStatement("events.amazonaws.com", {
        sid: "EventBridgeOfThisAccount",
        sourceAccount: accountId,
      }),
    ]),
    inlinePolicyName: "put-events-central-bus",
    inlinePolicy: doc([
      { Sid: "PutEventsOnTheCentralBusOnly", Effect: "Allow", Action: "events:PutEvents", Resource: busArn },
    ]),
    maxSessionSeconds: 3600,
  };
  const readOnlyRole: BaselineRole = {
    key: "readonly",
    name: names.memberReadOnlyRole,
    description: "Read-only FinOps access for the delegated-admin account's named FinOps roles",
    assumeRolePolicy: doc([
      {
        Sid: "AdminFinOpsRolesOnly",
        Effect: "Allow",
        // The admin's root with the exact roles pinned: the roles need not exist when this is created.
        Principal: { AWS: Names.accountRoot(names.adminAccountId) },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": names.memberReadOnlyTrustedRoles },
          StringEquals: { "sts:ExternalId": names.memberReadOnlyExternalId },
        },
      },
    ]),
    inlinePolicyName: "finops-read",
    inlinePolicy: doc([
      {
        Sid: "CostExplorerReads",
        Effect: "Allow",
        Action: [...READ_ONLY_ACTIONS_ANY_RESOURCE],
        Resource: "*",
      },
      {
        Sid: "BudgetsOfThisAccount",
        Effect: "Allow",
        Action: ["budgets:ViewBudget", "budgets:DescribeBudgetActionsForBudget"],
        Resource: `arn:aws:budgets::${accountId}:budget/*`,
      },
      {
        Sid: "StacksOfThisAccount",
        Effect: "Allow",
        Action: ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"],
        Resource: `arn:aws:cloudformation:*:${accountId}:stack/*`,
      },
    ]),
    maxSessionSeconds: 3600,
  };
  const budgetAlerts = member?.budget ? budgetAlertPath(names, accountId, regions[0]!) : undefined;
  return {
    centralBusArn: busArn,
    rules: BASELINE_RULES.map((r) => ({ ...r, name: names.baselineRule(r.kind) })),
    forwarderRole,
    readOnlyRole,
    dashboard: { name: names.memberDashboard, body: dashboardBody(names, regions) },
    budget: member?.budget && budgetAlerts ? memberBudget(names, member, budgetAlerts.topicArn) : undefined,
    budgetAlerts,
  };
}

function dashboardBody(names: Names, regions: readonly string[]): string {
  const widgets = regions.flatMap((region, i) => [
    {
      type: "metric",
      x: 0,
      y: i * 6,
      width: 12,
      height: 6,
      properties: {
        title: `Baseline events forwarded (${region})`,
        region,
        stat: "Sum",
        period: 300,
        view: "timeSeries",
        metrics: BASELINE_RULES.map((r) => [
          "AWS/Events",
          "Invocations",
          "RuleName",
          names.baselineRule(r.kind),
        ]),
      },
    },
    {
      type: "metric",
      x: 12,
      y: i * 6,
      width: 12,
      height: 6,
      properties: {
        title: `Failed forwards (${region})`,
        region,
        stat: "Sum",
        period: 300,
        view: "timeSeries",
        metrics: BASELINE_RULES.map((r) => [
          "AWS/Events",
          "FailedInvocations",
          "RuleName",
          names.baselineRule(r.kind),
        ]),
      },
    },
  ]);
  return JSON.stringify({ widgets });
}

/** Notifications of every member budget: actual at 80 % and 100 %, forecast at 100 %. */
export const BUDGET_NOTIFICATIONS = [
  { type: "ACTUAL", thresholdPercent: 80 },
  { type: "ACTUAL", thresholdPercent: 100 },
  { type: "FORECASTED", thresholdPercent: 100 },
] as const;

function memberBudget(names: Names, member: MemberAccount, snsTopicArn: string): BaselineBudget {
  const budget = member.budget!;
  const ownerEmail = /^[^@\s]+@[^@\s]+$/.test(member.owner) ? [member.owner] : [];
  return {
    name: `${names.prefix}-${member.name}-monthly`,
    monthlyUsd: budget.monthlyUsd,
    notifications: BUDGET_NOTIFICATIONS,
    subscribers: [...new Set([...budget.notify, ...ownerEmail])],
    snsTopicArn,
  };
}
