import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parseAccountConfig } from "../../config/load";
import { deliverCurMonth } from "../../emulator/cur/deliver";
import { listExportDefinitions } from "../../emulator/data-exports-client";
import { emulateReplication } from "../../emulator/replication";
import { Names } from "../../modules/naming";
import { asAccount, deployLocal, emulatorEndpoint } from "../support/local-org";

/**
 * The payer on the emulated organization: admin + payer stacks applied with Terraform (the Data
 * Exports API is the local gap-filler's emulation), a clean second plan, a generated CUR month
 * delivered where the export points, and the replication emulator copying it to the admin bucket.
 * What is emulation here: Data Exports, the delivery, and the replication copy (moto does neither).
 */
const config = parseAccountConfig(readFileSync("accounts/local.yaml", "utf8"), "accounts/local.yaml");
const names = new Names(config);
const gapEndpoint = (): string => `http://127.0.0.1:${process.env.FINOPS_GAPS_PORT}`;
const md5 = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");

describe("payer stack on the emulated organization (replication delivery)", () => {
  let outcomes: Awaited<ReturnType<typeof deployLocal>>["outcomes"];

  beforeAll(async () => {
    ({ outcomes } = await deployLocal(config, ["admin", "payer"]));
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
