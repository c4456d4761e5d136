import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import {
  type CurGroundTruth,
  curAccountsFromConfig,
  uploadCurMonth,
  writeCurMonth,
} from "../../emulator/cur/generator";
import { type DataExportDefinition, listExportDefinitions } from "../../emulator/data-exports-client";

export interface CurDelivery {
  readonly export: DataExportDefinition;
  readonly bucket: string;
  /** Account whose credentials wrote the objects (the bucket owner, as the service's delivery leaves them). */
  readonly writtenAs: string;
  readonly keys: readonly string[];
  readonly groundTruth: CurGroundTruth;
}

/**
 * The payer's CUR 2.0 export as the (emulated) Data Exports API returns it, where it delivers, and
 * the account whose credentials write there (the bucket owner, as the service's delivery leaves it).
 */
export async function payerCurExport(o: {
  readonly motoEndpoint: string;
  readonly dataExportsEndpoint: string;
  readonly config: AccountConfig;
}): Promise<{
  exp: DataExportDefinition;
  dest: DataExportDefinition["DestinationConfigurations"]["S3Destination"];
  owner: string;
}> {
  const { config } = o;
  const payerClient = await clientConfigForAccount(o.motoEndpoint, config.payer.id, config.cur.homeRegion);
  const exports = await listExportDefinitions(o.dataExportsEndpoint, payerClient);
  const exp = exports.find((e) => e.Name === config.cur.exportName);
  if (!exp)
    throw new Error(
      `the payer has no Data Export named ${config.cur.exportName} (it has: ${exports.map((e) => e.Name).join(", ") || "none"}); deploy the payer stack first (npm run local)`,
    );
  const dest = exp.DestinationConfigurations.S3Destination;
  const owner = dest.S3Bucket === new Names(config).curReplicaBucket ? config.admin.id : config.payer.id;
  return { exp, dest, owner };
}

/**
 * EMULATION of a Data Exports delivery: reads the payer's CUR 2.0 export definition back from the
 * (emulated) Data Exports API, generates the month with the sample generator and writes it where
 * that export points (bucket, prefix, name), owned by the bucket's account.
 */
export async function deliverCurMonth(o: {
  readonly motoEndpoint: string;
  readonly dataExportsEndpoint: string;
  readonly config: AccountConfig;
  readonly billingPeriod: string;
  readonly seed?: number;
}): Promise<CurDelivery> {
  const { config } = o;
  const { exp, dest, owner } = await payerCurExport(o);
  const work = await mkdtemp(join(tmpdir(), "finops-cur-month-"));
  try {
    const month = await writeCurMonth({
      billingPeriod: o.billingPeriod,
      payer: { id: config.payer.id, name: config.payer.name },
      accounts: curAccountsFromConfig(config),
      seed: o.seed ?? 1,
      granularity:
        exp.DataQuery.TableConfigurations?.COST_AND_USAGE_REPORT?.TIME_GRANULARITY === "HOURLY"
          ? "HOURLY"
          : "DAILY",
      includeResourceIds:
        exp.DataQuery.TableConfigurations?.COST_AND_USAGE_REPORT?.INCLUDE_RESOURCES !== "FALSE",
      exportName: exp.Name,
      s3Prefix: dest.S3Prefix,
      bucket: dest.S3Bucket,
      // As the export is configured: its ARN in the manifest, its format and overwrite setting.
      exportArn: exp.ExportArn,
      format: dest.S3OutputConfigurations.Format === "TEXT_OR_CSV" ? "csv" : "parquet",
      overwrite:
        dest.S3OutputConfigurations.Overwrite === "CREATE_NEW_REPORT"
          ? "CREATE_NEW_REPORT"
          : "OVERWRITE_REPORT",
      outDir: work,
    });
    const s3 = new S3Client(await clientConfigForAccount(o.motoEndpoint, owner, dest.S3Region));
    try {
      const keys = await uploadCurMonth(s3, dest.S3Bucket, month);
      return { export: exp, bucket: dest.S3Bucket, writtenAs: owner, keys, groundTruth: month.groundTruth };
    } finally {
      s3.destroy();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
