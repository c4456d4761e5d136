import { parseIngestEvent } from "../../../../functions/cur-ingest/events";

const s3Body = (key: string) =>
  JSON.stringify({
    Records: [
      {
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        s3: { bucket: { name: "finops-cur-replica-222222222222" }, object: { key } },
      },
    ],
  });

describe("cur-ingest events", () => {
  it("turns SQS records carrying S3 notifications into manifests, decoding the URL-encoded key", () => {
    const out = parseIngestEvent({
      Records: [
        { eventSource: "aws:sqs", messageId: "m1", body: s3Body("cur/finops+cur2/a%3Db-Manifest.json") },
      ],
    });
    expect(out).toEqual([
      {
        kind: "manifest",
        messageId: "m1",
        manifests: [{ bucket: "finops-cur-replica-222222222222", key: "cur/finops cur2/a=b-Manifest.json" }],
      },
    ]);
  });

  it("recognises S3's test event and skips it", () => {
    expect(
      parseIngestEvent({
        Records: [{ eventSource: "aws:sqs", messageId: "t", body: '{"Event":"s3:TestEvent"}' }],
      }),
    ).toEqual([{ kind: "test", messageId: "t" }]);
  });

  it.each([
    [{ detail: {} }, /expects an SQS event/],
    [{ Records: [{ eventSource: "aws:sqs", messageId: "x", body: "not json" }] }, /body is not JSON/],
    [
      {
        Records: [{ eventSource: "aws:sqs", messageId: "y", body: '{"Records":[{"eventSource":"aws:s3"}]}' }],
      },
      /not an S3 ObjectCreated notification/,
    ],
  ])("refuses %j with a clear error", (event, message) => {
    expect(() => parseIngestEvent(event)).toThrow(message);
  });
});
