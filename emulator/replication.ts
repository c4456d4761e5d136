import {
  DeleteObjectCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type ReplicationRule,
  S3Client,
} from "@aws-sdk/client-s3";
import type { AccountClientConfig } from "./aws-clients";

/**
 * EMULATION of S3 replication, which moto never performs. Reads the source bucket's replication
 * configuration through the S3 API as the source account (GetBucketReplication), and for every
 * enabled rule (highest priority first) copies the latest version of each object under the rule's
 * filter prefix to the destination bucket AS THE DESTINATION ACCOUNT (what an owner override to
 * the destination gives: the replica belongs to the destination), with content type, metadata
 * and tags. Latest-version delete markers replicate as deletes when the rule replicates delete
 * markers. Already-replicated objects (same ETag at the destination) are skipped, so a run is
 * idempotent. Not emulated: IAM evaluation of the replication role and bucket policies (moto does
 * not enforce them; the synth tests pin those policies), KMS re-encryption, RTC timing.
 */
export interface ReplicationCopy {
  readonly rule: string;
  readonly sourceKey: string;
  readonly destinationBucket: string;
  readonly etag: string;
  readonly bytes: number;
}

export interface ReplicationReport {
  readonly sourceBucket: string;
  readonly role: string;
  readonly rules: readonly {
    readonly id: string;
    readonly prefix: string;
    readonly destinationBucket: string;
  }[];
  readonly copied: readonly ReplicationCopy[];
  readonly alreadyReplicated: readonly string[];
  readonly deleted: readonly string[];
}

export interface ReplicationEmulatorOptions {
  readonly sourceBucket: string;
  /** Client options of the source (bucket owner) account. */
  readonly source: AccountClientConfig;
  /** Client options of a destination account, by account id. */
  destinationClient(accountId: string): Promise<AccountClientConfig>;
  /** Account of a destination bucket whose rule names none (same-account replication). */
  readonly sourceAccountId: string;
}

function ruleId(rule: ReplicationRule, i: number): string {
  return rule.ID ?? `rule-${i + 1}`;
}

function rulePrefix(rule: ReplicationRule): string {
  return rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? "";
}

export async function emulateReplication(o: ReplicationEmulatorOptions): Promise<ReplicationReport> {
  const src = new S3Client(o.source);
  const destClients = new Map<string, S3Client>();
  const destClient = async (account: string): Promise<S3Client> => {
    let c = destClients.get(account);
    if (!c) {
      c = new S3Client(await o.destinationClient(account));
      destClients.set(account, c);
    }
    return c;
  };
  try {
    const conf = await src.send(new GetBucketReplicationCommand({ Bucket: o.sourceBucket }));
    const config = conf.ReplicationConfiguration;
    if (!config?.Rules?.length) throw new Error(`bucket ${o.sourceBucket} has no replication rules`);
    const srcVersioning = await src.send(new GetBucketVersioningCommand({ Bucket: o.sourceBucket }));
    if (srcVersioning.Status !== "Enabled")
      throw new Error(
        `replication needs versioning on the source bucket ${o.sourceBucket}; it is ${srcVersioning.Status ?? "off"}`,
      );

    const rules = config.Rules.map((r, i) => ({ r, i }))
      .filter(({ r }) => r.Status === "Enabled")
      // An object matching several rules follows the one with the highest Priority number (S3 V2 rules).
      .sort((a, b) => (b.r.Priority ?? 0) - (a.r.Priority ?? 0) || a.i - b.i)
      .map(({ r, i }) => {
        const arn = r.Destination?.Bucket ?? "";
        return {
          id: ruleId(r, i),
          prefix: rulePrefix(r),
          destinationBucket: arn.replace(/^arn:aws[\w-]*:s3:::/, ""),
          account: r.Destination?.Account ?? o.sourceAccountId,
          deleteMarkers: r.DeleteMarkerReplication?.Status === "Enabled",
        };
      });
    const copied: ReplicationCopy[] = [];
    const already: string[] = [];
    const deleted: string[] = [];
    const handled = new Set<string>();
    for (const rule of rules) {
      const dst = await destClient(rule.account);
      const dv = await dst.send(new GetBucketVersioningCommand({ Bucket: rule.destinationBucket }));
      if (dv.Status !== "Enabled")
        throw new Error(
          `replication needs versioning on the destination bucket ${rule.destinationBucket}; it is ${dv.Status ?? "off"}`,
        );
      let keyMarker: string | undefined;
      let versionMarker: string | undefined;
      do {
        const page = await src.send(
          new ListObjectVersionsCommand({
            Bucket: o.sourceBucket,
            Prefix: rule.prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
          }),
        );
        for (const v of page.Versions ?? []) {
          if (!v.IsLatest || !v.Key || handled.has(v.Key)) continue;
          handled.add(v.Key);
          const head = await dst
            .send(new HeadObjectCommand({ Bucket: rule.destinationBucket, Key: v.Key }))
            .catch(() => undefined);
          if (head?.ETag && head.ETag === v.ETag) {
            already.push(v.Key);
            continue;
          }
          const obj = await src.send(
            new GetObjectCommand({ Bucket: o.sourceBucket, Key: v.Key, VersionId: v.VersionId }),
          );
          const body = await obj.Body!.transformToByteArray();
          const tags = await src.send(
            new GetObjectTaggingCommand({ Bucket: o.sourceBucket, Key: v.Key, VersionId: v.VersionId }),
          );
          const tagging = (tags.TagSet ?? [])
            .map((t) => `${encodeURIComponent(t.Key!)}=${encodeURIComponent(t.Value!)}`)
            .join("&");
          const put = await dst.send(
            new PutObjectCommand({
              Bucket: rule.destinationBucket,
              Key: v.Key,
              Body: body,
              ContentType: obj.ContentType,
              Metadata: obj.Metadata,
              ...(tagging ? { Tagging: tagging } : {}),
            }),
          );
          copied.push({
            rule: rule.id,
            sourceKey: v.Key,
            destinationBucket: rule.destinationBucket,
            etag: put.ETag ?? "",
            bytes: body.length,
          });
        }
        for (const m of page.DeleteMarkers ?? []) {
          if (!m.IsLatest || !m.Key || handled.has(m.Key) || !rule.deleteMarkers) continue;
          handled.add(m.Key);
          await dst.send(new DeleteObjectCommand({ Bucket: rule.destinationBucket, Key: m.Key }));
          deleted.push(m.Key);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker);
    }
    return {
      sourceBucket: o.sourceBucket,
      role: config.Role ?? "",
      rules: rules.map(({ id, prefix, destinationBucket }) => ({ id, prefix, destinationBucket })),
      copied,
      alreadyReplicated: already,
      deleted,
    };
  } finally {
    src.destroy();
    for (const c of destClients.values()) c.destroy();
  }
}

/** Lines for the harness output, each saying it is emulation. */
export function formatReplicationReport(r: ReplicationReport): string[] {
  return [
    `emulated: S3 replication of ${r.sourceBucket} (role ${r.role}; ${r.rules.length} rule(s) read with GetBucketReplication)`,
    ...r.copied.map(
      (c) =>
        `emulated:   copied ${c.sourceKey} → s3://${c.destinationBucket} (${c.bytes} bytes, ${c.etag}) [${c.rule}]`,
    ),
    ...(r.alreadyReplicated.length
      ? [`emulated:   ${r.alreadyReplicated.length} object(s) already replicated`]
      : []),
    ...r.deleted.map((k) => `emulated:   replicated delete marker of ${k}`),
  ];
}
