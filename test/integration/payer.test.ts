import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeResourcePolicyCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import {
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parseAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { dataExportsCall, listExportDefinitions } from "../../emulator/data-exports-client";
import { emulateReplication } from "../../emulator/replication";
import { deliverCurMonth } from "../../local/cur/deliver";
import { emulateCurPipeline } from "../../local/cur/local-delivery";
import { asAccount, deployLocal, emulatorEndpoint } from "../support/local-org";

/**
 * The payer on the emulated organization, in two deploys of one state (each plan depends only on
 * config and state, so a changed config is a change of the same stacks):
 * 1. replication delivery with FOCUS on: admin + payer stacks applied with Terraform (the Data
 *    Exports API and the Organizations delegation policy are the local gap-filler's emulation), a
 *    clean second plan, a generated CUR month delivered where the export points, and the
 *    replication emulator copying it to the admin bucket;
 * 2. direct delivery with FOCUS off (one deploy for both, to keep the file short): the payer's plan
 *    destroys the FOCUS export (DeleteExport) and the payer bucket, the admin bucket admits the
 *    payer's exports, and the month is delivered straight to the admin bucket.
 * What is emulation here: Data Exports, the delivery, and the replication copy (moto does neither).
 */
const LOCAL_YAML = readFileSync("accounts/local.yaml", "utf8");
const config = parseAccountConfig(LOCAL_YAML, "accounts/local.yaml");
const names = new Names(config);
/** accounts/local.yaml with the cur section changed: the same organization, another CUR setup. */
const withCur = (cur: Partial<AccountConfig["cur"]>): AccountConfig => ({
  ...config,
  cur: { ...config.cur, ...cur },
});
const focusOn = withCur({ focus: { enabled: true } });
const direct = withCur({ delivery: "direct" }); // FOCUS off, as in accounts/local.yaml
const gapEndpoint = (): string => `http://127.0.0.1:${process.env.FINOPS_GAPS_PORT}`;
const md5 = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");

type Outcomes = Awaited<ReturnType<typeof deployLocal>>["outcomes"];
const seconds = (o: Outcomes) => o.map((x) => `${x.info.stack} ${x.seconds}s`).join(", ");

describe("payer stack on the emulated organization (replication delivery, FOCUS on)", () => {
  let outcomes: Outcomes;

  beforeAll(async () => {
    ({ outcomes } = await deployLocal(focusOn, ["admin", "payer"]));
    process.stdout.write(`payer.test: replication deploy ${seconds(outcomes)}\n`);
  }, 1_500_000);

  it.each(["admin", "payer"])("applies the %s stack and a second plan shows no changes", (stack) => {
    const o = outcomes.find((x) => x.info.stack === stack)!;
    expect([o.status, o.error]).toEqual([expect.stringMatching(/applied|unchanged/), undefined]);
    expect(o.clean).toBe(true);
  });

  it("creates the CUR 2.0 export in the payer account, read back through the Data Exports API", async () => {
    const payer = await asAccount(config.payer.id);
    const exports = await listExportDefinitions(gapEndpoint(), payer);
    const cur = exports.find((e) => e.Name === config.cur.exportName);
    expect(cur).toMatchObject({
      DestinationConfigurations: {
        S3Destination: {
          S3Bucket: names.curBucket,
          S3Prefix: config.cur.s3Prefix,
          S3Region: "us-east-1",
          S3OutputConfigurations: { Format: "PARQUET", Overwrite: "OVERWRITE_REPORT", OutputType: "CUSTOM" },
        },
      },
      DataQuery: {
        TableConfigurations: {
          COST_AND_USAGE_REPORT: { TIME_GRANULARITY: "DAILY", INCLUDE_RESOURCES: "TRUE" },
        },
      },
    });
    // Per account: the admin account has no exports.
    const admin = await asAccount(config.admin.id);
    expect(await listExportDefinitions(gapEndpoint(), admin)).toEqual([]);
  });

  it("creates the FOCUS export beside CUR 2.0, same bucket and prefix", async () => {
    const exports = await listExportDefinitions(gapEndpoint(), await asAccount(config.payer.id));
    expect(exports.map((e) => e.Name).sort()).toEqual([config.cur.exportName, names.focusExportName].sort());
    const focus = exports.find((e) => e.Name === names.focusExportName)!;
    expect(focus.DataQuery.QueryStatement).toMatch(/ FROM FOCUS_1_2_AWS$/);
    expect(focus.DestinationConfigurations.S3Destination).toMatchObject({
      S3Bucket: names.curBucket,
      S3Prefix: config.cur.s3Prefix,
    });
  });

  it("puts the Organizations delegation policy for account-sync in the organization, readable by the admin", async () => {
    // Organizations resource policies are the gap-filler's emulation (moto has none).
    const read = async (account: string) => {
      const org = new OrganizationsClient({ ...(await asAccount(account)), endpoint: gapEndpoint() });
      try {
        return (await org.send(new DescribeResourcePolicyCommand({}))).ResourcePolicy!;
      } finally {
        org.destroy();
      }
    };
    const policy = await read(config.payer.id);
    expect(policy.ResourcePolicySummary?.Arn).toMatch(
      new RegExp(`^arn:aws:organizations::${config.payer.id}:resourcepolicy/o-\\w+/rp-\\w+$`),
    );
    const doc = JSON.parse(policy.Content!);
    expect(doc.Statement.map((st: { Sid: string }) => st.Sid)).toEqual([
      "AccountSyncListsAccounts",
      "AccountSyncReadsTheTree",
    ]);
    for (const st of doc.Statement) {
      expect(st.Principal).toEqual({ AWS: Names.accountRoot(config.admin.id) });
      expect(st.Condition.ArnEquals["aws:PrincipalArn"]).toBe(
        Names.roleArn(config.admin.id, names.lambdaRoleName("account-sync")),
      );
    }
    expect((await read(config.admin.id)).Content).toBe(policy.Content);
  });

  it("puts the external id in the admin secret and in the read role's trust, not in the config", async () => {
    const admin = await asAccount(config.admin.id);
    const sm = new SecretsManagerClient(admin);
    const secret = await sm.send(new GetSecretValueCommand({ SecretId: names.externalIdSecretName }));
    sm.destroy();
    expect(secret.SecretString).toMatch(/^[0-9a-f-]{36}$/);
    const iam = new IAMClient(await asAccount(config.payer.id));
    const role = await iam.send(new GetRoleCommand({ RoleName: names.payerReadRoleName }));
    iam.destroy();
    const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe(secret.SecretString);
    expect(role.Role!.MaxSessionDuration).toBe(3600);
  });

  it("delivers a generated month to the payer bucket and the replication emulator copies the same bytes to the admin bucket", async () => {
    const delivery = await deliverCurMonth({
      motoEndpoint: emulatorEndpoint(),
      dataExportsEndpoint: gapEndpoint(),
      config,
      billingPeriod: "2026-01",
      seed: 3,
    });
    expect(delivery.bucket).toBe(names.curBucket);
    expect(delivery.keys).toEqual([
      "cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
      "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/finops-cur2-Manifest.json",
    ]);

    const payerClient = await asAccount(config.payer.id);
    const report = await emulateReplication({
      sourceBucket: names.curBucket,
      source: payerClient,
      sourceAccountId: config.payer.id,
      destinationClient: (id) => asAccount(id),
    });
    expect(report.role).toBe(Names.roleArn(config.payer.id, names.curReplicationRoleName));
    expect(report.copied.map((c) => c.sourceKey).sort()).toEqual([...delivery.keys].sort());

    const asPayer = new S3Client(payerClient);
    const asAdmin = new S3Client(await asAccount(config.admin.id));
    for (const key of delivery.keys) {
      const src = await asPayer.send(new GetObjectCommand({ Bucket: names.curBucket, Key: key }));
      const dst = await asAdmin.send(new GetObjectCommand({ Bucket: names.curReplicaBucket, Key: key }));
      const a = await src.Body!.transformToByteArray();
      const b = await dst.Body!.transformToByteArray();
      expect(md5(b)).toBe(md5(a));
      expect(dst.ETag).toBe(src.ETag);
    }
    // Idempotent: a second run copies nothing.
    const again = await emulateReplication({
      sourceBucket: names.curBucket,
      source: payerClient,
      sourceAccountId: config.payer.id,
      destinationClient: (id) => asAccount(id),
    });
    expect(again.copied).toEqual([]);
    expect([...again.alreadyReplicated].sort()).toEqual([...delivery.keys].sort());
    await expect(
      asAdmin.send(new HeadObjectCommand({ Bucket: names.curReplicaBucket, Key: delivery.keys[0] })),
    ).resolves.toMatchObject({ ContentLength: expect.any(Number) });
    asPayer.destroy();
    asAdmin.destroy();
  }, 120_000);
});

/** Every version and delete marker of a bucket, deleted: what an operator does before retiring it. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key!,
      VersionId: v.VersionId,
    }));
    if (objects.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
  }
}

describe("payer and admin stacks in direct delivery with FOCUS switched off (same state)", () => {
  let outcomes: Outcomes;
  let focusArn: string;

  beforeAll(async () => {
    const before = await listExportDefinitions(gapEndpoint(), await asAccount(config.payer.id));
    focusArn = before.find((e) => e.Name === names.focusExportName)!.ExportArn;
    // Leaving replication destroys the payer bucket; S3 refuses to delete a bucket with objects.
    const s3 = new S3Client(await asAccount(config.payer.id));
    await emptyBucket(s3, names.curBucket);
    s3.destroy();
    ({ outcomes } = await deployLocal(direct, ["admin", "payer"]));
    process.stdout.write(`payer.test: direct deploy ${seconds(outcomes)}\n`);
  }, 1_500_000);

  it.each(["admin", "payer"])(
    "applies the %s stack in direct mode and a second plan shows no changes",
    (stack) => {
      const o = outcomes.find((x) => x.info.stack === stack)!;
      expect([o.status, o.error]).toEqual(["applied", undefined]);
      expect(o.clean).toBe(true);
    },
  );

  it("destroys the FOCUS export: ListExports has only CUR 2.0 and GetExport of the old ARN fails (DeleteExport)", async () => {
    const payer = await asAccount(config.payer.id);
    const list = await dataExportsCall<{ Exports: { ExportName: string }[] }>(
      gapEndpoint(),
      payer,
      "ListExports",
      {},
    );
    expect(list.Exports.map((e) => e.ExportName)).toEqual([config.cur.exportName]);
    await expect(dataExportsCall(gapEndpoint(), payer, "GetExport", { ExportArn: focusArn })).rejects.toThrow(
      /HTTP 400: .*ResourceNotFoundException/,
    );
  });

  it("has no payer bucket, and the admin bucket admits the payer's exports only with source account and export ARNs", async () => {
    const payerS3 = new S3Client(await asAccount(config.payer.id));
    await expect(payerS3.send(new HeadBucketCommand({ Bucket: names.curBucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    payerS3.destroy();
    const adminS3 = new S3Client(await asAccount(config.admin.id));
    const policy = JSON.parse(
      (await adminS3.send(new GetBucketPolicyCommand({ Bucket: names.curReplicaBucket }))).Policy!,
    );
    adminS3.destroy();
    expect(policy.Statement.map((st: { Sid: string }) => st.Sid)).toEqual([
      "DenyInsecureTransport",
      "DenyOutdatedTls",
      "AllowDataExportsDelivery",
    ]);
    expect(policy.Statement[2]).toMatchObject({
      Principal: { Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] },
      Condition: {
        StringEquals: { "aws:SourceAccount": config.payer.id },
        ArnLike: {
          "aws:SourceArn": [
            `arn:aws:bcm-data-exports:us-east-1:${config.payer.id}:export/*`,
            `arn:aws:cur:us-east-1:${config.payer.id}:definition/*`,
          ],
        },
      },
    });
  });

  it("points the export at the admin bucket and the harness delivers the month straight there, owned by the admin", async () => {
    const lines: string[] = [];
    const { delivery, replication } = await emulateCurPipeline({
      config: direct,
      motoEndpoint: emulatorEndpoint(),
      dataExportsEndpoint: gapEndpoint(),
      billingPeriod: "2026-02",
      seed: 5,
      log: (l) => lines.push(l),
    });
    expect(replication).toBeUndefined();
    expect(delivery.export.DestinationConfigurations.S3Destination).toMatchObject({
      S3Bucket: names.curReplicaBucket,
      S3Prefix: config.cur.s3Prefix,
    });
    expect([delivery.bucket, delivery.writtenAs]).toEqual([names.curReplicaBucket, config.admin.id]);
    expect(delivery.keys).toEqual([
      "cur/finops-cur2/data/BILLING_PERIOD=2026-02/finops-cur2-00001.snappy.parquet",
      "cur/finops-cur2/metadata/BILLING_PERIOD=2026-02/finops-cur2-Manifest.json",
    ]);
    expect(lines[0]).toMatch(
      /^emulated: Data Exports delivered finops-cur2 2026-02 to s3:\/\/finops-cur-replica-/,
    );
    const adminS3 = new S3Client(await asAccount(config.admin.id));
    for (const key of delivery.keys) {
      await expect(
        adminS3.send(new HeadObjectCommand({ Bucket: names.curReplicaBucket, Key: key })),
      ).resolves.toMatchObject({ ContentLength: expect.any(Number) });
    }
    adminS3.destroy();
  }, 120_000);
});
