import type { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { encodeMemberConfig } from "../../../../contracts/member-config";
import { MemberConfigUnavailable, S3MemberConfig } from "../../../../functions/api/member-config-source";

/**
 * The API's member config adapter over a stand-in S3 client: S3 is the AWS boundary and cannot run
 * here (the integration test reads the real object Terraform wrote in the emulator). The stand-in
 * answers GetObject as the Amazon S3 API Reference documents it: the object's body and ETag; with
 * If-None-Match equal to the current ETag, 304 Not Modified, which SDK v3 throws as an error whose
 * $metadata.httpStatusCode is 304; without s3:ListBucket a missing key is 403 AccessDenied.
 */
class FakeS3 {
  readonly calls: Array<{ Bucket?: string; Key?: string; IfNoneMatch?: string }> = [];
  body: string | undefined = encodeMemberConfig({ "333333333333": { environment: "dev", monthlyUsd: 1500 } });
  version = 1;
  failWith?: Error;

  get etag(): string {
    return `"etag-${this.version}"`;
  }

  put(body: string): void {
    this.body = body;
    this.version += 1;
  }

  async send(command: GetObjectCommand) {
    const input = command.input;
    this.calls.push({ Bucket: input.Bucket, Key: input.Key, IfNoneMatch: input.IfNoneMatch });
    if (this.failWith) throw this.failWith;
    if (this.body === undefined)
      throw Object.assign(new Error("Access Denied"), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      });
    if (input.IfNoneMatch === this.etag)
      throw Object.assign(new Error("UnknownError"), { name: "304", $metadata: { httpStatusCode: 304 } });
    const text = this.body;
    return { ETag: this.etag, Body: { transformToString: async () => text } };
  }
}

function setup(maxAgeMs?: number) {
  const s3 = new FakeS3();
  let clock = 1_000_000;
  const source = new S3MemberConfig(s3 as unknown as S3Client, {
    bucket: "finops-app-config-222222222222",
    key: "config/members.json",
    now: () => clock,
    ...(maxAgeMs ? { maxAgeMs } : {}),
  });
  return {
    s3,
    source,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("the API's member config, read from S3", () => {
  it("reads the object once, then serves it from the container's cache for 60 s", async () => {
    const { s3, source, advance } = setup();
    const first = await source.current();
    expect(first.budgets).toEqual(new Map([["333333333333", 1500]]));
    expect(first.environments).toEqual(new Map([["333333333333", "dev"]]));
    expect(s3.calls).toEqual([{ Bucket: "finops-app-config-222222222222", Key: "config/members.json" }]);
    advance(59_999);
    expect(await source.current()).toBe(first);
    expect(s3.calls).toHaveLength(1);
  });

  it("after 60 s asks again with If-None-Match, and keeps its copy on 304 Not Modified", async () => {
    const { s3, source, advance } = setup();
    const first = await source.current();
    advance(60_000);
    expect(await source.current()).toBe(first);
    expect(s3.calls[1]).toEqual({
      Bucket: "finops-app-config-222222222222",
      Key: "config/members.json",
      IfNoneMatch: '"etag-1"',
    });
    // The 304 counts as a check: the next 60 s need no call.
    advance(59_999);
    await source.current();
    expect(s3.calls).toHaveLength(2);
  });

  it("picks up a deploy's new document at the first refresh after it", async () => {
    const { s3, source, advance } = setup();
    await source.current();
    s3.put(encodeMemberConfig({ "444444444444": { environment: "prod" } }));
    advance(30_000);
    expect((await source.current()).environments.has("444444444444")).toBe(false);
    advance(30_000);
    const next = await source.current();
    expect(next.environments).toEqual(new Map([["444444444444", "prod"]]));
    expect(next.budgets.size).toBe(0);
    expect(s3.calls.map((c) => c.IfNoneMatch)).toEqual([undefined, '"etag-1"']);
    advance(60_000);
    await source.current();
    expect(s3.calls[2]!.IfNoneMatch).toBe('"etag-2"');
  });

  it("shares one GET among concurrent requests of a container", async () => {
    const { s3, source } = setup();
    const [a, b, c] = await Promise.all([source.current(), source.current(), source.current()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(s3.calls).toHaveLength(1);
  });

  it("fails naming the object and the fix when the object is missing (403 without s3:ListBucket)", async () => {
    const { s3, source } = setup();
    s3.body = undefined;
    const failure = source.current();
    await expect(failure).rejects.toThrow(MemberConfigUnavailable);
    await expect(failure).rejects.toThrow(
      "the member config s3://finops-app-config-222222222222/config/members.json could not be read (AccessDenied 403: Access Denied)",
    );
    await expect(failure).rejects.toThrow("deploy the admin stack");
    // Not cached as "no members": the next request asks S3 again.
    s3.body = encodeMemberConfig({});
    expect((await source.current()).environments.size).toBe(0);
    expect(s3.calls).toHaveLength(2);
  });

  it("fails naming the object and the field when the document is malformed, even with a copy cached", async () => {
    const { s3, source, advance } = setup();
    await source.current();
    s3.put('{"kind":"finops-landing/member-config","version":2,"accounts":{}}');
    advance(60_000);
    await expect(source.current()).rejects.toThrow(
      "s3://finops-app-config-222222222222/config/members.json: member config: version: 2 is not a version this API reads (1)",
    );
  });

  it("fails on any other S3 error rather than serve a copy it cannot confirm", async () => {
    const { s3, source, advance } = setup();
    await source.current();
    advance(60_000);
    s3.failWith = Object.assign(new Error("Service Unavailable"), {
      name: "ServiceUnavailable",
      $metadata: { httpStatusCode: 503 },
    });
    await expect(source.current()).rejects.toThrow("(ServiceUnavailable 503: Service Unavailable)");
    s3.failWith = undefined;
    expect((await source.current()).budgets.get("333333333333")).toBe(1500);
  });

  it("honours a shorter maximum age", async () => {
    const { s3, source, advance } = setup(1_000);
    await source.current();
    advance(1_000);
    await source.current();
    expect(s3.calls).toHaveLength(2);
  });
});
