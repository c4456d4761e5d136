import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import { targetFor } from "../../config/target";
import { ACCOUNT_EVENTS_PATTERN } from "../../contracts/organizations-events";
import { checkDrift } from "../../deploy/drift";
import { terraformEnv } from "../../deploy/terraform";
import { parseAccountSyncEvent, triggerOf } from "../../functions/account-sync/events";
import { listOrganizationAccounts, syncAccounts } from "../../functions/account-sync/sync";
import { asAccount, deployLocal } from "../support/local-org";

/**
 * Day-two paths on the emulated organization of accounts/local.yaml, reusing the landing that
 * landing.test.ts applied (this file applies the stacks it needs only when run alone).
 *
 * 1. New accounts: creating an account with the Organizations API leads account-sync to store it,
 *    without its 6-hour schedule. moto emits no Organizations events, delivers no cross-account
 *    EventBridge targets and runs no Lambda (/work/shared/design/local-emulator.md), so the delivery
 *    is EMULATED here, step by step and visibly: the event is built in the format AWS documents
 *    (contracts/organizations-events.ts cites the pages) from the created account's real status; the
 *    payer's DEPLOYED rule (read back from the emulator) must match it and target the
 *    admin's central bus; on that bus the admin's DEPLOYED rules that match it must target
 *    account-sync; then account-sync's code runs in-process on the event, as its handler does.
 * 2. The drift workflow: a resource changed outside Terraform on the emulator is reported by
 *    checkDrift (npm run drift) with exit code 2, and an untouched stack is in sync.
 */
/**
 * EventBridge pattern matching for what these rules use (EventBridge user guide, "Event patterns"):
 * every field of the pattern must match; an array lists the accepted values (any of them; an event
 * array matches when one element does), `{ prefix }` matches the start of a string, an object
 * descends into the event's object. moto's TestEventPattern returned no Result for these patterns,
 * so the test evaluates the deployed rules' patterns itself.
 */
function matches(pattern: Record<string, unknown>, event: unknown): boolean {
  const e = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, want]) => {
    const got = e[key];
    if (!Array.isArray(want))
      return typeof got === "object" && got !== null && matches(want as Record<string, unknown>, got);
    const values = Array.isArray(got) ? got : [got];
    return values.some((v) =>
      want.some((w) =>
        typeof w === "object" && w !== null && "prefix" in w
          ? typeof v === "string" && v.startsWith((w as { prefix: string }).prefix)
          : v === w,
      ),
    );
  });
}

const config = loadAccountConfig("accounts/local.yaml");
const names = new Names(config);
const payer = config.payer.id;
const admin = config.admin.id;
const member = config.members.find((m) => !m.retired)!;
const memberStack = Names.memberStack(member);

beforeAll(async () => {
  // The landing's state when landing.test.ts ran first; otherwise apply what this file needs.
  const target = targetFor(config);
  const landed = (stack: string) => {
    if (target.kind !== "local") return false;
    const file = path.join(target.stateDir, `${stack}.tfstate`);
    return existsSync(file) && (JSON.parse(readFileSync(file, "utf8")).resources ?? []).length > 0;
  };
  // Alone, the whole landing in its own order (as landing.test.ts applies it).
  if (["admin", "payer", memberStack].some((s) => !landed(s))) {
    const { outcomes } = await deployLocal(config);
    expect(outcomes.map((o) => [o.info.stack, o.status, o.error])).toEqual(
      outcomes.map((o) => [o.info.stack, expect.stringMatching(/^(applied|unchanged)$/), undefined]),
    );
  }
}, 1_800_000);

