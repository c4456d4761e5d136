import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  CloudFormationClient,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { loadAccountConfig, parseAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { resolveStackSetTargeting } from "../../config/targeting";
import { stackDir } from "../../deploy/synth";
import { runTerraform, terraformEnv } from "../../deploy/terraform";
import { processBatch } from "../../functions/budget-alert-forwarder/forward";
import {
  FORWARDER_ENV,
  settingsFrom as forwarderSettings,
} from "../../functions/budget-alert-forwarder/settings";
import { runMonitor } from "../../functions/stackset-monitor/monitor";
import { MONITOR_ENV, settingsFrom } from "../../functions/stackset-monitor/settings";
import { BASELINE_RULES } from "../../modules/monitoring/baseline";
import { BudgetAlertNames } from "../../modules/monitoring/budget-alerts";
import { baselineTemplate } from "../../modules/monitoring/template";
import { asAccount, deployLocal, destroyLocal, emulatorEndpoint } from "../support/local-org";

/**
 * The monitoring baseline on the emulated organization, both modes.
 *
 * direct mode: the admin stack and one member apply and plan clean; the member's rules exist with
 * the central bus as target and the forwarder role and store the baseline's patterns; the central
 * bus admits the organization (its policy carries the emulated organization's id); an event put on
 * the central bus reaches the KMS-encrypted log group through the central rule; the budget
 * round-trips through the Budgets gap-filler and is destroyed with the member stack.
 *
 * stackset mode: the admin stack (stack set, one instance resource per targeting group and region)
 * and a member stack apply and plan clean, with only the documented emulator-gap attributes ignored
 * (modules/emulator-gaps.ts). The stack set and its instances are read back through the
 * CloudFormation API as the admin account with CallAs DELEGATED_ADMIN (moto accepts and ignores
 * CallAs). The OU ids come from the delegated admin's own Organizations reads, and the instances
 * exist for exactly the accounts and regions the targeting decides (OU target minus the excluded
 * account, plus one account allowed by id); both rest on launcher patches (emulator/moto/launcher.py,
 * docs/local-emulator-gaps.md): moto answers OU reads only to the management account and creates
 * no instance for OU targets of a delegated admin's stack set. Each instance's stack is built by
 * moto's own CloudFormation parser in the target account, so the rules and roles it creates there
 * are checked as well. Not shown: operation preferences (moto runs every operation at once and
 * reports SUCCEEDED), auto-deployment to accounts that join an OU later, retain-on-removal.
 *
 * The StackSet monitor: the function exists in the emulated admin account in both modes; moto runs
 * no Lambda code, so its handler runs in-process with the deployed function's own environment and
 * the admin account's credentials, against the emulator's CloudFormation and CloudWatch.
 *
 * Budget alerts (direct mode): the member's budget-alerts topic carries its KMS key, the Budgets-only
 * policy and the central queue as its subscriber (read through the SNS API). moto 5.2.1 does not
 * deliver SNS to a queue of another account (it looks the queue up in the subscribing account;
 * Publish on the member topic answers NonExistentQueue), so the SNS envelope of a budget notification
 * is put on the central queue as SNS would, and the forwarder's batch processing runs in-process
 * against the emulator: the event reaches the central log group with the member's account.
 *
 * Direct mode delivers: an event put on a member's default bus reaches the central log group
 * through the member's rule, the central bus and the central rule (moto delivers event-bus targets
 * across accounts). Not shown in either mode: moto evaluates neither the central bus's policy nor
 * the forwarder role, so who may put is checked as configuration (rule + target + role + policy);
 * moto's TestEventPattern is a no-op, so patterns are compared, not evaluated (the delivered event
 * shows the CloudFormation rule matching one real event shape); moto runs no schedules, so no
 * heartbeat arrives.
 */
const ROOT = path.join(__dirname, "..", "..");

function localConfig(monitoring: string, members: string[]): AccountConfig {
  const base = parseAccountConfig(
    readFileSync(path.join(ROOT, "accounts", "local.yaml"), "utf8"),
    "local.yaml",
  );
  const text = readFileSync(path.join(ROOT, "accounts", "local.yaml"), "utf8").replace(
    /monitoring:\n(?: {2}.*\n)+/,
    `monitoring:\n${monitoring}`,
  );
  const config = parseAccountConfig(text, "local.yaml");
  return { ...config, members: base.members.filter((m) => members.includes(m.name)).map((m) => m) };
}

/**
 * Lambda GetFunction as one account of the emulated organization. The repository has no Lambda SDK
 * client; moto does not verify signatures and maps the signing key to the account, so an unsigned
 * request carrying the assumed role's key id and session token is enough here.
 */
async function getFunction(accountId: string, name: string) {
  const c = await asAccount(accountId);
  const res = await fetch(`${emulatorEndpoint()}/2015-03-31/functions/${name}`, {
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${c.credentials.accessKeyId}/20260101/${c.region}/lambda/aws4_request, SignedHeaders=host, Signature=0`,
      "x-amz-security-token": c.credentials.sessionToken ?? "",
    },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the raw Lambda API response
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * One SNS Query API call as an account of the emulated organization (the repository has no SNS SDK
 * client; moto maps the unsigned request's key id to the account, as for getFunction). Returns XML.
 */
async function snsQuery(accountId: string, params: Record<string, string>): Promise<string> {
  const c = await asAccount(accountId);
  const res = await fetch(`${emulatorEndpoint()}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=${c.credentials.accessKeyId}/20260101/${c.region}/sns/aws4_request, SignedHeaders=host, Signature=0`,
      "x-amz-security-token": c.credentials.sessionToken ?? "",
    },
    body: new URLSearchParams({ Version: "2010-03-31", ...params }).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`SNS ${params.Action}: ${res.status} ${text}`);
  return text;
}

const unescapeXml = (v: string): string =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const xmlValues = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => unescapeXml(m[1]!));

/** An SNS attribute map (<entry><key>k</key><value>v</value> or <value/></entry>) as an object. */
const xmlAttributes = (xml: string): Record<string, string> =>
  Object.fromEntries(
    [...xml.matchAll(/<entry><key>([^<]*)<\/key>(?:<value>([\s\S]*?)<\/value>|<value\/>)<\/entry>/g)].map(
      (m) => [m[1]!, unescapeXml(m[2] ?? "")],
    ),
  );

/**
 * Runs the monitor's Lambda entry (functions/stackset-monitor/handler.ts) in-process, as the deployed
 * function would run: its environment is the function's own (read from the emulator), the SDK's
 * credentials are the admin account's, its endpoint the emulator. Fresh module, so the handler
 * reads this environment at import as at a cold start.
 */
async function runDeployedMonitor(accountId: string, variables: Record<string, string>) {
  const c = await asAccount(accountId);
  const saved = { ...process.env };
  Object.assign(process.env, variables, {
    AWS_ENDPOINT_URL: emulatorEndpoint(),
    AWS_REGION: c.region,
    AWS_ACCESS_KEY_ID: c.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: c.credentials.sessionToken ?? "",
    AWS_MAX_ATTEMPTS: "1",
  });
  try {
    let handler: (() => Promise<{ published: number; missingHeartbeatAccounts: number }>) | undefined;
    await jest.isolateModulesAsync(async () => {
      ({ handler } = await import("../../functions/stackset-monitor/handler"));
    });
    return await handler!();
  } finally {
    process.env = saved;
  }
}

/**
 * Applies the admin stack and one member's stack of `config`; fails on a failed apply and expects a
 * clean second plan for both (emulator-gap attributes of the gap list ignored). Returns the synth dir.
 */
async function deployAdminAndMember(config: AccountConfig, member: AccountConfig["members"][number]) {
  const out = await deployLocal(config, ["admin", Names.memberStack(member)]);
  for (const o of out.outcomes) {
    if (o.status === "failed") throw new Error(`${o.info.stack}: ${o.error}`);
  }
  expect(out.outcomes.map((o) => [o.info.stack, o.clean])).toEqual([
    ["admin", true],
    [Names.memberStack(member), true],
  ]);
  return out.outdir;
}

describe("monitoring baseline, direct mode, on the local organization", () => {
  const config = localConfig("  mode: direct\n  logRetentionDays: 30\n", ["app-dev"]);
  const names = new Names(config);
  const member = config.members[0]!;
  let outdir = "";

  beforeAll(async () => {
    outdir = await deployAdminAndMember(config, member);
  }, 900_000);

  it("gives every baseline rule the central bus as target through the forwarder role", async () => {
    const events = new EventBridgeClient(await asAccount(member.id));
    for (const rule of BASELINE_RULES) {
      const targets = await events.send(
        new ListTargetsByRuleCommand({ Rule: names.baselineRule(rule.kind) }),
      );
      expect(targets.Targets).toEqual([
        expect.objectContaining({
          Arn: names.centralBusArn,
          RoleArn: Names.roleArn(member.id, names.baselineForwarderRole),
        }),
      ]);
    }
  });

  it("stores each rule's pattern or schedule exactly as the baseline defines it", async () => {
    // moto's TestEventPattern is a no-op (returns nothing), so matching is not evaluated here.
    const events = new EventBridgeClient(await asAccount(member.id));
    for (const rule of BASELINE_RULES) {
      const stored = await events.send(new DescribeRuleCommand({ Name: names.baselineRule(rule.kind) }));
      if (rule.eventPattern) expect(JSON.parse(stored.EventPattern!)).toEqual(rule.eventPattern);
      else expect(stored.ScheduleExpression).toBe(rule.scheduleExpression);
    }
  });

  it("admits the whole organization on the central bus (aws:PrincipalOrgID of the emulated org)", async () => {
    const org = new OrganizationsClient(await asAccount(config.admin.id));
    const orgId = (await org.send(new DescribeOrganizationCommand({}))).Organization!.Id!;
    const events = new EventBridgeClient(await asAccount(config.admin.id));
    const bus = await events.send(new DescribeEventBusCommand({ Name: names.centralBusName }));
    const statements = JSON.parse(bus.Policy!).Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: "*",
        Action: "events:PutEvents",
        Condition: { StringEquals: { "aws:PrincipalOrgID": orgId } },
      }),
    ]);
  });

  it("routes an event on the central bus to the central log group", async () => {
    const events = new EventBridgeClient(await asAccount(config.admin.id));
    const marker = `it-${Date.now()}`;
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: names.centralBusName,
            Source: "finops.test",
            DetailType: "Integration marker",
            Detail: JSON.stringify({ marker }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const logs = new CloudWatchLogsClient(await asAccount(config.admin.id));
    const found = await logs.send(
      new FilterLogEventsCommand({ logGroupName: names.centralEventsLogGroup, filterPattern: `"${marker}"` }),
    );
    expect(found.events?.some((e) => e.message?.includes(marker))).toBe(true);
  });

  it("forwards a member's CloudFormation event from its default bus to the central log group", async () => {
    // moto delivers a rule's event-bus target across accounts (without evaluating the bus policy
    // or the target's role) and accepts an aws.* source from PutEvents, which AWS reserves to its
    // services: so the hop member rule → central bus → central rule → log group is delivered here,
    // while who may put on the central bus is checked as configuration (the test above). moto
    // re-stamps the forwarded event with the central account; AWS keeps the member's.
    const marker = `it-forward-${Date.now()}`;
    const put = await new EventBridgeClient(await asAccount(member.id)).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "aws.cloudformation",
            DetailType: "CloudFormation Stack Status Change",
            Detail: JSON.stringify({ "status-details": { status: "UPDATE_FAILED" }, marker }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const logs = new CloudWatchLogsClient(await asAccount(config.admin.id));
    const found = await logs.send(
      new FilterLogEventsCommand({ logGroupName: names.centralEventsLogGroup, filterPattern: `"${marker}"` }),
    );
    const forwarded = (found.events ?? []).map((e) => JSON.parse(e.message!));
    // moto writes the forwarded event to the log group more than once (seen: twice); AWS, once.
    expect(forwarded.length).toBeGreaterThanOrEqual(1);
    for (const event of forwarded)
      expect(event).toMatchObject({
        source: "aws.cloudformation",
        "detail-type": "CloudFormation Stack Status Change",
        detail: { marker, "status-details": { status: "UPDATE_FAILED" } },
      });
  });

  it("runs the StackSet monitor against the emulator's CloudFormation and CloudWatch", async () => {
    const client = await asAccount(config.admin.id);
    const cw = new CloudWatchClient(client);
    const result = await runMonitor(
      { cfn: new CloudFormationClient(client), cw, now: new Date() },
      {
        namespace: names.stackSetMetricsNamespace,
        heartbeatNamespace: names.baselineMetricsNamespace,
        heartbeatMetric: "Heartbeats",
        heartbeatMaxAgeSeconds: 1800,
        stackSetPrefix: names.baselineStackSet,
        callAs: "SELF",
        windowMinutes: 120,
      },
    );
    // direct mode: no stack set of the landing, no heartbeat metric yet (moto runs no schedules).
    expect(result.stackSets).toEqual([]);
    expect(result.missingHeartbeatAccounts).toEqual([]);
    const metrics = await cw.send(new ListMetricsCommand({ Namespace: names.stackSetMetricsNamespace }));
    const published = new Set(metrics.Metrics?.map((m) => m.MetricName));
    expect([...published].sort()).toEqual(["MissingHeartbeatAccounts", "Operations"]);
  });

  it("deploys the StackSet monitor function in the admin account, calling as SELF in direct mode", async () => {
    const fn = await getFunction(config.admin.id, names.stackSetMonitorFunction);
    expect(fn.status).toBe(200);
    expect(fn.body.Configuration).toMatchObject({
      FunctionName: names.stackSetMonitorFunction,
      Role: Names.roleArn(config.admin.id, names.stackSetMonitorRole),
      Runtime: "nodejs22.x",
    });
    const vars = fn.body.Configuration.Environment.Variables;
    expect(MONITOR_ENV.parse(vars).CALL_AS).toBe("SELF");
  });

  it("runs the deployed monitor's handler in-process with the function's environment", async () => {
    const fn = await getFunction(config.admin.id, names.stackSetMonitorFunction);
    const out = await runDeployedMonitor(config.admin.id, fn.body.Configuration.Environment.Variables);
    // No stack set in direct mode: zero operations per finished status, and the heartbeat count.
    expect(out).toEqual({ published: 4, missingHeartbeatAccounts: 0 });
  });

  it("gives the member budget-alerts topic its key, a policy for Budgets of the account only, and the central queue as subscriber", async () => {
    const alerts = new BudgetAlertNames(names);
    const topicArn = alerts.topicArn(member.id, member.regions[0]!);
    const attrs = await snsQuery(member.id, { Action: "GetTopicAttributes", TopicArn: topicArn });
    const attributes = xmlAttributes(attrs);
    const attr = (k: string) => attributes[k];
    expect(attr("KmsMasterKeyId")).toMatch(new RegExp(`^arn:aws:kms:${member.regions[0]}:${member.id}:key/`));
    expect(JSON.parse(attr("Policy")!).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "budgets.amazonaws.com" },
        Action: "SNS:Publish",
        Condition: {
          StringEquals: { "aws:SourceAccount": member.id },
          ArnLike: { "aws:SourceArn": `arn:aws:budgets::${member.id}:*` },
        },
      }),
    ]);
    const subs = await snsQuery(member.id, { Action: "ListSubscriptionsByTopic", TopicArn: topicArn });
    expect(xmlValues(subs, "Protocol")).toEqual(["sqs"]);
    expect(xmlValues(subs, "Endpoint")).toEqual([alerts.queueArn]);
  });

  it("forwards a budget notification from the central queue onto the central bus and into the central log group", async () => {
    // moto 5.2.1 does not deliver SNS to a queue of another account (it looks the queue up in the
    // subscribing account: sns/models.py Subscription.publish), so the member topic's delivery is
    // stood in for: the SNS envelope of a budget notification (sns-sqs-as-subscriber.html) is put
    // on the central queue as SNS would. moto runs no event source mapping and no Lambda code, so
    // the forwarder's batch processing (the handler's own code path, functions/budget-alert-
    // forwarder/forward.ts) runs in-process with the deployed function's settings and the admin's
    // EventBridge; the organization's accounts are read as the management account, because
    // moto answers ListAccounts only there (in AWS the delegated admin reads them itself).
    const alerts = new BudgetAlertNames(names);
    const topicArn = alerts.topicArn(member.id, member.regions[0]!);
    const admin = await asAccount(config.admin.id);
    const sqs = new SQSClient(admin);
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: alerts.queueName }))).QueueUrl!;
    const marker = `it-budget-${Date.now()}`;
    const budgetText = [
      "AWS Budget Notification",
      `AWS Account ${member.id}`,
      "",
      `Budget Name: finops-${member.name}-monthly`,
      "Budget Type: Cost",
      "Budgeted Amount: $1,500.00",
      "Alert Type: ACTUAL",
      "Alert Threshold: > $1,200.00",
      `ACTUAL Amount: $1,234.56 ${marker}`,
    ].join("\n");
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          Type: "Notification",
          MessageId: `${marker}-id`,
          TopicArn: topicArn,
          Subject: `AWS Budgets: finops-${member.name}-monthly has exceeded your alert threshold`,
          Message: budgetText,
          Timestamp: new Date().toISOString(),
          SignatureVersion: "1",
          Signature: "EXAMPLE",
          SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem",
          UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=example",
        }),
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const records = (received.Messages ?? []).map((m) => ({ messageId: m.MessageId!, body: m.Body! }));
    expect(records.some((r) => r.body.includes(marker))).toBe(true);

    const fn = await getFunction(config.admin.id, alerts.forwarderFunction);
    expect(fn.status).toBe(200);
    const settings = forwarderSettings(FORWARDER_ENV.parse(fn.body.Configuration.Environment.Variables));
    const payerOrg = new OrganizationsClient(await asAccount(config.payer.id));
    const events = new EventBridgeClient(admin);
    const out = await processBatch(
      records,
      {
        accounts: async () =>
          new Set(((await payerOrg.send(new ListAccountsCommand({}))).Accounts ?? []).map((a) => a.Id!)),
        putEvents: async (entries) => {
          const res = await events.send(new PutEventsCommand({ Entries: entries }));
          return { failed: res.FailedEntryCount ?? 0 };
        },
        confirm: async (url) => {
          throw new Error(`no confirmation expected here: ${url}`);
        },
      },
      settings,
    );
    expect(out.failedMessageIds).toEqual([]);
    expect(out.forwarded).toBeGreaterThanOrEqual(1);

    const logs = new CloudWatchLogsClient(admin);
    const found = await logs.send(
      new FilterLogEventsCommand({ logGroupName: names.centralEventsLogGroup, filterPattern: `"${marker}"` }),
    );
    const forwarded = (found.events ?? []).map((e) => JSON.parse(e.message!));
    expect(forwarded.length).toBeGreaterThanOrEqual(1);
    for (const event of forwarded)
      expect(event).toMatchObject({
        source: "finops.budgets",
        "detail-type": "Budget Threshold Alert",
        detail: {
          account: member.id,
          topicArn,
          budgetName: `finops-${member.name}-monthly`,
          notificationType: "ACTUAL",
          alertThreshold: "> $1,200.00",
        },
      });
  });

  it("destroys the member stack, budget included", async () => {
    const env = terraformEnv(process.env.FINOPS_LOCAL_DIR!);
    const dir = stackDir(outdir, Names.memberStack(member));
    const destroy = await runTerraform(dir, ["destroy", "-auto-approve", "-input=false", "-no-color"], env);
    expect(destroy.stderr).toBe("");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: \d+ destroyed/);
  }, 600_000);
});

describe("monitoring baseline, stackset mode, on the local organization", () => {
  const config = localConfig(
    [
      "  mode: stackset",
      "  logRetentionDays: 30",
      "  stackset:",
      "    organizationalUnits: [Workloads]",
      '    excludedAccounts: ["444444444444"]',
      '    accounts: ["555555555555"]',
      "",
    ].join("\n"),
    ["app-dev", "app-prod", "sandbox-data"],
  );
  const names = new Names(config);
  const admin = config.admin.id;
  const targeting = resolveStackSetTargeting(config);
  const member = config.members.find((m) => m.name === "app-dev")!;
  let outdir = "";

  beforeAll(async () => {
    // Switching a landing from direct to stackset mode: the direct-mode member stacks (applied by
    // other test files into this shared organization) go first, as in AWS, where the stack set's
    // instances would otherwise collide with their roles (EntityAlreadyExists). See docs/monitoring.md.
    const direct = loadAccountConfig("accounts/local.yaml");
    await destroyLocal(
      direct,
      direct.members.map((m) => Names.memberStack(m)),
    );
    outdir = await deployAdminAndMember(config, member);
  }, 900_000);

  it("creates the service-managed stack set with the generated template, read as the delegated admin", async () => {
    const cfn = new CloudFormationClient(await asAccount(admin));
    const { StackSet } = await cfn.send(
      new DescribeStackSetCommand({ StackSetName: names.baselineStackSet, CallAs: "DELEGATED_ADMIN" }),
    );
    expect(StackSet).toMatchObject({
      StackSetName: names.baselineStackSet,
      Status: "ACTIVE",
      PermissionModel: "SERVICE_MANAGED",
    });
    expect(JSON.parse(StackSet!.TemplateBody!)).toEqual(baselineTemplate(names, targeting.regions));
  });

  it("has stack instances for exactly the targeted accounts and regions, each with the OU it came from", async () => {
    const org = new OrganizationsClient(await asAccount(admin));
    const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const ous = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }));
    const ouId = (name: string) => ous.OrganizationalUnits!.find((o) => o.Name === name)!.Id!;

    const cfn = new CloudFormationClient(await asAccount(admin));
    const { Summaries } = await cfn.send(
      new ListStackInstancesCommand({ StackSetName: names.baselineStackSet, CallAs: "DELEGATED_ADMIN" }),
    );
    const found = (Summaries ?? []).map((i) => [i.Account, i.Region, i.OrganizationalUnitId, i.Status]);
    // Explicit deny (444444444444, in Workloads) beats the OU allow; 555555555555 is allowed by id.
    const expected = targeting.accounts
      .filter((a) => a.deployed)
      .flatMap((a) => a.regions.map((r) => [a.accountId, r, ouId(a.ou), "CURRENT"]));
    expect(expected.map((e) => e[0])).not.toContain("444444444444");
    expect(found.sort()).toEqual(expected.sort());
  });

  it("builds the baseline in the targeted accounts through the instances' stacks, and nothing in the excluded one", async () => {
    for (const region of targeting.regions) {
      const events = new EventBridgeClient(await asAccount(member.id, region));
      for (const rule of BASELINE_RULES) {
        const targets = await events.send(
          new ListTargetsByRuleCommand({ Rule: names.baselineRule(rule.kind) }),
        );
        expect(targets.Targets).toEqual([
          expect.objectContaining({
            Arn: names.centralBusArn,
            RoleArn: Names.roleArn(member.id, names.baselineForwarderRole),
          }),
        ]);
      }
      const denied = new EventBridgeClient(await asAccount("444444444444", region));
      const rules = await denied.send(new ListRulesCommand({ NamePrefix: names.baselineRule("") }));
      expect(rules.Rules ?? []).toEqual([]);
    }
  });

  it("deploys the monitor calling as DELEGATED_ADMIN; run in-process, it reports the stack set's operations and instances", async () => {
    const fn = await getFunction(admin, names.stackSetMonitorFunction);
    expect(fn.status).toBe(200);
    const vars = fn.body.Configuration.Environment.Variables;
    const env = MONITOR_ENV.parse(vars);
    expect(env.CALL_AS).toBe("DELEGATED_ADMIN");

    const out = await runDeployedMonitor(admin, vars);
    expect(out.missingHeartbeatAccounts).toBe(0);

    // The same computation with the function's settings, to see the values it published.
    const client = await asAccount(admin);
    const result = await runMonitor(
      { cfn: new CloudFormationClient(client), cw: new CloudWatchClient(client), now: new Date() },
      settingsFrom(env),
    );
    const instances = targeting.accounts.filter((a) => a.deployed).length * targeting.regions.length;
    const creates = targeting.groups.length * targeting.regions.length;
    expect(result.stackSets).toEqual([
      expect.objectContaining({
        stackSetName: names.baselineStackSet,
        operationsByStatus: { SUCCEEDED: creates },
        successRatePercent: 100,
        instancesByStatus: { CURRENT: instances },
        unhealthyInstances: [],
      }),
    ]);
    const cw = new CloudWatchClient(client);
    const metrics = await cw.send(
      new ListMetricsCommand({ Namespace: names.stackSetMetricsNamespace, MetricName: "SuccessRate" }),
    );
    // moto 5.2.1 listed the dimensionless metric twice after two runs; CloudWatch lists each once.
    const distinct = new Set(metrics.Metrics?.map((m) => JSON.stringify(m.Dimensions ?? [])));
    expect([...distinct].sort()).toEqual(
      [JSON.stringify([]), JSON.stringify([{ Name: "StackSetName", Value: names.baselineStackSet }])].sort(),
    );
  });

  it("destroys the stack set: its OU-targeted instances first, then the set, and the members' baseline with them", async () => {
    const dir = stackDir(outdir, "admin");
    const tf = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
    const [setAddress] = Object.keys(tf.resource.aws_cloudformation_stack_set);
    const env = terraformEnv(process.env.FINOPS_LOCAL_DIR!);
    // -target takes the instances (they depend on the set) along; the rest of the admin stack stays.
    const destroy = await runTerraform(
      dir,
      [
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        `-target=aws_cloudformation_stack_set.${setAddress}`,
      ],
      env,
    );
    expect(destroy.code).toBe(0);
    const instanceResources = Object.keys(tf.resource.aws_cloudformation_stack_set_instance).length;
    expect(destroy.stdout).toContain(`Destroy complete! Resources: ${instanceResources + 1} destroyed`);
    const cfn = new CloudFormationClient(await asAccount(admin));
    await expect(
      cfn.send(
        new DescribeStackSetCommand({ StackSetName: names.baselineStackSet, CallAs: "DELEGATED_ADMIN" }),
      ),
    ).rejects.toThrow(/not found|StackSetNotFound/i);
    const events = new EventBridgeClient(await asAccount(member.id));
    const rules = await events.send(new ListRulesCommand({ NamePrefix: names.baselineRule("") }));
    expect(rules.Rules ?? []).toEqual([]);
  }, 600_000);
});
