/**
 * Replay of a team's own Data Exports export on the local organization (`npm run cur:replay`,
 * `npm run local -- --cur <dir>`). The input is an export root as `aws s3 sync
 * s3://<bucket>/<prefix>/<export-name> <dir>` writes it:
 *
 *   <dir>/data/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<export-name>-00001.snappy.parquet | .csv.gz
 *   <dir>/metadata/BILLING_PERIOD=YYYY-MM/[<timestamp>-<executionId>/]<export-name>-Manifest.json
 *
 * (Data Exports user guide, "Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html). Every manifest
 * is read with the ingest's own parser (functions/shared/cur-manifest.ts), so a delivery the ingest
 * would refuse is refused here, with the same message, before anything is uploaded.
 *
 * EMULATION: AWS Data Exports writes these files into the payer's bucket; here the harness uploads
 * them there in plain sight, as the configured export would name them: the export folder and file
 * names become the configured export's, the manifest's `exportArn` the configured export's ARN and
 * its `dataFiles` the URIs the files now have. Everything else in the manifest (executionId,
 * columns, additionalOutputFiles, fields AWS may add) is kept. Of a create-new period only the
 * newest execution is delivered: the ingest would supersede the older ones anyway.
 */
import { readFile } from "node:fs/promises";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { AccountConfig } from "../../config/schema";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import { payerCurExport } from "./deliver";
import { type ExportRoot, ExportRootError } from "./export-root";

/** The key a file of the source export has under the configured export (names swapped). */
export function keyUnderExport(
  keyInExport: string,
  source: string,
  target: { readonly s3Prefix: string; readonly exportName: string },
): string {
  const parts = keyInExport.split("/");
  const file = parts[parts.length - 1]!;
  if (file.startsWith(`${source}-`))
    parts[parts.length - 1] = `${target.exportName}-${file.slice(source.length + 1)}`;
  const base = target.s3Prefix
    ? `${target.s3Prefix.replace(/\/+$/, "")}/${target.exportName}`
    : target.exportName;
  return `${base}/${parts.join("/")}`;
}

export interface ReplayedPeriod {
  readonly billingPeriod: string;
  readonly manifestKey: string;
  readonly keys: readonly string[];
  readonly bytes: number;
  readonly olderExecutions: readonly string[];
}

export interface ReplayDelivery {
  readonly source: ExportRoot;
  readonly bucket: string;
  readonly writtenAs: string;
  readonly periods: readonly ReplayedPeriod[];
}

/**
 * Uploads an export root's newest delivery of every period where the payer's configured CUR 2.0
 * export points (read back from the emulated Data Exports API), data files first and the manifest
 * last, as Data Exports writes them.
 */
export async function deliverExportRoot(o: {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  readonly dataExportsEndpoint: string;
  readonly root: ExportRoot;
}): Promise<ReplayDelivery> {
  const { root } = o;
  if (root.kind !== "cur2")
    throw new ExportRootError(
      `${root.root}: a FOCUS export; the landing ingests CUR 2.0 — replay a CUR 2.0 export (FOCUS exports are summarized, not ingested)`,
    );
  const { exp, dest, owner } = await payerCurExport(o);
  const target = { s3Prefix: dest.S3Prefix, exportName: exp.Name };
  const s3 = new S3Client(await clientConfigForAccount(o.motoEndpoint, owner, dest.S3Region));
  const periods: ReplayedPeriod[] = [];
  try {
    for (const d of root.deliveries) {
      const keys: string[] = [];
      let bytes = 0;
      for (const f of d.dataFiles) {
        const key = keyUnderExport(f.keyInExport, root.exportName, target);
        const body = await readFile(f.path);
        bytes += body.length;
        await s3.send(
          new PutObjectCommand({
            Bucket: dest.S3Bucket,
            Key: key,
            Body: body,
            ContentType: "application/octet-stream",
          }),
        );
        keys.push(key);
      }
      const manifestInExport = `metadata/${d.location.partition}/${d.location.execution ? `${d.location.execution.folder}/` : ""}${root.exportName}-Manifest.json`;
      const manifestKey = keyUnderExport(manifestInExport, root.exportName, target);
      const manifest = {
        ...d.raw,
        exportArn: exp.ExportArn,
        dataFiles: keys.map((k) => `s3://${dest.S3Bucket}/${k}`),
      };
      await s3.send(
        new PutObjectCommand({
          Bucket: dest.S3Bucket,
          Key: manifestKey,
          Body: `${JSON.stringify(manifest, null, 2)}\n`,
          ContentType: "application/json",
        }),
      );
      keys.push(manifestKey);
      periods.push({
        billingPeriod: d.billingPeriod,
        manifestKey,
        keys,
        bytes,
        olderExecutions: d.olderExecutions,
      });
    }
  } finally {
    s3.destroy();
  }
  return { source: root, bucket: dest.S3Bucket, writtenAs: owner, periods };
}
