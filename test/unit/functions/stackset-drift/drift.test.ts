import {
  CloudFormationClient,
  type StackInstanceSummary,
  type StackSetOperationSummary,
} from "@aws-sdk/client-cloudformation";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { STACKSET_DRIFT_DETAIL_TYPE, STACKSET_DRIFT_SOURCE } from "../../../../contracts/stackset-drift";
import {
  detectionFailed,
  driftEvent,
  shouldStartDetection,
  summarizeDrift,
} from "../../../../functions/stackset-drift/drift";
import { runDriftDetection } from "../../../../functions/stackset-drift/run";

/**
 * Shapes from the CloudFormation API reference: StackInstanceSummary (DriftStatus DRIFTED | IN_SYNC |
 * UNKNOWN | NOT_CHECKED, LastDriftCheckTimestamp), StackSetOperationSummary (Action DETECT_DRIFT,
 * Status RUNNING | SUCCEEDED | FAILED | STOPPING | STOPPED | QUEUED), DetectStackSetDrift (returns
 * OperationId; one drift detection per stack set at a time).
 */
const t = (iso: string) => new Date(iso);
const instance = (
  Account: string,
  Region: string,
  DriftStatus?: string,
  checked?: string,
): StackInstanceSummary => ({
  Account,
  Region,
  StackSetId: "finops-baseline:1",
  Status: "CURRENT",
  ...(DriftStatus ? { DriftStatus: DriftStatus as StackInstanceSummary["DriftStatus"] } : {}),
  ...(checked ? { LastDriftCheckTimestamp: t(checked) } : {}),
});
const op = (OperationId: string, Action: string, Status: string, created: string, ended?: string) =>
  ({
    OperationId,
    Action,
    Status,
    CreationTimestamp: t(created),
    ...(ended ? { EndTimestamp: t(ended) } : {}),
  }) as StackSetOperationSummary;

describe("StackSet drift: pure logic", () => {
  it("reports the drifted instances by account and region, and the last ended detection", () => {
    const detail = summarizeDrift(
      "finops-baseline",
      [
        instance("333333333333", "us-east-1", "IN_SYNC", "2026-12-01T10:00:00Z"),
        instance("444444444444", "eu-west-1", "DRIFTED", "2026-12-01T10:01:00Z"),
        instance("444444444444", "us-east-1", "DRIFTED", "2026-12-01T10:00:30Z"),
      ],
      [
        op("op-update", "UPDATE", "SUCCEEDED", "2026-12-01T11:00:00Z", "2026-12-01T11:05:00Z"),
        op("op-drift-1", "DETECT_DRIFT", "SUCCEEDED", "2026-12-01T09:59:00Z", "2026-12-01T10:02:00Z"),
        op("op-drift-0", "DETECT_DRIFT", "SUCCEEDED", "2026-11-30T09:59:00Z", "2026-11-30T10:02:00Z"),
      ],
    );
    expect(detail).toEqual({
      stackSetName: "finops-baseline",
      driftStatus: "DRIFTED",
      counts: { DRIFTED: 2, IN_SYNC: 1, UNKNOWN: 0, NOT_CHECKED: 0 },
      drifted: [
        { account: "444444444444", region: "eu-west-1" },
        { account: "444444444444", region: "us-east-1" },
      ],
      lastDriftCheck: "2026-12-01T10:01:00.000Z",
      lastOperation: { id: "op-drift-1", status: "SUCCEEDED", endedAt: "2026-12-01T10:02:00.000Z" },
    });
    expect(detectionFailed(detail)).toBe(0);
  });

  it("is IN_SYNC only when every instance was checked in sync; never-checked instances are NOT_CHECKED", () => {
    expect(summarizeDrift("s", [instance("1", "us-east-1", "IN_SYNC")], []).driftStatus).toBe("IN_SYNC");
    const partly = summarizeDrift(
      "s",
      [instance("1", "us-east-1", "IN_SYNC"), instance("2", "us-east-1")],
      [],
    );
    expect(partly.driftStatus).toBe("NOT_CHECKED");
    expect(partly.counts).toEqual({ DRIFTED: 0, IN_SYNC: 1, UNKNOWN: 0, NOT_CHECKED: 1 });
    expect(summarizeDrift("s", [], []).driftStatus).toBe("NOT_CHECKED");
  });

  it("starts a detection unless one is queued, running or stopping (one at a time per stack set)", () => {
    expect(shouldStartDetection([])).toBe(true);
    expect(shouldStartDetection([op("a", "DETECT_DRIFT", "SUCCEEDED", "2026-12-01T00:00:00Z")])).toBe(true);
    expect(shouldStartDetection([op("u", "UPDATE", "RUNNING", "2026-12-01T00:00:00Z")])).toBe(true);
    for (const status of ["RUNNING", "QUEUED", "STOPPING"])
      expect(shouldStartDetection([op("a", "DETECT_DRIFT", status, "2026-12-01T00:00:00Z")])).toBe(false);
  });

  it("flags a failed or stopped last detection (its results are incomplete)", () => {
    for (const [status, flag] of [
      ["FAILED", 1],
      ["STOPPED", 1],
      ["SUCCEEDED", 0],
    ] as const) {
      const d = summarizeDrift("s", [], [op("a", "DETECT_DRIFT", status, "2026-12-01T00:00:00Z")]);
      expect(detectionFailed(d)).toBe(flag);
    }
    // A running detection is not the last ended one: the earlier failure still counts.
    const d = summarizeDrift(
      "s",
      [],
      [
        op("b", "DETECT_DRIFT", "RUNNING", "2026-12-02T00:00:00Z"),
        op("a", "DETECT_DRIFT", "FAILED", "2026-12-01T00:00:00Z"),
      ],
    );
    expect(d.lastOperation?.id).toBe("a");
    expect(detectionFailed(d)).toBe(1);
  });

  it("builds the central bus event", () => {
    const detail = summarizeDrift("s", [], []);
    expect(driftEvent(detail, "arn:aws:events:us-east-1:222222222222:event-bus/finops-central")).toEqual({
      Source: STACKSET_DRIFT_SOURCE,
      DetailType: STACKSET_DRIFT_DETAIL_TYPE,
      EventBusName: "arn:aws:events:us-east-1:222222222222:event-bus/finops-central",
      Detail: JSON.stringify(detail),
    });
  });
});

