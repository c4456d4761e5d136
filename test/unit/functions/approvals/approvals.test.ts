import { approvalDefinition } from "../../../../contracts/approvals";
import {
  createStepFunctionsValidateHandler,
  validateAsl,
} from "../../../../emulator/gap-filler/stepfunctions-validate";
import type { Budget, BudgetChange } from "../../../../functions/api/domain";
import { ConflictError } from "../../../../functions/api/repository";
import { type ApprovalStore, runStep } from "../../../../functions/approvals/workflow";

const FN = "arn:aws:lambda:us-east-1:000000000000:function:finops-approvals";
const definition = approvalDefinition({ approvalsFunctionArn: FN, decisionTimeoutSeconds: 7 * 86400 });
type State = Record<string, unknown> & { Type: string };
const states = definition.States as Record<string, State>;

/**
 * Walks the definition the way Step Functions moves between states, given each task's outcome
 * (a result or an error name). Enough of ASL for this machine: Task, Choice, Succeed, Fail, Catch.
 */
function walk(outcomes: Record<string, { result?: unknown; error?: string }>): string[] {
  const path: string[] = [];
  let name = definition.StartAt as string;
  const input: Record<string, unknown> = { changeId: "change-0001" };
  for (let i = 0; i < 20; i++) {
    path.push(name);
    const s = states[name]!;
    if (s.Type === "Succeed" || s.Type === "Fail") return path;
    if (s.Type === "Choice") {
      const decision = (input.decision as { decision?: string } | undefined)?.decision;
      const hit = (s.Choices as { StringEquals: string; Next: string }[]).find(
        (c) => c.StringEquals === decision,
      );
      name = hit?.Next ?? (s.Default as string);
      continue;
    }
    const outcome = outcomes[name] ?? {};
    if (outcome.error) {
      const c = (s.Catch as { ErrorEquals: string[]; Next: string }[] | undefined)?.find(
        (x) => x.ErrorEquals.includes(outcome.error!) || x.ErrorEquals.includes("States.ALL"),
      );
      if (!c) return [...path, `uncaught ${outcome.error}`];
      name = c.Next;
      continue;
    }
    if (s.ResultPath === "$.decision") input.decision = outcome.result;
    name = s.Next as string;
  }
  throw new Error("no terminal state after 20 steps");
}

describe("the approval workflow definition", () => {
  it("passes the ASL validation the emulator's gap-filler runs", () => {
    expect(validateAsl(JSON.stringify(definition))).toEqual([]);
  });

  it("waits for the decision with the task token and a timeout", () => {
    expect(states.AwaitDecision).toMatchObject({
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      TimeoutSeconds: 604800,
      Parameters: { FunctionName: FN, Payload: { action: "await", "taskToken.$": "$$.Task.Token" } },
    });
  });

  it("applies an approved change and succeeds", () => {
    expect(walk({ AwaitDecision: { result: { decision: "approve", by: "f" } } })).toEqual([
      "AwaitDecision",
      "Decision",
      "ApplyChange",
      "Approved",
    ]);
  });

  it("ends a rejected change without applying it", () => {
    expect(walk({ AwaitDecision: { result: { decision: "reject" } } })).toEqual([
      "AwaitDecision",
      "Decision",
      "Rejected",
    ]);
  });

  it("records the expiry and fails when nobody decides in time", () => {
    expect(walk({ AwaitDecision: { error: "States.Timeout" } })).toEqual([
      "AwaitDecision",
      "RecordExpiry",
      "Expired",
    ]);
    expect(states.Expired).toMatchObject({ Type: "Fail", Error: "ApprovalTimedOut" });
  });

  it("records a failure when the budget changed meanwhile, the function fails, or the decision is unknown", () => {
    const failed = ["RecordFailure", "Failed"];
    expect(
      walk({
        AwaitDecision: { result: { decision: "approve" } },
        ApplyChange: { error: "BudgetChangedSinceSubmission" },
      }),
    ).toEqual(["AwaitDecision", "Decision", "ApplyChange", ...failed]);
    expect(walk({ AwaitDecision: { error: "Lambda.Unknown" } })).toEqual(["AwaitDecision", ...failed]);
    expect(walk({ AwaitDecision: { result: { decision: "maybe" } } })).toEqual([
      "AwaitDecision",
      "Decision",
      ...failed,
    ]);
  });

  it("retries transient Lambda errors on every task and catches everything else where a task can fail", () => {
    for (const [name, s] of Object.entries(states).filter(([, s]) => s.Type === "Task")) {
      expect([name, (s.Retry as { ErrorEquals: string[] }[])[0]!.ErrorEquals]).toEqual([
        name,
        expect.arrayContaining(["Lambda.ServiceException", "Lambda.TooManyRequestsException"]),
      ]);
    }
    expect((states.ApplyChange!.Catch as { ErrorEquals: string[] }[]).at(-1)!.ErrorEquals).toEqual([
      "States.ALL",
    ]);
  });

  it("refuses a timeout under a minute", () => {
    expect(() => approvalDefinition({ approvalsFunctionArn: FN, decisionTimeoutSeconds: 5 })).toThrow(
      "decisionTimeoutSeconds 5 must be a whole number of seconds >= 60",
    );
  });
});

