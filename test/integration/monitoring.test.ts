import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import { DescribeOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { parseAccountConfig } from "../../config/load";
import type { AccountConfig } from "../../config/schema";
import { stackDir } from "../../deploy/synth";
import { runTerraform, terraformEnv } from "../../deploy/terraform";
import { runMonitor } from "../../functions/stackset-monitor/monitor";
import { BASELINE_RULES } from "../../modules/monitoring/baseline";
import { Names } from "../../modules/naming";
import { asAccount, deployLocal } from "../support/local-org";

/**
 * The monitoring baseline on the emulated organization, both modes.
 * What this checks: every stack applies and plans clean; the member's rules exist with the central
 * bus as target and the forwarder role, and match real event shapes (TestEventPattern); the central
 * bus admits the organization (its policy carries the emulated organization's id); an event put on
 * the central bus reaches the KMS-encrypted log group through the central rule; the budget round-trips
 * through the Budgets gap-filler and is destroyed. What it cannot: moto neither delivers events to a
 * target in another account nor evaluates bus policies, so the hop member bus → central bus is
 * checked as configuration (rule + target + role + policy), not as a delivered event; moto's
 * TestEventPattern is a no-op, so pattern matching is covered by the stored patterns only. The
 * stackset mode does not apply on moto yet: moto's Organizations answers OU lookups only for the
 * management account, so the delegated admin's aws_organizations_organizational_unit data source
 * finds nothing (see docs/monitoring.md).
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

describe("monitoring baseline, direct mode, on the local organization", () => {
  const config = localConfig("  mode: direct\n  logRetentionDays: 30\n", ["app-dev"]);
  const names = new Names(config);
  const member = config.members[0]!;
  let outdir = "";

  beforeAll(async () => {
    const out = await deployLocal(config, ["admin", Names.memberStack(member)]);
    outdir = out.outdir;
    for (const o of out.outcomes) {
      if (o.status === "failed") throw new Error(`${o.info.stack}: ${o.error}`);
    }
    expect(out.outcomes.map((o) => [o.info.stack, o.clean])).toEqual([
      ["admin", true],
      [Names.memberStack(member), true],
    ]);
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

  it("destroys the member stack, budget included", async () => {
    const env = terraformEnv(process.env.FINOPS_LOCAL_DIR!);
    const dir = stackDir(outdir, Names.memberStack(member));
    const destroy = await runTerraform(dir, ["destroy", "-auto-approve", "-input=false", "-no-color"], env);
    expect(destroy.stderr).toBe("");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: \d+ destroyed/);
  }, 600_000);
});
