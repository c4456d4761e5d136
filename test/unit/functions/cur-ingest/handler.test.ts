import type * as IngestHandler from "../../../../functions/cur-ingest/handler";
import type { IngestResult, ManifestEvent } from "../../../../functions/cur-ingest/ingest";
import { captureStdout, coldStart } from "../../../support/emf";

/** The CUR ingest's entry: one EMF record per run, with the line items read and spend items written. */
const { ingestHandler } = coldStart<typeof IngestHandler>(
  require.resolve("../../../../functions/cur-ingest/handler"),
  {
    POWERTOOLS_SERVICE_NAME: "cur-ingest",
    AWS_REGION: "us-east-1",
    SPEND_TABLE: "finops-spend",
    INGESTION_RUNS_TABLE: "finops-ingestion-runs",
    CUR_S3_PREFIX: "cur",
    CUR_EXPORT_NAME: "finops-cur2",
    ATHENA_WORKGROUP: "finops-cur",
    GLUE_DATABASE: "finops_cur",
    CUR_TABLE: "cur2",
    RUN_RETENTION_DAYS: "400",
    CUR_EVENT_BUS_ARN: "arn:aws:events:us-east-1:222222222222:event-bus/default",
  },
);

const manifestKey = (period: string, execution: string) =>
  `cur/finops-cur2/metadata/BILLING_PERIOD=${period}/${execution}/finops-cur2-Manifest.json`;

function sqsEvent(messages: { id: string; keys: string[] }[]) {
  return {
    Records: messages.map((m) => ({
      eventSource: "aws:sqs",
      messageId: m.id,
      body: JSON.stringify({
        Records: m.keys.map((key) => ({
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: "finops-cur-replica-222222222222" }, object: { key } },
        })),
      }),
    })),
  };
}

function result(over: Partial<IngestResult> & Pick<IngestResult, "status" | "billingPeriod">): IngestResult {
  return {
    version: "v1",
    runId: `run-${over.billingPeriod}`,
    items: 0,
    lineItems: 0,
    durationMs: 5,
    manifestKey: manifestKey(over.billingPeriod, "e1"),
    invoiced: false,
    ...over,
  };
}

/** A run per manifest, answered from `results` by the manifest's billing period; "fail" throws. */
function runs(results: Record<string, IngestResult | "fail">) {
  const seen: ManifestEvent[] = [];
  const run = async (m: ManifestEvent): Promise<IngestResult> => {
    seen.push(m);
    const period = /BILLING_PERIOD=(\d{4}-\d{2})/.exec(m.key)![1]!;
    const r = results[period];
    if (!r || r === "fail") throw new Error(`no delivery for ${period}`);
    return r;
  };
  return { run, seen };
}

describe("the CUR ingest handler's metrics", () => {
  it("writes one EMF record per run: line items read and spend items written, with the run as metadata", async () => {
    const { run } = runs({
      "2026-03": result({
        status: "ingested",
        billingPeriod: "2026-03",
        runId: "run-a",
        items: 1200,
        lineItems: 48_000,
      }),
      "2026-02": result({ status: "unchanged", billingPeriod: "2026-02", runId: "run-b", items: 900 }),
    });
    const out = await captureStdout(() =>
      ingestHandler(run)(
        sqsEvent([
          { id: "m1", keys: [manifestKey("2026-03", "e1")] },
          { id: "m2", keys: [manifestKey("2026-02", "e7")] },
        ]),
      ),
    );
    expect(out.result).toEqual({ batchItemFailures: [] });
    expect(out.emf).toHaveLength(2);
    for (const r of out.emf)
      expect(r._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: "FinOpsLanding",
          Dimensions: [["service"]],
          Metrics: [
            { Name: "LineItemsRead", Unit: "Count" },
            { Name: "SpendItemsWritten", Unit: "Count" },
            { Name: "DeliveriesCommitted", Unit: "Count" },
            { Name: "IngestFailed", Unit: "Count" },
          ],
        },
      ]);
    const { _aws: _a, ...first } = out.emf[0]!;
    expect(first).toEqual({
      service: "cur-ingest",
      runId: "run-a",
      billingPeriod: "2026-03",
      runStatus: "ingested",
      LineItemsRead: 48_000,
      SpendItemsWritten: 1200,
      DeliveriesCommitted: 1,
      IngestFailed: 0,
    });
    // Committed already: nothing read, nothing written (its items are the earlier run's).
    expect(out.emf[1]).toMatchObject({
      runId: "run-b",
      runStatus: "unchanged",
      LineItemsRead: 0,
      SpendItemsWritten: 0,
      DeliveriesCommitted: 0,
    });
  });

  it("writes IngestFailed 1 for a failed run and returns its message for retry; the other runs still count", async () => {
    const { run, seen } = runs({
      "2026-03": result({ status: "ingested", billingPeriod: "2026-03", items: 10, lineItems: 30 }),
      "2026-02": "fail",
    });
    const out = await captureStdout(() =>
      ingestHandler(run)(
        sqsEvent([
          { id: "m1", keys: [manifestKey("2026-02", "e1")] },
          { id: "m2", keys: [manifestKey("2026-03", "e1")] },
        ]),
      ),
    );
    expect(seen.map((m) => m.key)).toEqual([manifestKey("2026-02", "e1"), manifestKey("2026-03", "e1")]);
    expect(out.result).toEqual({ batchItemFailures: [{ itemIdentifier: "m1" }] });
    // The failed run's record: IngestFailed 1 (the ingest-failed alarm's metric), nothing else.
    expect(
      out.emf.map((r) => [r.billingPeriod, r.LineItemsRead, r.SpendItemsWritten, r.IngestFailed]),
    ).toEqual([
      [undefined, undefined, undefined, 1],
      ["2026-03", 30, 10, 0],
    ]);
    expect(out.emf[0]!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "FinOpsLanding",
        Dimensions: [["service"]],
        Metrics: [{ Name: "IngestFailed", Unit: "Count" }],
      },
    ]);
    expect(out.emf[0]).toMatchObject({ service: "cur-ingest" });
    expect(out.errorLines).toEqual([
      expect.objectContaining({ level: "ERROR", message: "ingest failed", messageId: "m1" }),
    ]);
  });

  it("writes nothing for S3's test event (no run, no empty-metrics warning)", async () => {
    const { run, seen } = runs({});
    const out = await captureStdout(() =>
      ingestHandler(run)({
        Records: [{ eventSource: "aws:sqs", messageId: "t", body: '{"Event":"s3:TestEvent"}' }],
      }),
    );
    expect(seen).toEqual([]);
    expect(out.result).toEqual({ batchItemFailures: [] });
    expect(out.emf).toEqual([]);
    expect(out.errorLines).toEqual([]);
  });
});
