import type { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  CUR_COMMITTED_DETAIL_TYPE,
  CUR_COMMITTED_SOURCE,
  type CurCommittedDetail,
  EVENT_BUS_ARN_PATTERN,
} from "../../../../contracts/events";
import {
  type CommittedEventPublisher,
  type CommittedIngestResult,
  committedDetail,
  ingestAndAnnounce,
} from "../../../../functions/cur-ingest/announce";
import { EventBridgePublisher } from "../../../../functions/cur-ingest/eventbridge-publisher";
import type { IngestResult } from "../../../../functions/cur-ingest/ingest";
import { CurDeliveryError } from "../../../../functions/shared/cur-delivery-error";
import { parseCardTrigger } from "../../../../functions/spend-cards/events";

/**
 * The "CUR billing period committed" announcement: the pure orchestration with a recording
 * publisher (the port), and the EventBridge adapter with a stand-in for the SDK client's `send`
 * (a refused entry cannot be provoked on the emulator; the accepted path runs against moto in
 * test/integration/data-platform.test.ts).
 */
class RecordingPublisher implements CommittedEventPublisher {
  readonly published: CurCommittedDetail[] = [];
  constructor(private readonly fail?: Error) {}
  async publish(detail: CurCommittedDetail): Promise<void> {
    if (this.fail) throw this.fail;
    this.published.push(detail);
  }
}

const ingested: CommittedIngestResult = {
  status: "ingested",
  billingPeriod: "2026-03",
  version: "0123456789abcdef",
  previousVersion: "fedcba9876543210",
  runId: "run000000001",
  items: 420,
  lineItems: 9000,
  durationMs: 1234,
  manifestKey: "cur/finops-cur2/metadata/BILLING_PERIOD=2026-03/finops-cur2-Manifest.json",
  invoiced: true,
};

describe("ingestAndAnnounce", () => {
  it("puts exactly one event after a committed ingest, with the period, version, invoice state and run", async () => {
    const publisher = new RecordingPublisher();
    const result = await ingestAndAnnounce(async () => ingested, publisher);
    expect(result).toBe(ingested);
    expect(publisher.published).toEqual([
      {
        billingPeriod: "2026-03",
        version: "0123456789abcdef",
        invoiced: true,
        status: "ingested",
        runId: "run000000001",
        manifestKey: ingested.manifestKey,
        previousVersion: "fedcba9876543210",
      },
    ]);
  });

  it("puts none when the ingest fails, and rethrows the ingest's own error", async () => {
    const publisher = new RecordingPublisher();
    const error = new CurDeliveryError("columns", "the export lacks bill_invoice_id");
    await expect(
      ingestAndAnnounce(async () => {
        throw error;
      }, publisher),
    ).rejects.toBe(error);
    expect(publisher.published).toEqual([]);
  });

  it("announces a re-ingest of the same manifest again (unchanged): delivery is at least once", async () => {
    const publisher = new RecordingPublisher();
    const unchanged: CommittedIngestResult = {
      ...ingested,
      status: "unchanged",
      runId: "run000000002",
      lineItems: 0,
    };
    await ingestAndAnnounce(async () => ingested, publisher);
    await ingestAndAnnounce(async () => unchanged, publisher);
    expect(publisher.published.map((d) => [d.status, d.version, d.runId])).toEqual([
      ["ingested", "0123456789abcdef", "run000000001"],
      ["unchanged", "0123456789abcdef", "run000000002"],
    ]);
  });

  it("puts none for a superseded create-new execution (the newest execution announces the period)", async () => {
    const publisher = new RecordingPublisher();
    const superseded: IngestResult = { ...ingested, status: "superseded", supersededBy: "newer-execution" };
    await expect(ingestAndAnnounce(async () => superseded, publisher)).resolves.toBe(superseded);
    expect(publisher.published).toEqual([]);
  });

  it("fails the run when the event is not put, saying the period is committed and will be announced on retry", async () => {
    const publisher = new RecordingPublisher(new Error("AccessDeniedException"));
    const e = (await ingestAndAnnounce(async () => ingested, publisher).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toMatch(/billing period 2026-03 version 0123456789abcdef is committed/);
    expect(e.message).toMatch(/AccessDeniedException/);
    expect(e.message).toMatch(/retried/);
  });

  it("leaves previousVersion out when the month had none", () => {
    const { previousVersion: _p, ...first } = ingested;
    expect("previousVersion" in committedDetail(first)).toBe(false);
  });
});

describe("the detail is what spend-cards reads", () => {
  const event = (detail: CurCommittedDetail) => ({
    version: "0",
    source: CUR_COMMITTED_SOURCE,
    "detail-type": CUR_COMMITTED_DETAIL_TYPE,
    detail: JSON.parse(JSON.stringify(detail)),
  });

  it("an invoiced month gives final cards for that month and version", () => {
    expect(parseCardTrigger(event(committedDetail(ingested)))).toEqual({
      kind: "final",
      billingPeriod: "2026-03",
      version: "0123456789abcdef",
    });
  });

  it("a month not invoiced yet gives no cards", () => {
    expect(parseCardTrigger(event(committedDetail({ ...ingested, invoiced: false })))).toEqual({
      kind: "ignored",
      reason: "billing period 2026-03 is not invoiced yet",
    });
  });
});

describe("EventBridgePublisher", () => {
  const bus = "arn:aws:events:us-east-1:222222222222:event-bus/default";
  const client = (answer: object) => {
    const sent: PutEventsCommand[] = [];
    const fake = {
      send: async (command: PutEventsCommand) => {
        sent.push(command);
        return answer;
      },
    } as unknown as Pick<EventBridgeClient, "send">;
    return { fake, sent };
  };

  it("puts one entry on the configured bus with the source, detail type and JSON detail", async () => {
    const { fake, sent } = client({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    await new EventBridgePublisher(fake, bus).publish(committedDetail(ingested));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input.Entries).toEqual([
      {
        EventBusName: bus,
        Source: "finops.cur-ingest",
        DetailType: "CUR billing period committed",
        Detail: JSON.stringify(committedDetail(ingested)),
      },
    ]);
  });

  it("throws with EventBridge's error code when the entry is refused (PutEvents still answers 200)", async () => {
    const { fake } = client({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }],
    });
    await expect(new EventBridgePublisher(fake, bus).publish(committedDetail(ingested))).rejects.toThrow(
      `EventBridge refused the event on ${bus}: InternalFailure (try again)`,
    );
  });
});