describe("new account → account-sync, without the schedule", () => {
  it("stores an account created through the Organizations API once its CreateAccountResult is delivered", async () => {
    const orgAsPayer = new OrganizationsClient({ ...(await asAccount(payer)), region: "us-east-1" });
    const eventsAsPayer = new EventBridgeClient(await asAccount(payer, "us-east-1"));
    const eventsAsAdmin = new EventBridgeClient(await asAccount(admin, config.organization.homeRegion));
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(await asAccount(admin)));
    try {
      // The account, created for real on the emulator.
      const stamp = Date.now().toString(36);
      const created = await orgAsPayer.send(
        new CreateAccountCommand({ AccountName: `day-two-${stamp}`, Email: `day-two-${stamp}@example.com` }),
      );
      const status = (
        await orgAsPayer.send(
          new DescribeCreateAccountStatusCommand({
            CreateAccountRequestId: created.CreateAccountStatus!.Id!,
          }),
        )
      ).CreateAccountStatus!;
      expect(status.State).toBe("SUCCEEDED");
      const newId = status.AccountId!;

      // EMULATED: what Organizations emits on the payer's us-east-1 default bus. Envelope: EventBridge
      // event structure; detail: the CloudTrail AwsServiceEvent record of CreateAccountResult
      // (serviceEventDetails.createAccountStatus, Organizations user guide's CloudTrail example).
      const event = {
        version: "0",
        id: `day-two-${stamp}`,
        "detail-type": "AWS Service Event via CloudTrail",
        source: "aws.organizations",
        account: payer,
        time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        region: "us-east-1",
        resources: [],
        detail: {
          eventVersion: "1.08",
          userIdentity: { accountId: payer, invokedBy: "AWS Internal" },
          eventTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
          eventSource: "organizations.amazonaws.com",
          eventName: "CreateAccountResult",
          awsRegion: "us-east-1",
          sourceIPAddress: "AWS Internal",
          userAgent: "AWS Internal",
          eventType: "AwsServiceEvent",
          readOnly: false,
          recipientAccountId: payer,
          serviceEventDetails: {
            createAccountStatus: {
              id: status.Id,
              state: status.State,
              accountName: status.AccountName,
              accountId: newId,
            },
          },
        },
      };

      // The payer's deployed forwarding rule matches it and targets the admin's central bus.
      const rule = await eventsAsPayer.send(
        new DescribeRuleCommand({ Name: `${names.prefix}-org-account-events` }),
      );
      expect(JSON.parse(rule.EventPattern!)).toEqual(ACCOUNT_EVENTS_PATTERN);
      expect(matches(JSON.parse(rule.EventPattern!), event)).toBe(true);
      // ... and not the CreateAccount call itself (the matcher can say no).
      expect(
        matches(JSON.parse(rule.EventPattern!), {
          ...event,
          "detail-type": "AWS API Call via CloudTrail",
          detail: { ...event.detail, eventName: "CreateAccount" },
        }),
      ).toBe(false);
      const [forward] = (await eventsAsPayer.send(new ListTargetsByRuleCommand({ Rule: rule.Name! })))
        .Targets!;
      expect(forward).toMatchObject({ Arn: names.centralBusArn, RoleArn: expect.stringContaining(":role/") });

      // The admin's central bus admits the organization the payer belongs to.
      const orgId = (await orgAsPayer.send(new DescribeOrganizationCommand({}))).Organization!.Id!;
      const bus = await eventsAsAdmin.send(new DescribeEventBusCommand({ Name: names.centralBusName }));
      expect(JSON.parse(bus.Policy!).Statement).toContainEqual(
        expect.objectContaining({
          Action: "events:PutEvents",
          Condition: { StringEquals: { "aws:PrincipalOrgID": orgId } },
        }),
      );

      // On the central bus, account-sync's deployed rule matches the event and invokes the function.
      const syncRule = await eventsAsAdmin.send(
        new DescribeRuleCommand({
          Name: names.accountSyncRule("account-created"),
          EventBusName: names.centralBusName,
        }),
      );
      expect(matches(JSON.parse(syncRule.EventPattern!), event)).toBe(true);
      const [invoke] = (
        await eventsAsAdmin.send(
          new ListTargetsByRuleCommand({
            Rule: names.accountSyncRule("account-created"),
            EventBusName: names.centralBusName,
          }),
        )
      ).Targets!;
      expect(invoke!.Arn).toMatch(new RegExp(`:function:${names.functionName("account-sync")}$`));

      // account-sync, in-process, on the delivered event (the handler's steps: parse, list, sync).
      // Emulator gap (as in local/pipeline.ts): moto lists accounts only to the management account,
      // so the listing uses the payer's credentials; AWS serves it to the delegated admin.
      const parsed = parseAccountSyncEvent(event);
      expect(triggerOf(parsed)).toBe(`account-created ${newId} (SUCCEEDED)`);
      const accounts = await listOrganizationAccounts(orgAsPayer);
      const table = names.dataTable("accounts");
      const result = await syncAccounts({ ddb, accountsTable: table }, accounts);
      expect(result.added).toContain(newId);
      const stored = await ddb.send(new GetCommand({ TableName: table, Key: { accountId: newId } }));
      expect(stored.Item).toMatchObject({
        accountId: newId,
        name: `day-two-${stamp}`,
        allocationStatus: "unallocated",
        orgStatus: "ACTIVE",
      });
    } finally {
      orgAsPayer.destroy();
      eventsAsPayer.destroy();
      eventsAsAdmin.destroy();
      ddb.destroy();
    }
  }, 120_000);
});

describe("drift workflow against real out-of-band drift", () => {
  it("reports the stack changed outside Terraform with exit code 2 and an untouched stack in sync", async () => {
    const region = member.regions[0]!;
    const events = new EventBridgeClient(await asAccount(member.id, region));
    const ruleName = names.baselineRule("heartbeat");
    const before = await events.send(new DescribeRuleCommand({ Name: ruleName }));
    const put = (Description: string | undefined) =>
      events.send(
        new PutRuleCommand({
          Name: ruleName,
          Description,
          ScheduleExpression: before.ScheduleExpression,
          EventPattern: before.EventPattern,
          State: before.State,
        }),
      );
    // Out of band: the AWS SDK, not Terraform, changes the member's heartbeat rule.
    await put("changed outside Terraform (day-two drift test)");
    try {
      const report = await checkDrift({
        config,
        target: targetFor(config),
        env: terraformEnv(process.env.FINOPS_LOCAL_DIR!),
        outDir: mkdtempSync(path.join(os.tmpdir(), "finops-drift-it-")),
        stacks: [memberStack, "payer"],
        concurrency: 2,
      });
      const byStack = Object.fromEntries(report.stacks.map((s) => [s.stack, s]));
      expect(report.exitCode).toBe(2);
      expect(byStack[memberStack]!.status).toBe("drifted");
      expect(byStack[memberStack]!.resources).toContainEqual(
        expect.objectContaining({
          address: expect.stringMatching(/^aws_cloudwatch_event_rule\./),
          source: "outside-terraform",
          action: "update",
        }),
      );
      expect(byStack.payer).toMatchObject({ status: "in-sync", resources: [] });
    } finally {
      await put(before.Description);
      events.destroy();
    }
  }, 600_000);
});
