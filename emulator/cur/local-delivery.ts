import type { AccountConfig } from "../../config/schema";
import { Names } from "../../modules/naming";
import { clientConfigForAccount } from "../aws-clients";
import { emulateReplication, formatReplicationReport, type ReplicationReport } from "../replication";
import { type CurDelivery, deliverCurMonth } from "./deliver";

/** The last complete month before `now`, YYYY-MM (UTC). */
export function previousBillingPeriod(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * What AWS would do after the payer stack is applied, done by the harness in plain sight: deliver
 * one generated CUR 2.0 month where the export points, then (replication delivery) replicate the
 * payer bucket per its replication configuration. Every log line starts with "emulated:".
 */
export async function emulateCurPipeline(o: {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  readonly dataExportsEndpoint: string;
  readonly billingPeriod?: string;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}): Promise<{ delivery: CurDelivery; replication?: ReplicationReport }> {
  const log = o.log ?? (() => {});
  const { config } = o;
  const delivery = await deliverCurMonth({
    motoEndpoint: o.motoEndpoint,
    dataExportsEndpoint: o.dataExportsEndpoint,
    config,
    billingPeriod: o.billingPeriod ?? previousBillingPeriod(),
    seed: o.seed,
  });
  const gt = delivery.groundTruth;
  log(
    `emulated: Data Exports delivered ${delivery.export.Name} ${gt.billingPeriod} to s3://${delivery.bucket} (${gt.rowCount} rows, $${gt.total.toFixed(2)} unblended; sample generator)`,
  );
  for (const k of delivery.keys) log(`emulated:   wrote ${k}`);
  if (config.cur.delivery !== "replication") return { delivery };
  const replication = await emulateReplication({
    sourceBucket: new Names(config).curBucket,
    source: await clientConfigForAccount(o.motoEndpoint, config.payer.id, config.cur.homeRegion),
    sourceAccountId: config.payer.id,
    destinationClient: (id) => clientConfigForAccount(o.motoEndpoint, id, config.admin.regions[0]!),
  });
  for (const line of formatReplicationReport(replication)) log(line);
  return { delivery, replication };
}