describe("validateAsl (the gap-filler's ValidateStateMachineDefinition)", () => {
  const machine = (states: Record<string, unknown>, startAt = "A") =>
    JSON.stringify({ StartAt: startAt, States: states });

  it.each([
    ["not JSON", "{", "INVALID_JSON_DESCRIPTION", "/"],
    ["a missing start state", machine({ B: { Type: "Succeed" } }), "MISSING_TRANSITION_TARGET", "/StartAt"],
    [
      "an unknown type",
      machine({ A: { Type: "Sleep", End: true } }),
      "SCHEMA_VALIDATION_FAILED",
      "/States/A/Type",
    ],
    [
      "a Next to nowhere",
      machine({ A: { Type: "Pass", Next: "Z" } }),
      "MISSING_TRANSITION_TARGET",
      "/States/A/Next",
    ],
    ["neither Next nor End", machine({ A: { Type: "Pass" } }), "SCHEMA_VALIDATION_FAILED", "/States/A"],
    [
      "a Succeed with Next",
      machine({ A: { Type: "Succeed", Next: "A" } }),
      "SCHEMA_VALIDATION_FAILED",
      "/States/A",
    ],
    [
      "an unreachable state",
      machine({ A: { Type: "Succeed" }, B: { Type: "Succeed" } }),
      "UNREACHABLE_STATE",
      "/States/B",
    ],
    [
      "States.ALL before another catcher",
      machine({
        A: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Catch: [
            { ErrorEquals: ["States.ALL"], Next: "B" },
            { ErrorEquals: ["X"], Next: "B" },
          ],
          End: true,
        },
        B: { Type: "Fail" },
      }),
      "SCHEMA_VALIDATION_FAILED",
      "/States/A/Catch/0/ErrorEquals",
    ],
    [
      "a task token task without the token",
      machine({
        A: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", End: true },
      }),
      "SCHEMA_VALIDATION_FAILED",
      "/States/A/Parameters",
    ],
    [
      "a Choice rule without Next",
      machine({
        A: { Type: "Choice", Choices: [{ Variable: "$.x", StringEquals: "y" }], Default: "B" },
        B: { Type: "Succeed" },
      }),
      "MISSING_TRANSITION_TARGET",
      "/States/A/Choices/0/Next",
    ],
    [
      "a broken Parallel branch",
      machine({
        A: { Type: "Parallel", Branches: [{ StartAt: "X", States: { Y: { Type: "Succeed" } } }], End: true },
      }),
      "MISSING_TRANSITION_TARGET",
      "/States/A/Branches/0/StartAt",
    ],
    [
      "a zero timeout",
      machine({
        A: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:0:function:f", TimeoutSeconds: 0, End: true },
      }),
      "SCHEMA_VALIDATION_FAILED",
      "/States/A/TimeoutSeconds",
    ],
  ])("reports %s", (_label, def, code, location) => {
    expect(validateAsl(def)).toContainEqual(expect.objectContaining({ severity: "ERROR", code, location }));
  });

  it("answers the SDK's request shape: OK, or FAIL with diagnostics, and 400 without a definition", async () => {
    const handler = createStepFunctionsValidateHandler();
    const req = (body: unknown) => ({
      method: "POST",
      path: "/",
      target: "AWSStepFunctions.ValidateStateMachineDefinition",
      headers: {},
      body: Buffer.from(JSON.stringify(body)),
    });
    expect(handler.matches(req({}))).toBe(true);
    expect(handler.matches({ ...req({}), target: "AWSStepFunctions.CreateStateMachine" })).toBe(false);
    const ctx = { motoEndpoint: "", accountOf: async () => "000000000000" };
    const ok = await handler.handle(req({ definition: JSON.stringify(definition), type: "STANDARD" }), ctx);
    expect(JSON.parse(ok.body)).toEqual({ result: "OK", diagnostics: [], truncated: false });
    const fail = await handler.handle(req({ definition: machine({ A: { Type: "Pass" } }) }), ctx);
    expect(JSON.parse(fail.body).result).toBe("FAIL");
    const bad = await handler.handle(req({}), ctx);
    expect(bad.status).toBe(400);
  });
});

