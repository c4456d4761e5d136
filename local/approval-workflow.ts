/**
 * The budget-change approval state machine, executed locally: the definition the admin stack
 * synthesizes (contracts/approvals.ts, read back from the synthesized stack or from the emulator)
 * runs on aws-local-stepfunctions, a maintained Amazon States Language interpreter, and its Lambda
 * tasks run the real functions in this process (`taskResourceLocalHandlers`). The emulator stores
 * the state machine but runs no Lambda code, so this is how the workflow really executes locally:
 * the API front (local/api-front.ts) starts it for a change above the threshold, and the API's
 * decision endpoint completes its waiting task as SendTaskSuccess would.
 *
 * What Step Functions does that this emulates, and how:
 * - `arn:aws:states:::lambda:invoke`: the function gets `Parameters.Payload` and the task's result
 *   is `{ ExecutedVersion, Payload, StatusCode }` ("Invoke an AWS Lambda function with Step
 *   Functions": https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html). A function
 *   error fails the task with the error's name (Lambda's `errorType`), which Retry and Catch match.
 * - `.waitForTaskToken`: the function gets the payload with the task token (`$$.Task.Token`), then the
 *   task waits until SendTaskSuccess (its output is the task's result) or SendTaskFailure (the task
 *   fails with that error), or its TimeoutSeconds pass (`States.Timeout`) ("Wait for a callback with
 *   the task token": https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token).
 * - The interpreter's context object is fixed per execution, so one token is made per execution and
 *   given as `$$.Task.Token`: AWS makes one per task attempt. The approval definition has one
 *   callback task, so the difference does not show; a retried callback task would reuse the token.
 * - Timeouts are Node timers, which cannot exceed 2^31-1 ms (about 24.8 days): a definition whose
 *   TimeoutSeconds is longer (app.approvalTimeoutDays above 24) is refused with that reason rather
 *   than run with a timer Node would fire at once.
 */
import "./promise-with-resolvers";
import { randomUUID } from "node:crypto";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { ApprovalWorkflow } from "../functions/api/repository";

/** A Lambda function run in-process: its entry as Lambda would call it (event, no context). */
export type LocalFunction = (event: unknown) => Promise<unknown>;

export interface LocalApprovalWorkflowOptions {
  /** The state machine's definition, as synthesized (the `definition` of the aws_sfn_state_machine). */
  readonly definition: Readonly<Record<string, unknown>>;
  /** Its ARN: executions are named `<arn with :execution:>:<changeId>`, as StartExecution's `name`. */
  readonly stateMachineArn: string;
  /** The functions the definition's Lambda tasks name, by function ARN. */
  readonly functions: Readonly<Record<string, LocalFunction>>;
  readonly log?: (line: string) => void;
}

export type LocalExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

/** One execution, as DescribeExecution and its history would show it. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly input: { changeId: string };
  status: LocalExecutionStatus;
  /** The states entered, in order. */
  readonly states: string[];
  output?: unknown;
  /** The execution's error and cause when it failed. */
  error?: { error: string; cause: string };
  /** Settles when the execution ends (never rejects). */
  readonly done: Promise<void>;
}

