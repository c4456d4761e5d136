import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import {
  DeleteObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { StackOutcome } from "../../deploy/apply";
import { type CurGroundTruth, curAccountsFromConfig, writeCurMonth } from "../../emulator/cur/generator";
import type { ReplayPeriodFigures } from "../../local/cur/replay-figures";
import { asAccount, deployLocal } from "../support/local-org";

/**
 * The whole landing on the emulated organization: what `npm run local` does, asserted.
 * Checks the emulator's real API (moto) as each account; nothing here is mocked.
 */
describe("the landing deployed to the local organization", () => {
  const config = loadAccountConfig("accounts/local.yaml");
  const names = new Names(config);
  let outcomes: StackOutcome[];

  beforeAll(async () => {
    ({ outcomes } = await deployLocal(config));
  }, 1_800_000);

  it("applies every stack", () => {
    expect(outcomes.map((o) => [o.info.stack, o.status, o.error])).toEqual(
      outcomes.map((o) => [o.info.stack, expect.stringMatching(/^(applied|unchanged)$/), undefined]),
    );
  });

  it("plans no changes for any stack on a second plan", () => {
    // On failure the diff names what the second plan would still change.
    expect(outcomes.map((o) => [o.info.stack, o.clean, o.pending ?? []])).toEqual(
      outcomes.map((o) => [o.info.stack, true, []]),
    );
  });

  it("creates the organization's accounts under the configured ids", async () => {
    const org = new OrganizationsClient(await asAccount(config.payer.id));
    const ids = (await org.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id);
    expect(ids).toEqual(
      expect.arrayContaining([config.payer.id, config.admin.id, ...config.members.map((m) => m.id)]),
    );
  });

  it.each([
    ["payer", () => config.payer.id, () => names.curBucket],
    ["admin", () => config.admin.id, () => names.curReplicaBucket],
  ])("creates the %s CUR bucket in its own account and in no other", async (_, owner, bucket) => {
    const others = [config.payer.id, config.admin.id].filter((id) => id !== owner());
    const list = async (id: string) =>
      ((await new S3Client(await asAccount(id)).send(new ListBucketsCommand({}))).Buckets ?? []).map(
        (b) => b.Name,
      );
    expect(await list(owner())).toContain(bucket());
    for (const id of others) expect(await list(id)).not.toContain(bucket());
  });

  it("writes the central bus ARN into every region of every member", async () => {
    for (const m of config.members) {
      for (const region of m.regions) {
        const ssm = new SSMClient(await asAccount(m.id, region));
        const p = await ssm.send(new GetParameterCommand({ Name: names.ssmParameter("central-bus-arn") }));
        expect(p.Parameter?.Value).toBe(names.centralBusArn);
      }
    }
  });

  // README "Try it on your own bill", run as a user runs it: `npm run -s cur:replay -- <dir> --json`
  // against the landing applied above. The export root is a team's own export in AWS's layout (the
  // emulator's Data Exports writer, manifests of AWS's documented fields only), under another export
  // name and prefix than the landing's, create-new and gzip CSV, billing an account the config does
  // not know. The figures are compared with the generator's ground truth, computed from its rows in
  // memory, independently of the ingest's SQL.
  describe("replaying a team's own CUR 2.0 export (npm run -s cur:replay -- <dir> --json)", () => {
    const stranger = { id: "987654321098", name: "bought-company-prod", regions: ["eu-west-1"] };
    const months: { period: string; truth: CurGroundTruth }[] = [];
    let src: string;
    let figures: ReplayPeriodFigures[];
    let stderr: string;

    beforeAll(async () => {
      src = mkdtempSync(path.join(os.tmpdir(), "finops-replay-it-"));
      for (const [period, seed] of [
        ["2023-05", 11],
        ["2023-06", 12],
      ] as const) {
        const m = await writeCurMonth({
          billingPeriod: period,
          payer: { id: config.payer.id, name: config.payer.name },
          accounts: [...curAccountsFromConfig(config), stranger],
          seed,
          exportName: "team-cur",
          s3Prefix: "billing/exports",
          bucket: "team-billing",
          format: "csv",
          overwrite: "CREATE_NEW_REPORT",
          executedAt: new Date(`${period}-20T04:05:06.007Z`),
          outDir: src,
        });
        months.push({ period, truth: m.groundTruth });
      }
      const out = spawnSync(
        "npm",
        ["run", "-s", "cur:replay", "--", path.join(src, "billing/exports/team-cur"), "--json"],
        { encoding: "utf8", env: process.env, maxBuffer: 256 * 1024 * 1024 },
      );
      stderr = out.stderr;
      if (out.status !== 0) throw new Error(`cur:replay exited ${out.status}:\n${out.stderr}`);
      figures = JSON.parse(out.stdout) as ReplayPeriodFigures[];
    }, 900_000);

    // The other files share this emulated organization: leave no replayed object, spend or account.
    afterAll(async () => {
      rmSync(src, { recursive: true, force: true });
      const replayed = (key: string) => months.some((m) => key.includes(`BILLING_PERIOD=${m.period}/`));
      for (const [account, bucket] of [
        [config.payer.id, names.curBucket],
        [config.admin.id, names.curReplicaBucket],
      ] as const) {
        const s3 = new S3Client(await asAccount(account));
        const listed = await s3.send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            Prefix: `${config.cur.s3Prefix}/${config.cur.exportName}/`,
          }),
        );
        for (const v of [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].filter((x) =>
          replayed(x.Key!),
        ))
          await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key!, VersionId: v.VersionId }));
        s3.destroy();
      }
      const ddb = new DynamoDBClient(await asAccount(config.admin.id));
      await ddb.send(
        new DeleteItemCommand({
          TableName: names.dataTable("accounts"),
          Key: { accountId: { S: stranger.id } },
        }),
      );
      for (const { period } of months) {
        const runs = await ddb.send(
          new QueryCommand({
            TableName: names.dataTable("ingestion-runs"),
            KeyConditionExpression: "billingPeriod = :p",
            ExpressionAttributeValues: { ":p": { S: period } },
          }),
        );
        for (const item of runs.Items ?? [])
          await ddb.send(
            new DeleteItemCommand({
              TableName: names.dataTable("ingestion-runs"),
              Key: { billingPeriod: item.billingPeriod!, sk: item.sk! },
            }),
          );
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await ddb.send(
            new ScanCommand({
              TableName: names.dataTable("spend"),
              FilterExpression: "begins_with(pk, :p)",
              ExpressionAttributeValues: { ":p": { S: `${period}#` } },
              ExclusiveStartKey: start,
            }),
          );
          for (const item of page.Items ?? [])
            await ddb.send(
              new DeleteItemCommand({
                TableName: names.dataTable("spend"),
                Key: { pk: item.pk!, sk: item.sk! },
              }),
            );
          start = page.LastEvaluatedKey;
        } while (start);
      }
      ddb.destroy();
    }, 300_000);

    it("prints only JSON on stdout, one object per billing period, money as decimal strings", () => {
      expect(figures.map((f) => f.billingPeriod)).toEqual(["2023-05", "2023-06"]);
      for (const f of figures) {
        for (const v of Object.values(f.totals)) expect(v).toMatch(/^-?\d+\.\d{6}$/);
        expect(Object.keys(f.rows[0]!).sort()).toEqual(
          [
            "accountId",
            "credit",
            "lineItems",
            "netAmortizedCost",
            "refund",
            "service",
            "tax",
            "unblendedCost",
            "usageDate",
          ].sort(),
        );
      }
      expect(stderr).toMatch(/emulated: Data Exports delivered team-cur 2023-05/);
    });

    it("commits every period to the cent of the ground truth, row by row and in total", () => {
      const cents = (x: string | number) => Math.round(Number(x) * 100);
      for (const { period, truth } of months) {
        const f = figures.find((x) => x.billingPeriod === period)!;
        expect(f.lineItems).toBe(truth.rowCount);
        const t = f.totals;
        expect(cents(Number(t.unblendedCost) + Number(t.credit) + Number(t.tax) + Number(t.refund))).toBe(
          cents(truth.total),
        );
        expect(cents(t.credit)).toBe(cents(truth.byLineItemType.Credit ?? 0));
        expect(cents(t.tax)).toBe(cents(truth.byLineItemType.Tax ?? 0));
        expect(cents(t.refund)).toBe(cents(truth.byLineItemType.Refund ?? 0));
        const rows = new Map(f.rows.map((r) => [`${r.accountId}|${r.service}|${r.usageDate}`, r]));
        expect(rows.size).toBe(truth.byAccountServiceDay.length);
        for (const d of truth.byAccountServiceDay) {
          const r = rows.get(`${d.accountId}|${d.service}|${d.day}`)!;
          expect(cents(Number(r.unblendedCost) + Number(r.credit) + Number(r.tax) + Number(r.refund))).toBe(
            cents(d.unblendedCost),
          );
        }
      }
    });

    it("shows an account the config does not know as unallocated, under the name the export gives it", async () => {
      const ddb = new DynamoDBClient(await asAccount(config.admin.id));
      const got = await ddb.send(
        new GetItemCommand({
          TableName: names.dataTable("accounts"),
          Key: { accountId: { S: stranger.id } },
        }),
      );
      ddb.destroy();
      expect(got.Item?.name?.S).toBe(stranger.name);
      expect(got.Item?.allocationStatus?.S).toBe("unallocated");
      expect(figures[0]!.rows.some((r) => r.accountId === stranger.id)).toBe(true);
    });
  });
});
