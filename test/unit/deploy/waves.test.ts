import { planRollout, type RolloutResult, resolveRolloutLimits, runRollout } from "../../../deploy/waves";
import { admin, member, members, payer, rollout } from "./waves-fixtures";

function statuses(result: RolloutResult): Record<string, string> {
  return Object.fromEntries(result.outcomes.map((o) => [o.unit.stack, o.status]));
}

// Limits -----------------------------------------------------------------------------------------

describe("resolveRolloutLimits", () => {
  it("defaults to one account at a time and no tolerated failure, as StackSets", () => {
    expect(resolveRolloutLimits({}, 10)).toMatchObject({ maxConcurrent: 1, failureTolerance: 0 });
  });

  it.each([
    [25, 10, 2],
    [33, 10, 3],
    [50, 3, 1],
    [10, 3, 1],
    [100, 7, 7],
  ])("takes %i%% of %i members as %i concurrent accounts (rounded down, at least 1)", (pct, n, expected) => {
    const limits = resolveRolloutLimits(
      { maxConcurrentPercentage: pct, failureToleranceCount: 100, concurrencyMode: "SOFT_FAILURE_TOLERANCE" },
      n,
    );
    expect(limits.maxConcurrent).toBe(expected);
  });

  it.each([
    [10, 10, 1],
    [19, 10, 1],
    [20, 10, 2],
    [30, 3, 0],
  ])("takes a failure tolerance of %i%% of %i members as %i (rounded down)", (pct, n, expected) => {
    expect(resolveRolloutLimits({ failureTolerancePercentage: pct }, n).failureTolerance).toBe(expected);
  });

  it("caps concurrency at tolerance + 1 in strict mode and says so", () => {
    expect(
      resolveRolloutLimits(
        { maxConcurrentCount: 5, failureToleranceCount: 1, concurrencyMode: "STRICT_FAILURE_TOLERANCE" },
        10,
      ),
    ).toMatchObject({ configuredMaxConcurrent: 5, maxConcurrent: 2, capped: true });
  });

  it("keeps the configured concurrency in soft mode whatever the tolerance", () => {
    expect(
      resolveRolloutLimits(
        { maxConcurrentCount: 5, failureToleranceCount: 0, concurrencyMode: "SOFT_FAILURE_TOLERANCE" },
        10,
      ),
    ).toMatchObject({ maxConcurrent: 5, capped: false });
  });
});

// Waves and order --------------------------------------------------------------------------------

describe("planRollout", () => {
  it("runs admin, then payer, then the members, whatever the input order", () => {
    const plan = planRollout([member("a"), payer, admin]);
    expect(plan.platform.map((u) => [u.stack, u.wave])).toEqual([
      ["admin", 1],
      ["payer", 2],
    ]);
    expect(plan.members.map((u) => [u.stack, u.wave])).toEqual([["member-a", 3]]);
  });

  it("starts members whose primary region comes first in regionOrder first, then the rest in config order", () => {
    const plan = planRollout(
      [
        member("use1", ["us-east-1"]),
        member("apse2", ["ap-southeast-2"]),
        member("euw1", ["eu-west-1", "us-east-1"]),
        member("use1b", ["us-east-1", "eu-west-1"]),
        member("sae1", ["sa-east-1"]),
      ],
      { regionOrder: ["eu-west-1", "us-east-1"] },
    );
    expect(plan.members.map((u) => u.stack)).toEqual([
      "member-euw1",
      "member-use1",
      "member-use1b",
      "member-apse2",
      "member-sae1",
    ]);
  });

  it("keeps config order when no regionOrder is set", () => {
    const plan = planRollout([member("b", ["eu-west-1"]), member("a", ["us-east-1"])]);
    expect(plan.members.map((u) => u.stack)).toEqual(["member-b", "member-a"]);
  });

  it("refuses a dependsOn naming a stack that is not in the rollout", () => {
    expect(() => planRollout([admin, member("a", ["us-east-1"], ["member-ghost"])])).toThrow(
      'stack "member-a" depends on "member-ghost", which is not in the rollout; stacks are: admin, member-a',
    );
  });

  it("refuses circular dependsOn", () => {
    expect(() =>
      planRollout([member("a", ["us-east-1"], ["member-b"]), member("b", ["us-east-1"], ["member-a"])]),
    ).toThrow("dependsOn forms a cycle: member-a → member-b → member-a");
  });

  it("refuses an admin or payer stack that depends on a member", () => {
    expect(() => planRollout([{ ...admin, dependsOn: ["member-a"] }, member("a")])).toThrow(
      'admin stack "admin" depends on member "member-a"',
    );
  });
});

// Running ----------------------------------------------------------------------------------------

