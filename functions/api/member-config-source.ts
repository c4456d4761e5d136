/**
 * The member config document (contracts/member-config.ts) as the API reads it: S3 GetObject of the
 * object the admin stack writes, cached per container and refreshed when older than `maxAgeMs`
 * (60 s). A refresh is a conditional GET (If-None-Match with the cached ETag): S3 answers 304 Not
 * Modified when the document is unchanged (Amazon S3 API Reference, GetObject, "If-None-Match"),
 * so an idle API reads the object's bytes once per deploy, not once a minute.
 *
 * A missing, unreadable or malformed document throws MemberConfigUnavailable naming the object and
 * the fix (deploy the admin stack): the request answers 500 and the log says why. It never turns
 * into "no budgets" or "no environments". The function may only s3:GetObject the object, so a
 * missing object is 403 AccessDenied rather than 404 NoSuchKey (GetObject, "Permissions").
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type MemberConfigMaps, memberConfigMaps, parseMemberConfig } from "../../contracts/member-config";

/** What the API asks of the member config: the current document, as maps. */
export interface MemberConfigSource {
  current(): Promise<MemberConfigMaps>;
}

/** The document could not be read or parsed: a 500, logged with this message. */
export class MemberConfigUnavailable extends Error {
  override readonly name = "MemberConfigUnavailable";
}

export interface S3MemberConfigOptions {
  readonly bucket: string;
  readonly key: string;
  /** How long a read document is used before the next conditional GET. @default 60 000 */
  readonly maxAgeMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

interface Cached {
  readonly maps: MemberConfigMaps;
  readonly etag?: string;
  /** When S3 last confirmed it (read it or answered 304). */
  readonly checkedAt: number;
}

const httpStatus = (e: unknown): number | undefined =>
  (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

export class S3MemberConfig implements MemberConfigSource {
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private cached?: Cached;
  /** The refresh under way: concurrent requests of a container share one GET. */
  private pending?: Promise<MemberConfigMaps>;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3MemberConfigOptions,
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** s3://bucket/key, as errors name it. */
  get location(): string {
    return `s3://${this.options.bucket}/${this.options.key}`;
  }

  async current(): Promise<MemberConfigMaps> {
    const cached = this.cached;
    if (cached && this.now() - cached.checkedAt < this.maxAgeMs) return cached.maps;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<MemberConfigMaps> {
    const at = this.now();
    const etag = this.cached?.etag;
    let text: string | undefined;
    let newEtag: string | undefined;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.options.key,
          ...(etag ? { IfNoneMatch: etag } : {}),
        }),
      );
      text = await out.Body?.transformToString("utf8");
      newEtag = out.ETag;
    } catch (e) {
      if (this.cached && httpStatus(e) === 304) {
        this.cached = { ...this.cached, checkedAt: at };
        return this.cached.maps;
      }
      const status = httpStatus(e);
      throw new MemberConfigUnavailable(
        `the member config ${this.location} could not be read (${(e as Error).name}${status ? ` ${status}` : ""}: ${(e as Error).message}); the admin stack writes it (a missing object is AccessDenied to this function): deploy the admin stack`,
        { cause: e },
      );
    }
    if (text === undefined)
      throw new MemberConfigUnavailable(
        `the member config ${this.location} has no body; deploy the admin stack to rewrite it`,
      );
    let maps: MemberConfigMaps;
    try {
      maps = memberConfigMaps(parseMemberConfig(text));
    } catch (e) {
      throw new MemberConfigUnavailable(`${this.location}: ${(e as Error).message}`, { cause: e });
    }
    this.cached = { maps, checkedAt: at, ...(newEtag ? { etag: newEtag } : {}) };
    return maps;
  }
}