describe("CUR_EVENT_BUS_ARN validation", () => {
  it.each([
    "arn:aws:events:us-east-1:222222222222:event-bus/default",
    "arn:aws:events:eu-west-1:222222222222:event-bus/finops.bus-1",
    "arn:aws-us-gov:events:us-gov-west-1:222222222222:event-bus/default",
  ])("accepts %s", (arn) => expect(arn).toMatch(EVENT_BUS_ARN_PATTERN));

  it.each([
    "default",
    "arn:aws:events:us-east-1:2222:event-bus/default",
    "arn:aws:sqs:us-east-1:222222222222:event-bus/default",
    "arn:aws:events:us-east-1:222222222222:rule/default",
    "arn:aws:events:us-east-1:222222222222:event-bus/bad name",
  ])("rejects %s", (arn) => expect(arn).not.toMatch(EVENT_BUS_ARN_PATTERN));

  const env = {
    SPEND_TABLE: "finops-spend",
    INGESTION_RUNS_TABLE: "finops-ingestion-runs",
    CUR_S3_PREFIX: "cur",
    CUR_EXPORT_NAME: "finops-cur2",
    ATHENA_WORKGROUP: "finops-cur",
    GLUE_DATABASE: "finops_cur",
    CUR_TABLE: "cur2",
    RUN_RETENTION_DAYS: "400",
    AWS_REGION: "us-east-1",
  };
  const coldStart = (extra: Record<string, string>) => {
    const saved = process.env;
    process.env = { ...saved, ...env, ...extra };
    try {
      jest.isolateModules(() => require("../../../../functions/cur-ingest/handler"));
    } finally {
      process.env = saved;
    }
  };

  it("fails cur-ingest's cold start without the bus, naming the variable", () => {
    expect(() => coldStart({})).toThrow(/CUR_EVENT_BUS_ARN/);
    expect(() => coldStart({ CUR_EVENT_BUS_ARN: "default" })).toThrow(
      /CUR_EVENT_BUS_ARN: must be an event bus ARN/,
    );
  });

  it("starts cur-ingest with a bus ARN", () => {
    expect(() =>
      coldStart({ CUR_EVENT_BUS_ARN: "arn:aws:events:us-east-1:222222222222:event-bus/default" }),
    ).not.toThrow();
  });
});
