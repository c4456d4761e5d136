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
 * The definition's shape. How it runs (approve, reject, expire, fail) is tested by executing it on an
 * ASL interpreter: test/unit/local/approval-workflow.test.ts (in memory) and
 * test/integration/api.test.ts (on the emulator's DynamoDB, through the API).
 */
describe("the approval workflow definition", () => {
  it("passes the ASL validation the emulator's gap-filler runs (asl-validator)", () => {
    expect(validateAsl(JSON.stringify(definition))).toEqual([]);
  });

  it("waits for the decision with the task token and a timeout", () => {
    expect(states.AwaitDecision).toMatchObject({
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      TimeoutSeconds: 604800,
      Parameters: { FunctionName: FN, Payload: { action: "await", "taskToken.$": "$$.Task.Token" } },
    });
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

describe("validateAsl (the gap-filler's ValidateStateMachineDefinition, on asl-validator)", () => {
  const machine = (states: Record<string, unknown>, startAt = "A") =>
    JSON.stringify({ StartAt: startAt, States: states });

  it.each([
    ["not JSON", "{", { code: "INVALID_JSON_DESCRIPTION", location: "/" }],
    ["not an object", "[]", { code: "SCHEMA_VALIDATION_FAILED", location: "/" }],
    [
      "a missing start state",
      machine({ B: { Type: "Succeed" } }),
      { code: "MISSING_TRANSITION_TARGET", message: "Missing 'StartAt'|'Next'|'Default' target: A" },
    ],
    [
      "an unknown type",
      machine({ A: { Type: "Sleep", End: true } }),
      { code: "SCHEMA_VALIDATION_FAILED", location: "/States/A/Type" },
    ],
    [
      "a Next to nowhere",
      machine({ A: { Type: "Pass", Next: "Z" } }),
      { code: "MISSING_TRANSITION_TARGET", message: "Missing 'StartAt'|'Next'|'Default' target: Z" },
    ],
    ["neither Next nor End", machine({ A: { Type: "Pass" } }), { code: "TERMINAL_STATE_WITH_NEXT" }],
    [
      "an unreachable state",
      machine({ A: { Type: "Succeed" }, B: { Type: "Succeed" } }),
      { code: "MISSING_TRANSITION_TARGET", message: "State B is not reachable" },
    ],
    [
      "States.ALL before another catcher (the rule added to asl-validator's)",
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
      { code: "SCHEMA_VALIDATION_FAILED", location: "/States/A/Catch/0/ErrorEquals" },
    ],
    [
      "a Choice rule without Next",
      machine({
        A: { Type: "Choice", Choices: [{ Variable: "$.x", StringEquals: "y" }], Default: "B" },
        B: { Type: "Succeed" },
      }),
      { code: "SCHEMA_VALIDATION_FAILED", location: "/States/A/Choices/0" },
    ],
    [
      "a zero timeout",
      machine({
        A: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:0:function:f", TimeoutSeconds: 0, End: true },
      }),
      { code: "SCHEMA_VALIDATION_FAILED", location: "/States/A/TimeoutSeconds" },
    ],
  ])("reports %s", (_label, def, expected) => {
    expect(validateAsl(def)).toContainEqual(expect.objectContaining({ severity: "ERROR", ...expected }));
  });

  it("leaves the definition it is given as it was (asl-validator writes defaults into its input)", () => {
    const text = JSON.stringify(definition);
    validateAsl(text);
    expect(JSON.stringify(definition)).toBe(text);
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