describe("runRollout concurrency", () => {
  it("never runs more members at once than maxConcurrentCount", async () => {
    const { result, maxRunning } = await rollout([admin, payer, ...members(10)], {
      maxConcurrentCount: 3,
      failureToleranceCount: 10,
      concurrencyMode: "SOFT_FAILURE_TOLERANCE",
    });
    expect(maxRunning).toBe(3);
    expect(result.peakConcurrency).toBe(3);
    expect(result.succeeded).toBe(12);
    expect(result.exitCode).toBe(0);
  });

  it("runs a percentage of the members at once, rounded down", async () => {
    const { maxRunning } = await rollout(members(10), {
      maxConcurrentPercentage: 25,
      failureToleranceCount: 10,
      concurrencyMode: "SOFT_FAILURE_TOLERANCE",
    });
    expect(maxRunning).toBe(2);
  });

  it("runs admin and payer alone, one after the other, before any member", async () => {
    const { events, maxRunning } = await rollout([...members(3), payer, admin], { maxConcurrentCount: 1 });
    const started = events.filter((e) => e.type === "started").map((e) => e.unit.stack);
    expect(started).toEqual(["admin", "payer", "member-m1", "member-m2", "member-m3"]);
    expect(maxRunning).toBe(1);
  });

  it("in strict mode runs at most tolerance + 1 accounts, in soft mode the configured maximum", async () => {
    const policy = { maxConcurrentCount: 4, failureToleranceCount: 1 } as const;
    const strict = await rollout(members(8), { ...policy, concurrencyMode: "STRICT_FAILURE_TOLERANCE" });
    const soft = await rollout(members(8), { ...policy, concurrencyMode: "SOFT_FAILURE_TOLERANCE" });
    expect(strict.maxRunning).toBe(2);
    expect(soft.maxRunning).toBe(4);
  });

  it("starts the next member as soon as one finishes, in region order", async () => {
    const stacks = [member("x", ["us-east-1"]), member("y", ["eu-west-1"]), member("z", ["eu-west-1"])];
    const { result } = await rollout(stacks, {
      maxConcurrentCount: 2,
      regionOrder: ["eu-west-1"],
      failureToleranceCount: 1,
    });
    expect(result.startOrder).toEqual(["member-y", "member-z", "member-x"]);
  });
});

describe("runRollout failure tolerance", () => {
  const soft = {
    maxConcurrentCount: 3,
    failureToleranceCount: 0,
    concurrencyMode: "SOFT_FAILURE_TOLERANCE",
  } as const;

  it("once failures exceed the tolerance, lets in-flight members finish and skips the rest", async () => {
    const { result } = await rollout(members(6), soft, { "member-m1": false });
    expect(result.startOrder).toEqual(["member-m1", "member-m2", "member-m3"]);
    expect(statuses(result)).toEqual({
      "member-m1": "failed",
      "member-m2": "succeeded",
      "member-m3": "succeeded",
      "member-m4": "skipped",
      "member-m5": "skipped",
      "member-m6": "skipped",
    });
    expect(result.outcomes[3].detail).toBe("not started: failure tolerance exceeded (1 failed, tolerance 0)");
    expect(result).toMatchObject({ toleranceExceeded: true, failed: 1, skipped: 3, exitCode: 1 });
  });

  it("counts failures of members still in flight when the tolerance was exceeded", async () => {
    const { result } = await rollout(members(5), soft, { "member-m1": false, "member-m3": false });
    expect(statuses(result)).toMatchObject({ "member-m3": "failed", "member-m4": "skipped" });
    expect(result.failed).toBe(2);
  });

  it("in strict mode the same failure stops the rollout after one account", async () => {
    const { result } = await rollout(
      members(6),
      { ...soft, concurrencyMode: "STRICT_FAILURE_TOLERANCE" },
      {
        "member-m1": false,
      },
    );
    expect(result.startOrder).toEqual(["member-m1"]);
    expect(result.skipped).toBe(5);
  });

  it("in strict mode lowers concurrency by one per failure, so at most tolerance + 1 accounts fail", async () => {
    const allFail = Object.fromEntries(members(10).map((m) => [m.stack, false]));
    const policy = { maxConcurrentCount: 5, failureToleranceCount: 2 } as const;
    const strict = await rollout(
      members(10),
      { ...policy, concurrencyMode: "STRICT_FAILURE_TOLERANCE" },
      allFail,
    );
    expect(strict.maxRunning).toBe(3);
    expect(strict.result).toMatchObject({ failed: 3, skipped: 7 });
    const afterFirstFailure = strict.events.slice(strict.events.findIndex((e) => e.type === "finished"));
    for (const e of afterFirstFailure) if (e.type === "started") expect(e.running).toBeLessThanOrEqual(2);
  });

  it("in soft mode keeps the configured concurrency after failures, so in-flight failures can pile up", async () => {
    const allFail = Object.fromEntries(members(10).map((m) => [m.stack, false]));
    const policy = { maxConcurrentCount: 5, failureToleranceCount: 2 } as const;
    const soft = await rollout(
      members(10),
      { ...policy, concurrencyMode: "SOFT_FAILURE_TOLERANCE" },
      allFail,
    );
    expect(soft.maxRunning).toBe(5);
    expect(soft.result.startOrder).toHaveLength(7);
    expect(soft.result).toMatchObject({ failed: 7, skipped: 3 });
  });

  it("keeps going within the tolerance and still exits non-zero", async () => {
    const { result } = await rollout(
      members(5),
      { ...soft, failureToleranceCount: 1 },
      { "member-m2": false },
    );
    expect(result.startOrder).toHaveLength(5);
    expect(result).toMatchObject({
      succeeded: 4,
      failed: 1,
      skipped: 0,
      toleranceExceeded: false,
      exitCode: 1,
    });
  });

  it("uses a failure tolerance percentage of the members", async () => {
    // 20% of 10 members = 2 tolerated failures; the third stops the rollout.
    const script = { "member-m1": false, "member-m2": false, "member-m3": false } as const;
    const { result } = await rollout(
      members(10),
      { failureTolerancePercentage: 20, maxConcurrentCount: 1 },
      script,
    );
    expect(result.startOrder).toEqual(["member-m1", "member-m2", "member-m3"]);
    expect(result.skipped).toBe(7);
  });

  it("counts a runner that throws as a failed stack with the error as detail", async () => {
    const { result } = await rollout([admin], {}, { admin: "throw" });
    expect(result.outcomes[0]).toMatchObject({ status: "failed", detail: "terraform crashed in admin" });
    expect(result.exitCode).toBe(1);
  });
});