/**
 * The adapter against a scripted client: moto 5.2.1 implements no DetectStackSetDrift (and runs no
 * drift detection), so this fake stands in for CloudFormation and EventBridge and records the calls.
 */
function fakeClients(operations: StackSetOperationSummary[], instances: StackInstanceSummary[]) {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const answer = (name: string): unknown => {
    switch (name) {
      case "ListStackSetsCommand":
        return { Summaries: [{ StackSetName: "finops-baseline" }, { StackSetName: "someone-elses" }] };
      case "ListStackSetOperationsCommand":
        return { Summaries: operations };
      case "ListStackInstancesCommand":
        return { Summaries: instances };
      case "DetectStackSetDriftCommand":
        return { OperationId: "op-new" };
      case "PutEventsCommand":
        return { FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] };
      default:
        throw new Error(`unexpected ${name}`);
    }
  };
  const send = async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
    calls.push({ name: cmd.constructor.name, input: cmd.input });
    return answer(cmd.constructor.name);
  };
  // Real client instances (the SDK's paginators require them) whose send is the script.
  const cfn = new CloudFormationClient({ region: "us-east-1" });
  const events = new EventBridgeClient({ region: "us-east-1" });
  Object.assign(cfn, { send });
  Object.assign(events, { send });
  return { calls, deps: { cfn, events } };
}

describe("StackSet drift: the adapter", () => {
  const bus = "arn:aws:events:us-east-1:222222222222:event-bus/finops-central";

  it("reports the landing's stack set, puts the result on the central bus and starts the next detection", async () => {
    const { calls, deps } = fakeClients(
      [op("op-1", "DETECT_DRIFT", "SUCCEEDED", "2026-12-01T00:00:00Z", "2026-12-01T00:03:00Z")],
      [instance("444444444444", "us-east-1", "DRIFTED", "2026-12-01T00:02:00Z")],
    );
    const [detail, ...rest] = await runDriftDetection(deps, {
      stackSetPrefix: "finops-baseline",
      callAs: "DELEGATED_ADMIN",
      eventBusArn: bus,
    });
    expect(rest).toEqual([]);
    expect(detail).toMatchObject({ driftStatus: "DRIFTED", startedOperationId: "op-new" });
    const detect = calls.find((c) => c.name === "DetectStackSetDriftCommand")!;
    expect(detect.input).toEqual({ StackSetName: "finops-baseline", CallAs: "DELEGATED_ADMIN" });
    const put = calls.find((c) => c.name === "PutEventsCommand")!;
    expect(put.input).toEqual({ Entries: [driftEvent(detail!, bus)] });
    // Every CloudFormation call names the caller's role: the delegated admin.
    for (const c of calls.filter((x) => x.name !== "PutEventsCommand"))
      expect(c.input.CallAs).toBe("DELEGATED_ADMIN");
    expect(calls.filter((c) => c.input.StackSetName === "someone-elses")).toEqual([]);
  });

  it("does not start a detection while one runs, and still reports the last ended one", async () => {
    const { calls, deps } = fakeClients(
      [op("op-2", "DETECT_DRIFT", "RUNNING", "2026-12-02T00:00:00Z")],
      [instance("444444444444", "us-east-1", "IN_SYNC", "2026-12-01T00:02:00Z")],
    );
    const [detail] = await runDriftDetection(deps, {
      stackSetPrefix: "finops-baseline",
      callAs: "DELEGATED_ADMIN",
      eventBusArn: bus,
    });
    expect(calls.map((c) => c.name)).not.toContain("DetectStackSetDriftCommand");
    expect(detail).toMatchObject({ driftStatus: "IN_SYNC" });
    expect(detail!.startedOperationId).toBeUndefined();
  });
});