const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
const LAMBDA_INVOKE_WAIT = "arn:aws:states:::lambda:invoke.waitForTaskToken";
/** Largest delay a Node timer takes. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

interface TaskState {
  readonly Type: "Task";
  readonly Resource: string;
  readonly TimeoutSeconds?: number;
}

/** A task failure Step Functions matches by name (SendTaskFailure's `error`, Lambda's `errorType`). */
class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class LocalApprovalWorkflow implements ApprovalWorkflow {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, (input: unknown) => Promise<unknown>>;
  private readonly waiting = new Map<
    string,
    { resolve: (output: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly running = new Map<string, { abort: () => void }>();
  /** Executions by ARN, oldest first. */
  readonly executions = new Map<string, LocalExecution>();

  constructor(private readonly options: LocalApprovalWorkflowOptions) {
    const states = (options.definition.States ?? {}) as Record<string, { Type?: string }>;
    const timeouts: [string, unknown][] = [
      ["TimeoutSeconds", options.definition.TimeoutSeconds],
      ...Object.entries(states).map(
        ([n, s]) => [`States.${n}.TimeoutSeconds`, (s as TaskState).TimeoutSeconds] as [string, unknown],
      ),
    ];
    for (const [field, seconds] of timeouts)
      if (typeof seconds === "number" && seconds > MAX_TIMER_SECONDS)
        throw new Error(
          `the approval state machine's ${field} is ${seconds} s; the local workflow runs timeouts on Node timers, which stop at ${MAX_TIMER_SECONDS} s (about 24.8 days): lower app.approvalTimeoutDays to 24 or less for the local organization`,
        );
    this.handlers = {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task") continue;
      this.handlers[name] = this.taskHandler(name, state as TaskState);
    }
    // A copy through JSON, so that its objects are plain objects of this realm (the interpreter checks
    // that; structuredClone makes them in Node's own realm, which differs under Jest), and because the
    // interpreter's validation (asl-validator) writes defaults into the object it checks.
    this.machine = new StateMachine(JSON.parse(JSON.stringify(options.definition)) as StateMachineDefinition);
  }

  private fn(state: string, arn: unknown): LocalFunction {
    const f = typeof arn === "string" ? this.options.functions[arn] : undefined;
    if (!f)
      throw new Error(
        `task ${state} invokes ${String(arn)}, which is not bound to a local function (bound: ${Object.keys(this.options.functions).join(", ") || "none"})`,
      );
    return f;
  }

  private taskHandler(name: string, state: TaskState): (input: unknown) => Promise<unknown> {
    if (state.Resource === LAMBDA_INVOKE)
      return async (input) => {
        const { FunctionName, Payload } = input as { FunctionName?: unknown; Payload?: unknown };
        const payload = await this.fn(name, FunctionName)(Payload);
        return { ExecutedVersion: "$LATEST", Payload: payload ?? null, StatusCode: 200 };
      };
    if (state.Resource === LAMBDA_INVOKE_WAIT)
      return async (input) => {
        const { FunctionName, Payload } = input as { FunctionName?: unknown; Payload?: unknown };
        const token = this.tokenIn(Payload);
        const result = new Promise<unknown>((resolve, reject) =>
          this.waiting.set(token, { resolve, reject }),
        );
        try {
          await this.fn(name, FunctionName)(Payload);
        } catch (e) {
          this.waiting.delete(token);
          throw e;
        }
        try {
          return await result;
        } finally {
          this.waiting.delete(token);
        }
      };
    if (state.Resource.startsWith("arn:aws:lambda:")) return (input) => this.fn(name, state.Resource)(input);
    throw new Error(
      `task ${name} uses ${state.Resource}; the local approval workflow runs Lambda tasks only (lambda:invoke, lambda:invoke.waitForTaskToken, a function ARN)`,
    );
  }

  private tokenIn(payload: unknown): string {
    const token = Object.values((payload ?? {}) as Record<string, unknown>).find(
      (v) => typeof v === "string" && v.startsWith("local-task-token-"),
    );
    if (typeof token !== "string")
      throw new Error("a waitForTaskToken task's payload must carry $$.Task.Token; this one carries none");
    return token;
  }

  async start(change: { changeId: string }): Promise<string> {
    const executionArn = `${this.options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${change.changeId}`;
    if (this.executions.has(executionArn))
      throw new TaskError(
        "ExecutionAlreadyExists",
        `an execution named ${change.changeId} already exists for ${this.options.stateMachineArn}`,
      );
    const input = { changeId: change.changeId };
    const token = `local-task-token-${randomUUID()}`;
    const run = this.machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.handlers as never },
      context: {
        Execution: {
          Id: executionArn,
          Name: change.changeId,
          Input: input,
          StartTime: new Date().toISOString(),
        },
        StateMachine: { Id: this.options.stateMachineArn },
        Task: { Token: token },
      },
    });
    const states: string[] = [];
    const log = this.options.log ?? (() => {});
    const events = (async () => {
      for await (const e of run.eventLogs) if (e.type === "StateEntered") states.push(e.state.name);
    })();
    const execution: LocalExecution = {
      executionArn,
      input,
      status: "RUNNING",
      states,
      done: run.result.then(
        async (output) => {
          await events.catch(() => {});
          execution.status = "SUCCEEDED";
          execution.output = output;
          log(`approval   ${change.changeId}: succeeded (${states.join(" → ")})`);
        },
        async (e: Error & { cause?: unknown }) => {
          await events.catch(() => {});
          execution.status =
            e.name === "ExecutionAbortedError"
              ? "ABORTED"
              : e.name === "ExecutionTimeoutError"
                ? "TIMED_OUT"
                : "FAILED";
          execution.error = { error: failName(e), cause: e.message };
          log(`approval   ${change.changeId}: ${execution.status.toLowerCase()} (${states.join(" → ")})`);
        },
      ),
    };
    this.executions.set(executionArn, execution);
    this.running.set(executionArn, run);
    void execution.done.finally(() => this.running.delete(executionArn));
    return executionArn;
  }

  /** SendTaskSuccess: the waiting task's result is the decision. */
  async complete(
    taskToken: string,
    decision: { decision: "approve" | "reject"; by: string; note?: string },
  ): Promise<void> {
    this.waitingFor(taskToken).resolve(JSON.parse(JSON.stringify(decision)));
  }

  /** SendTaskFailure: the waiting task fails with this error (Catch matches it by name). */
  async fail(taskToken: string, error: string, cause = ""): Promise<void> {
    this.waitingFor(taskToken).reject(new TaskError(error, cause));
  }

  private waitingFor(taskToken: string) {
    const w = this.waiting.get(taskToken);
    // Step Functions answers an unknown or finished task's token with TaskDoesNotExist / InvalidToken.
    if (!w)
      throw new TaskError("TaskDoesNotExist", `no task is waiting for token ${taskToken.slice(0, 32)}…`);
    return w;
  }

  /** The definition it runs. */
  get definition(): Readonly<Record<string, unknown>> {
    return this.options.definition;
  }

  /** The execution of a change, once started. */
  execution(changeId: string): LocalExecution | undefined {
    return [...this.executions.values()].find((e) => e.input.changeId === changeId);
  }

  /** Aborts every running execution (StopExecution) and waits for them to end. */
  async close(): Promise<void> {
    for (const r of this.running.values()) r.abort();
    // Settle the tasks still waiting for a decision, so that their timeout timers are cleared (the
    // executions are aborted already: nothing runs after them).
    for (const w of this.waiting.values()) w.reject(new TaskError("States.Aborted", "execution aborted"));
    this.waiting.clear();
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }
}

/** The Fail state's Error when the interpreter reports one, else the error's name. */
function failName(e: Error & { cause?: unknown }): string {
  const cause = e.cause as { name?: string } | undefined;
  return cause?.name && cause.name !== "Error" ? cause.name : e.name;
}