describe("the approvals function's steps", () => {
  const budget: Budget = {
    budgetId: "retail",
    year: 2026,
    name: "Retail",
    amountUsd: 100_000,
    owner: "o",
    managers: [],
    scope: { level: "businessUnit", name: "Retail" },
    version: 3,
    updatedAt: "",
    updatedBy: "",
  };
  const change: BudgetChange = {
    changeId: "change-0001",
    budgetId: "retail",
    year: 2026,
    baseVersion: 3,
    previousAmountUsd: 100_000,
    changes: { amountUsd: 150_000 },
    submittedBy: "fin",
    submittedAt: "t0",
    reason: "growth",
    status: "pending",
  };
  type TestStore = ApprovalStore & { change: BudgetChange; budget: Budget };
  function store(c: BudgetChange, b: Budget = budget): TestStore {
    const s: TestStore = {
      change: c,
      budget: b,
      async getBudgetChange() {
        return s.change;
      },
      async setChangeTaskToken(_id: string, taskToken: string) {
        s.change = { ...s.change, taskToken };
      },
      async getBudget() {
        return s.budget;
      },
      async updateBudget(nb: Budget, expected: number) {
        if (s.budget.version !== expected) throw new ConflictError("version");
        s.budget = nb;
      },
      async closeChange(_id: string, from: BudgetChange["status"], fields: Partial<BudgetChange>) {
        if (s.change.status !== from) throw new ConflictError("status");
        const { taskToken: _t, ...rest } = s.change;
        s.change = { ...rest, ...fields };
      },
    };
    return s;
  }
  const now = () => new Date("2026-03-10T12:00:00Z");

  it("stores the task token on the pending change", async () => {
    const s = store(change);
    await runStep(s, { action: "await", changeId: "change-0001", taskToken: "tok" }, now);
    expect(s.change.taskToken).toBe("tok");
  });

  it("applies an approved change to the budget it was computed against", async () => {
    const s = store({ ...change, status: "approved", decidedBy: "fin2" });
    await runStep(s, { action: "apply", changeId: "change-0001" }, now);
    expect(s.budget).toMatchObject({ amountUsd: 150_000, version: 4, updatedBy: "fin2" });
    expect(s.change.appliedAt).toBe("2026-03-10T12:00:00.000Z");
  });

  it("refuses to apply when the budget moved on, with the error name the workflow catches", async () => {
    const s = store({ ...change, status: "approved" }, { ...budget, version: 4 });
    await expect(runStep(s, { action: "apply", changeId: "change-0001" }, now)).rejects.toMatchObject({
      name: "BudgetChangedSinceSubmission",
    });
    expect(s.budget.amountUsd).toBe(100_000);
  });

  it("refuses to apply a change nobody approved", async () => {
    const s = store(change);
    await expect(runStep(s, { action: "apply", changeId: "change-0001" }, now)).rejects.toMatchObject({
      name: "ChangeNotApproved",
    });
  });

  it("expires a pending change, leaves a decided one alone, and records failures", async () => {
    const s = store(change);
    await runStep(s, { action: "expire", changeId: "change-0001" }, now);
    expect(s.change.status).toBe("expired");
    const d = store({ ...change, status: "approved" });
    await runStep(d, { action: "expire", changeId: "change-0001" }, now);
    expect(d.change.status).toBe("approved");
    await runStep(d, { action: "fail", changeId: "change-0001", detail: '{"Error":"X"}' }, now);
    expect(d.change).toMatchObject({ status: "failed", failure: '{"Error":"X"}' });
  });
});
