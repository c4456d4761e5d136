import {
  type RolloutEvent,
  type RolloutPolicy,
  type RolloutResult,
  type RolloutStack,
  type RolloutUnit,
  runRollout,
} from "../../../deploy/waves";

/** A fake organization and a fake runner for the wave scheduler's tests (waves*.test.ts). */

// A fake organization ----------------------------------------------------------------------------

export const admin: RolloutStack = {
  stack: "admin",
  kind: "admin",
  accountId: "222222222222",
  accountName: "cloudops",
  regions: ["us-east-1"],
  dependsOn: [],
};
export const payer: RolloutStack = {
  stack: "payer",
  kind: "payer",
  accountId: "111111111111",
  accountName: "payer",
  regions: ["us-east-1"],
  dependsOn: ["admin"],
};

export function member(
  name: string,
  regions: string[] = ["us-east-1"],
  dependsOn: string[] = [],
): RolloutStack {
  return {
    stack: `member-${name}`,
    kind: "member",
    accountId: String(300000000000 + name.length * 1000 + name.charCodeAt(0)),
    accountName: name,
    regions,
    dependsOn,
  };
}

export function members(n: number): RolloutStack[] {
  return Array.from({ length: n }, (_, i) => member(`m${i + 1}`));
}

// A fake runner whose applies finish only when the test says so -------------------------------

export type Outcome = boolean | "throw";

/**
 * Runs a rollout against controlled promises: each runner call waits until the driver settles it.
 * The driver lets the scheduler react (one macrotask turn, no timers), then settles the earliest
 * started apply still running (or the one `pick` chooses), with the scripted outcome (ok by
 * default) and a fake clock that advances 1000 ms per settle.
 */
export async function rollout(
  stacks: readonly RolloutStack[],
  policy: RolloutPolicy,
  script: Record<string, Outcome> = {},
  pick: (running: readonly string[]) => string = (running) => running[0],
): Promise<{ result: RolloutResult; events: RolloutEvent[]; maxRunning: number; calls: string[] }> {
  const running = new Map<string, () => void>();
  const events: RolloutEvent[] = [];
  const calls: string[] = [];
  let maxRunning = 0;
  let clock = 0;
  const runner = (unit: RolloutUnit) =>
    new Promise<{ ok: boolean; detail?: string }>((resolve, reject) => {
      calls.push(unit.stack);
      running.set(unit.stack, () => {
        const outcome = script[unit.stack] ?? true;
        if (outcome === "throw") reject(new Error(`terraform crashed in ${unit.stack}`));
        else resolve(outcome ? { ok: true } : { ok: false, detail: `apply failed in ${unit.stack}` });
      });
      maxRunning = Math.max(maxRunning, running.size);
    });
  let done = false;
  const promise = runRollout(stacks, {
    policy,
    runner,
    onEvent: (e) => events.push(e),
    now: () => clock,
  }).finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (done) break;
    if (running.size === 0) throw new Error("rollout stalled: nothing running and not finished");
    const name = pick([...running.keys()]);
    const settle = running.get(name)!;
    running.delete(name);
    clock += 1000;
    settle();
  }
  return { result: await promise, events, maxRunning, calls };
}
