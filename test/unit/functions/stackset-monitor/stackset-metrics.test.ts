import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { StackInstanceSummary, StackSetOperationSummary } from "@aws-sdk/client-cloudformation";
import { STACKSET_METRICS } from "../../../../contracts/metrics";
import {
  aggregate,
  metricData,
  missingHeartbeats,
  stackSetStats,
} from "../../../../functions/stackset-monitor/metrics";

const ISO = /^\d{4}-\d{2}-\d{2}T/;
const recorded = JSON.parse(
  readFileSync(path.join(__dirname, "../../../fixtures/monitoring/cloudformation-responses.json"), "utf8"),
  (_k, v) => (typeof v === "string" && ISO.test(v) ? new Date(v) : v),
);
const NAME = "finops-monitoring-baseline";
const observation = {
  stackSet: recorded.ListStackSets.Summaries[0],
  operations: recorded.ListStackSetOperations[NAME].Summaries as StackSetOperationSummary[],
  instances: recorded.ListStackInstances[NAME].Summaries as StackInstanceSummary[],
};
const NOW = new Date("2026-03-02T12:00:00Z");
const LAST_2H = new Date(NOW.getTime() - 2 * 3600_000);

describe("StackSet monitor metric computation on recorded CloudFormation responses", () => {
  it("counts the window's operations by status and leaves older ones out", () => {
    const s = stackSetStats(observation, LAST_2H);
    expect(s.operationsByStatus).toEqual({ RUNNING: 1, FAILED: 1, SUCCEEDED: 2 });
  });

  it("computes the success rate over finished operations only (running ones do not count)", () => {
    expect(stackSetStats(observation, LAST_2H).successRatePercent).toBeCloseTo((100 * 2) / 3, 6);
  });

  it("has no success rate when nothing finished in the window (no data, not 100 %)", () => {
    const s = stackSetStats(observation, new Date("2026-03-02T11:40:00Z"));
    expect(s.operationsByStatus).toEqual({ RUNNING: 1 });
    expect(s.successRatePercent).toBeUndefined();
  });

  it("measures durations of finished operations in seconds", () => {
    expect(stackSetStats(observation, LAST_2H).durationsSeconds).toEqual([750, 300, 60]);
  });

  it("counts stack instances by status and names the unhealthy ones", () => {
    const s = stackSetStats(observation, LAST_2H);
    expect(s.instancesByStatus).toEqual({ CURRENT: 2, OUTDATED: 1 });
    expect(s.unhealthyInstances).toEqual([
      "210000000002/us-east-1: OUTDATED (ResourceLogicalId:ForwarderRole, ResourceType:AWS::IAM::Role, ResourceStatusReason:finops-baseline-forwarder already exists.)",
    ]);
  });

  it("aggregates stack sets: the rate is over all finished operations, not an average of rates", () => {
    const a = stackSetStats(observation, LAST_2H); // 2 of 3
    const b = { ...a, stackSetName: "b", operationsByStatus: { SUCCEEDED: 1 }, successRatePercent: 100 };
    expect(aggregate([a, b]).successRatePercent).toBe(75);
  });

  it("publishes per stack set and in total, with zero counts for finished statuses that did not occur", () => {
    const data = metricData([stackSetStats(observation, LAST_2H)], ["210000000003"], NOW);
    const find = (name: string, dims: Record<string, string>) =>
      data.filter(
        (d) =>
          d.MetricName === name &&
          JSON.stringify(Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name, x.Value]))) ===
            JSON.stringify(dims),
      );
    expect(find(STACKSET_METRICS.operations, { StackSetName: NAME, Status: "STOPPED" })[0]?.Value).toBe(0);
    expect(find(STACKSET_METRICS.operations, { Status: "FAILED" })[0]?.Value).toBe(1);
    expect(find(STACKSET_METRICS.successRate, {})[0]).toMatchObject({ Unit: "Percent" });
    expect(find(STACKSET_METRICS.operationDuration, { StackSetName: NAME })[0]?.Values).toEqual([
      750, 300, 60,
    ]);
    expect(find(STACKSET_METRICS.stackInstances, { Status: "OUTDATED" })[0]?.Value).toBe(1);
    expect(find(STACKSET_METRICS.missingHeartbeats, {})[0]?.Value).toBe(1);
  });

  it("reports accounts whose last heartbeat is older than the limit", () => {
    const series = [
      { account: "210000000001", timestamps: [new Date("2026-03-02T11:50:00Z")] },
      { account: "210000000002", timestamps: [new Date("2026-03-02T10:00:00Z")] },
      { account: "210000000003", timestamps: [] },
    ];
    expect(missingHeartbeats(series, NOW, 1800)).toEqual(["210000000002", "210000000003"]);
  });
});
