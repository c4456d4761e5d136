import type * as Observability from "../../../../functions/shared/observability";
import { captureStdout, coldStart } from "../../../support/emf";

/** The wrapper every handler uses: context in the logs, metrics flushed at the end of each invocation. */
const { lambdaHandler, logger, metrics, MetricUnit } = coldStart<typeof Observability>(
  require.resolve("../../../../functions/shared/observability"),
  { POWERTOOLS_SERVICE_NAME: "probe" },
);

describe("lambdaHandler", () => {
  it("flushes the invocation's metrics even when the handler throws, and rethrows", async () => {
    const handler = lambdaHandler(async (_event: unknown) => {
      metrics.addMetric("Probes", MetricUnit.Count, 1);
      throw new Error("boom");
    });
    const out = await captureStdout(() => handler({}).catch((e: Error) => e.message));
    expect(out.result).toBe("boom");
    expect(out.emf).toHaveLength(1);
    expect(out.emf[0]).toMatchObject({ service: "probe", Probes: 1 });
    expect(out.emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe("FinOpsLanding");
  });

  it("writes nothing and warns of nothing when the invocation stored no metric, and drops its dimensions", async () => {
    const quiet = lambdaHandler(async () => {
      metrics.addDimension("route", "GET /x");
      return "ok";
    });
    const counted = lambdaHandler(async () => {
      metrics.addMetric("Probes", MetricUnit.Count, 2);
    });
    const out = await captureStdout(async () => {
      await quiet();
      await counted();
    });
    expect(out.errorLines).toEqual([]);
    expect(out.emf).toHaveLength(1);
    expect(out.emf[0]).not.toHaveProperty("route");
    expect(out.emf[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([["service"]]);
  });

  it("adds the Lambda context to the log lines when Lambda passes one", async () => {
    const handler = lambdaHandler(async (_event: unknown, _context?: unknown) => logger.info("hello"));
    const out = await captureStdout(() =>
      handler({}, {
        functionName: "finops-probe",
        awsRequestId: "r-1",
        invokedFunctionArn: "arn:aws:lambda:us-east-1:222222222222:function:finops-probe",
        memoryLimitInMB: "128",
        functionVersion: "$LATEST",
      } as never),
    );
    expect(out.lines).toEqual([
      expect.objectContaining({
        message: "hello",
        service: "probe",
        function_name: "finops-probe",
        function_request_id: "r-1",
      }),
    ]);
  });
});
