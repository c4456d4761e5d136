import { loadAccountConfig } from "../../../config/load";
import { Names } from "../../../config/naming";
import type { BudgetChange } from "../../../functions/api/domain";
import { ConflictError } from "../../../functions/api/repository";
import { approvalsHandler } from "../../../functions/approvals/app";
import type { ApprovalStore } from "../../../functions/approvals/workflow";
import { LocalApprovalWorkflow } from "../../../local/approval-workflow";
import { resourcesOf, type StackJson, synthConfig } from "../../support/synth";
import { fixture, type MemoryRepository } from "../functions/api/memory-repository";
import { call, fin, fin2 } from "../functions/api/route-call";

/**
 * The approval state machine the admin stack synthesizes, executed on aws-local-stepfunctions with
 * its Lambda tasks bound to the approvals function's entry (functions/approvals/app.ts), behind the
 * API's operations, over the in-memory repository (the DynamoDB run is in
 * test/integration/api.test.ts). Nothing here walks the definition by hand: the interpreter does.
 */
const config = loadAccountConfig("accounts/local.yaml");
const names = new Names(config);
const admin = synthConfig(config).stacks.admin as StackJson;
const machine = resourcesOf(admin).find(([t]) => t === "aws_sfn_state_machine")![2];
const definition = JSON.parse(machine.definition) as Record<string, unknown>;
const APPROVALS_ARN = `arn:aws:lambda:us-east-1:${config.admin.id}:function:${names.functionName("approvals")}`;
const MACHINE_ARN = `arn:aws:states:us-east-1:${config.admin.id}:stateMachine:${names.approvalStateMachine}`;

/** The approvals function's store over the memory repository (the DynamoDB store's contract). */
function approvalStore(repo: MemoryRepository): ApprovalStore {
  return {
    getBudgetChange: (id) => repo.getBudgetChange(id),
    getBudget: (id, year) => repo.getBudget(id, year),
    updateBudget: (b, v) => repo.updateBudget(b, v),
    async setChangeTaskToken(id, taskToken) {
      const c = repo.changes.get(id);
      if (c?.status !== "pending") throw new ConflictError(`change ${id} is not pending`);
      repo.changes.set(id, { ...c, taskToken });
    },
    async closeChange(id, from, fields) {
      const c = repo.changes.get(id);
      if (c?.status !== from) throw new ConflictError(`change ${id} is no longer ${from}`);
      const { taskToken: _t, ...rest } = c;
      repo.changes.set(id, { ...rest, ...fields } as BudgetChange);
    },
  };
}

function setup(def: Record<string, unknown> = definition) {
  const f = fixture();
  const workflow = new LocalApprovalWorkflow({
    definition: def,
    stateMachineArn: MACHINE_ARN,
    functions: {
      [APPROVALS_ARN]: approvalsHandler(approvalStore(f.repo), () => new Date("2026-03-11T09:00:00Z")),
    },
  });
  const deps = { ...f.deps, approvals: workflow };
  return { ...f, deps, workflow };
}

/** Submits a change of retail 2026 above the threshold; resolves once its task token is stored. */
async function submit(s: ReturnType<typeof setup>, amountUsd = 500_000) {
  const res = await call(s.deps, fin, "PATCH /budgets/{budgetId}/{year}", {
    path: { budgetId: "retail", year: "2026" },
    body: { amountUsd, reason: "new product line" },
  });
  expect(res.status).toBe(202);
  const changeId = (res.body as { change: { changeId: string } }).change.changeId;
  for (let i = 0; i < 50 && !s.repo.changes.get(changeId)?.taskToken; i++)
    await new Promise((r) => setTimeout(r, 10));
  return { changeId, execution: s.workflow.execution(changeId)! };
}

const decide = (s: ReturnType<typeof setup>, changeId: string, decision: string) =>
  call(s.deps, fin2, "POST /approvals/{changeId}/decision", { path: { changeId }, body: { decision } });

