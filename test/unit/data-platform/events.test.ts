import { parseAccountSyncEvent, triggerOf } from "../../../functions/account-sync/events";
import { parseIngestEvent } from "../../../functions/cur-ingest/events";

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

describe("account-sync events", () => {
  it("accepts the schedule, CreateAccountResult and a manual run", () => {
    expect(triggerOf(parseAccountSyncEvent({ source: "aws.events", "detail-type": "Scheduled Event" }))).toBe(
      "schedule",
    );
    expect(
      triggerOf(
        parseAccountSyncEvent({
          source: "aws.organizations",
          "detail-type": "AWS Service Event via CloudTrail",
          detail: {
            eventName: "CreateAccountResult",
            serviceEventDetails: { createAccountStatus: { accountId: "666666666666", state: "SUCCEEDED" } },
          },
        }),
      ),
    ).toBe("account-created 666666666666 (SUCCEEDED)");
    expect(triggerOf(parseAccountSyncEvent({ trigger: "manual" }))).toBe("manual");
  });

  it.each([
    {},
    {
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName: "CreateAccount" },
    },
  ])("refuses %j, saying which events it handles", (event) => {
    expect(() => parseAccountSyncEvent(event)).toThrow(/runs on its schedule/);
  });
});
