/**
 * The delivery's objects in S3: the manifest's text, its data files (waiting a bounded time for
 * files replication has not brought yet), and whether a newer create-new execution exists.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  type S3Client,
} from "@aws-sdk/client-s3";
import { sleep as realSleep } from "../shared/backoff";
import { CurDeliveryError } from "../shared/cur-delivery-error";
import { type ManifestLocation, parseManifestKey } from "../shared/cur-manifest";

/** What waiting for a data file needs (a subset of the ingest's dependencies). */
export interface ObjectWait {
  readonly s3: S3Client;
  /** @default 120 */
  readonly dataWaitSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The manifest key of the newest execution of a create-new period when it is newer than `location`'s
 * (by the folder's timestamp, then its name), else undefined. Lists the period's metadata folder:
 * every execution's manifest lies one folder below it ("Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html).
 */
export async function newerExecutionManifest(
  s3: S3Client,
  bucket: string,
  location: ManifestLocation,
): Promise<string | undefined> {
  const mine = location.execution;
  if (!mine) return undefined;
  let newest: { key: string; time: number; folder: string } | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: location.periodMetadataFolder,
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key?.endsWith(`/${location.exportName}-Manifest.json`)) continue;
      let other: ManifestLocation;
      try {
        other = parseManifestKey(o.Key, location.s3Prefix, location.exportName);
      } catch {
        continue; // not a manifest of this export's layout: ignore
      }
      const e = other.execution;
      if (!e || other.billingPeriod !== location.billingPeriod) continue;
      const later = e.time > mine.time || (e.time === mine.time && e.folder > mine.folder);
      if (later && (!newest || e.time > newest.time || (e.time === newest.time && e.folder > newest.folder)))
        newest = { key: o.Key, time: e.time, folder: e.folder };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return newest?.key;
}

export async function getText(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ text: string; etag: string }> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await out.Body?.transformToString("utf-8")) ?? "";
    if (text.trim() === "")
      throw new CurDeliveryError("manifest", `s3://${bucket}/${key} is empty; re-deliver the month`);
    return { text, etag: out.ETag ?? "" };
  } catch (e) {
    if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey")
      throw new CurDeliveryError(
        "key",
        `s3://${bucket}/${key} does not exist (deleted after the notification?)`,
      );
    throw e;
  }
}

/** HeadObject with a bounded wait: replication may deliver the manifest before its data files. */
export async function waitForObject(deps: ObjectWait, bucket: string, key: string): Promise<string> {
  const deadline = Date.now() + (deps.dataWaitSeconds ?? 120) * 1000;
  const sleep = deps.sleep ?? realSleep;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (!head.ContentLength)
        throw new CurDeliveryError(
          `s3://${bucket}/${key}`,
          "the data file is empty (0 bytes); the export was interrupted: re-deliver the month, then re-run the ingest",
        );
      return head.ETag ?? "";
    } catch (e) {
      const missing =
        e instanceof NotFound || e instanceof NoSuchKey || (e as { name?: string }).name === "NotFound";
      if (!missing) throw e;
      if (Date.now() + delay > deadline)
        throw new CurDeliveryError(
          `s3://${bucket}/${key}`,
          `the manifest lists this data file but it is not there after waiting ${deps.dataWaitSeconds ?? 120} s; check the delivery (and replication), then re-run the ingest`,
        );
      await sleep(delay);
    }
  }
}