describe("runRollout admin and payer failures", () => {
  it("stops everything after a failed admin stack", async () => {
    const { result, calls } = await rollout(
      [admin, payer, ...members(3)],
      { maxConcurrentCount: 3 },
      { admin: false },
    );
    expect(calls).toEqual(["admin"]);
    expect(statuses(result)).toEqual({
      admin: "failed",
      payer: "skipped",
      "member-m1": "skipped",
      "member-m2": "skipped",
      "member-m3": "skipped",
    });
    expect(result.outcomes[1].detail).toBe("not started: admin failed");
    expect(result).toMatchObject({ stoppedBy: "admin", exitCode: 1 });
  });

  it("starts no member after a failed payer stack", async () => {
    const { result, calls } = await rollout([admin, payer, ...members(2)], {}, { payer: false });
    expect(calls).toEqual(["admin", "payer"]);
    expect(result.skipped).toBe(2);
    expect(result.stoppedBy).toBe("payer");
  });
});

describe("runRollout dependsOn", () => {
  it("starts a member only after the member it depends on succeeded, without holding up the others", async () => {
    const stacks = [member("a"), member("b", ["us-east-1"], ["member-a"]), member("c")];
    const { result } = await rollout(stacks, { maxConcurrentCount: 2, failureToleranceCount: 1 });
    expect(result.startOrder).toEqual(["member-a", "member-c", "member-b"]);
    const a = result.outcomes.find((o) => o.unit.stack === "member-a")!;
    const b = result.outcomes.find((o) => o.unit.stack === "member-b")!;
    expect(b.startedAt!).toBeGreaterThanOrEqual(a.finishedAt!);
  });

  it("skips a member whose dependency failed, and its dependents in turn", async () => {
    const stacks = [
      member("a"),
      member("b", ["us-east-1"], ["member-a"]),
      member("c", ["us-east-1"], ["member-b"]),
      member("d"),
    ];
    const { result } = await rollout(
      stacks,
      { maxConcurrentCount: 2, failureToleranceCount: 2 },
      { "member-a": false },
    );
    expect(statuses(result)).toEqual({
      "member-a": "failed",
      "member-b": "skipped",
      "member-c": "skipped",
      "member-d": "succeeded",
    });
    expect(result.outcomes[1].detail).toBe("not started: depends on member-a, which failed");
    expect(result.outcomes[2].detail).toBe("not started: depends on member-b, which was not started");
  });
});

describe("runRollout reporting", () => {
  it("reports started and finished events with progress and durations from the injected clock", async () => {
    const { events, result } = await rollout([admin, member("a")], {});
    expect(events.map((e) => `${e.type} ${e.unit.stack}`)).toEqual([
      "started admin",
      "finished admin",
      "started member-a",
      "finished member-a",
    ]);
    const last = events[3];
    expect(last).toMatchObject({
      type: "finished",
      status: "succeeded",
      done: 2,
      total: 2,
      durationMs: 1000,
    });
    expect(result.durationMs).toBe(2000);
  });

  it("rejects instead of hanging when the progress callback throws", async () => {
    const run = runRollout(members(2), {
      runner: async () => ({ ok: true }),
      onEvent: (e) => {
        if (e.type === "finished") throw new Error("terminal gone");
      },
    });
    await expect(run).rejects.toThrow("terminal gone");
  });

  it("reports skipped stacks as events", async () => {
    const { events } = await rollout([admin, member("a")], {}, { admin: false });
    expect(events.at(-1)).toMatchObject({ type: "skipped", reason: "not started: admin failed" });
  });
});
