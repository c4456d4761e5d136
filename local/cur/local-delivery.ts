import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { clientConfigForAccount } from "../../emulator/aws-clients";
import {
  emulateReplication,
  formatReplicationReport,
  type ReplicationReport,
} from "../../emulator/replication";
import { type CurDelivery, deliverCurMonth } from "./deliver";
import type { ExportRoot } from "./export-root";
import { deliverExportRoot, type ReplayDelivery } from "./replay";

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
  const replication = await replicateIfConfigured(config, o.motoEndpoint, log);
  return { delivery, replication };
}

/**
 * `npm run cur:replay` / `npm run local -- --cur <dir>`: what AWS would do with a team's own export
 * (replay.ts): deliver its newest execution of every period where the payer's export points, then
 * replicate as configured. Every log line starts with "emulated:".
 */
export async function emulateReplayPipeline(o: {
  readonly config: AccountConfig;
  readonly motoEndpoint: string;
  readonly dataExportsEndpoint: string;
  readonly root: ExportRoot;
  readonly log?: (line: string) => void;
}): Promise<{ replay: ReplayDelivery; replication?: ReplicationReport }> {
  const log = o.log ?? (() => {});
  const replay = await deliverExportRoot(o);
  for (const p of replay.periods) {
    log(
      `emulated: Data Exports delivered ${o.root.exportName} ${p.billingPeriod} (your export, ${(p.bytes / 1048576).toFixed(1)} MiB) to s3://${replay.bucket} as ${o.config.cur.exportName}${p.olderExecutions.length ? `; ${p.olderExecutions.length} older execution(s) of the period not delivered (the newest supersedes them)` : ""}`,
    );
    for (const k of p.keys) log(`emulated:   wrote ${k}`);
  }
  const replication = await replicateIfConfigured(o.config, o.motoEndpoint, log);
  return { replay, replication };
}

/** With `cur.delivery: replication`, replicates the payer bucket per its configuration (emulation). */
async function replicateIfConfigured(
  config: AccountConfig,
  motoEndpoint: string,
  log: (line: string) => void,
): Promise<ReplicationReport | undefined> {
  if (config.cur.delivery !== "replication") return undefined;
  const replication = await emulateReplication({
    sourceBucket: new Names(config).curBucket,
    source: await clientConfigForAccount(motoEndpoint, config.payer.id, config.cur.homeRegion),
    sourceAccountId: config.payer.id,
    destinationClient: (id) => clientConfigForAccount(motoEndpoint, id, config.admin.regions[0]!),
  });
  for (const line of formatReplicationReport(replication)) log(line);
  return replication;
}