describe("the approval workflow, executed on an ASL interpreter", () => {
  let log: jest.SpyInstance;
  // The approvals function logs each step (Powertools JSON on stdout); keep the test output clean.
  beforeEach(() => {
    log = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => log.mockRestore());

  it("is the synthesized machine, with a callback task that times out after app.approvalTimeoutDays", () => {
    expect((definition.States as Record<string, Record<string, unknown>>).AwaitDecision).toMatchObject({
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      TimeoutSeconds: config.app.approvalTimeoutDays * 86_400,
      Parameters: { FunctionName: APPROVALS_ARN, Payload: { "taskToken.$": "$$.Task.Token" } },
    });
  });

  it("waits for the decision, then applies an approved change and succeeds", async () => {
    const s = setup();
    const { changeId, execution } = await submit(s);
    expect(s.repo.changes.get(changeId)).toMatchObject({
      status: "pending",
      taskToken: expect.stringMatching(/^local-task-token-/),
      executionArn: `arn:aws:states:us-east-1:${config.admin.id}:execution:${names.approvalStateMachine}:${changeId}`,
    });
    expect([execution.status, execution.states]).toEqual(["RUNNING", ["AwaitDecision"]]);
    expect((await decide(s, changeId, "approve")).status).toBe(200);
    await execution.done;
    expect([execution.status, execution.states]).toEqual([
      "SUCCEEDED",
      ["AwaitDecision", "Decision", "ApplyChange", "Approved"],
    ]);
    expect(await s.repo.getBudget("retail", 2026)).toMatchObject({ amountUsd: 500_000, version: 2 });
    const change = s.repo.changes.get(changeId)!;
    expect(change).toMatchObject({ status: "approved", appliedAt: "2026-03-11T09:00:00.000Z" });
    expect(change.taskToken).toBeUndefined();
  });

  it("ends a rejected change without applying it", async () => {
    const s = setup();
    const { changeId, execution } = await submit(s);
    expect((await decide(s, changeId, "reject")).status).toBe(200);
    await execution.done;
    expect([execution.status, execution.states]).toEqual([
      "SUCCEEDED",
      ["AwaitDecision", "Decision", "Rejected"],
    ]);
    expect(await s.repo.getBudget("retail", 2026)).toMatchObject({ amountUsd: 365_000, version: 1 });
    expect(s.repo.changes.get(changeId)?.status).toBe("rejected");
  });

  it("records a failure when the budget changed after the change was submitted", async () => {
    const s = setup();
    const { changeId, execution } = await submit(s);
    // The API refuses another change while one waits for approval; the budget still changes meanwhile
    // (here written to the store directly: version 2), and the approved change no longer applies.
    expect(
      (
        await call(s.deps, fin2, "PATCH /budgets/{budgetId}/{year}", {
          path: { budgetId: "retail", year: "2026" },
          body: { name: "Retail EU", reason: "renamed" },
        })
      ).status,
    ).toBe(409);
    const b = (await s.repo.getBudget("retail", 2026))!;
    await s.repo.updateBudget({ ...b, name: "Retail EU", version: 2 }, 1);
    expect((await decide(s, changeId, "approve")).status).toBe(200);
    await execution.done;
    expect([execution.status, execution.error?.error, execution.states]).toEqual([
      "FAILED",
      "ApprovalFailed",
      ["AwaitDecision", "Decision", "ApplyChange", "RecordFailure", "Failed"],
    ]);
    expect(s.repo.changes.get(changeId)).toMatchObject({
      status: "failed",
      failure: expect.stringContaining("BudgetChangedSinceSubmission"),
    });
    expect(await s.repo.getBudget("retail", 2026)).toMatchObject({ amountUsd: 365_000, version: 2 });
  });

  it("records the failure a SendTaskFailure reports", async () => {
    const s = setup();
    const { changeId, execution } = await submit(s);
    await s.workflow.fail(s.repo.changes.get(changeId)!.taskToken!, "Rejected.Upstream", "no");
    await execution.done;
    expect(execution.states).toEqual(["AwaitDecision", "RecordFailure", "Failed"]);
    expect(s.repo.changes.get(changeId)?.status).toBe("failed");
  });

  it("expires a change nobody decides within the callback task's timeout", async () => {
    // The synthesized machine with the shortest timeout the definition allows (60 s), on fake time.
    const States = JSON.parse(JSON.stringify(definition.States)) as Record<string, Record<string, unknown>>;
    States.AwaitDecision!.TimeoutSeconds = 60;
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    try {
      const s = setup({ ...definition, States, TimeoutSeconds: 3600 });
      const { changeId, execution } = await submit(s);
      await jest.advanceTimersByTimeAsync(61_000);
      await execution.done;
      expect([execution.status, execution.error?.error, execution.states]).toEqual([
        "FAILED",
        "ApprovalTimedOut",
        ["AwaitDecision", "RecordExpiry", "Expired"],
      ]);
      expect(s.repo.changes.get(changeId)?.status).toBe("expired");
      // The task is gone: a late decision finds no token to complete.
      await expect(
        s.workflow.complete("local-task-token-x", { decision: "approve", by: "x" }),
      ).rejects.toThrow(/no task is waiting/);
    } finally {
      jest.useRealTimers();
    }
  });

  it("refuses a timeout longer than a Node timer can wait, naming the config field", () => {
    expect(
      () =>
        new LocalApprovalWorkflow({
          definition: { ...definition, TimeoutSeconds: 90 * 86_400 + 3600 },
          stateMachineArn: MACHINE_ARN,
          functions: {},
        }),
    ).toThrow(/TimeoutSeconds is 7779600 s.*app\.approvalTimeoutDays to 24 or less/);
  });

  it("refuses a task it cannot run locally", () => {
    const States = JSON.parse(JSON.stringify(definition.States)) as Record<string, Record<string, unknown>>;
    States.ApplyChange!.Resource = "arn:aws:states:::dynamodb:putItem";
    expect(
      () =>
        new LocalApprovalWorkflow({
          definition: { ...definition, States },
          stateMachineArn: MACHINE_ARN,
          functions: {},
        }),
    ).toThrow("task ApplyChange uses arn:aws:states:::dynamodb:putItem");
  });

  it("aborts running executions on close, leaving the change pending", async () => {
    const s = setup();
    const { changeId, execution } = await submit(s);
    await s.workflow.close();
    expect(execution.status).toBe("ABORTED");
    expect(s.repo.changes.get(changeId)?.status).toBe("pending");
  });
});
