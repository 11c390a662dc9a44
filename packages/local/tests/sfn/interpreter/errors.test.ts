import { describe, expect, it } from "vitest";
import { TaskFailure, VirtualClock, type TaskInvoker } from "../../../src/sfn/interpreter/index.ts";
import { details, machine, run } from "./harness.ts";

const LAMBDA = "arn:aws:states:::lambda:invoke";

/** Fails with the given errors in turn, then succeeds with "ok". */
function failing(...errors: string[]): TaskInvoker {
  let call = 0;
  return async () => {
    const error = errors[call++];
    if (error !== undefined) throw new TaskFailure(error, `attempt ${call} failed`);
    return "ok";
  };
}

/** A Task state, its success and (when it has a Catch) its fallback. */
function task(fields: Record<string, unknown>) {
  const fallback = fields.Catch ? { Handled: { Type: "Pass", End: true } } : {};
  return machine({ Work: { Type: "Task", Resource: LAMBDA, ...fields, Next: "Done" }, Done: { Type: "Succeed" }, ...fallback }, "Work");
}

// AWS developer guide, "Handling errors in Step Functions workflows" → "Retrying after an error"
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
describe("Retry", () => {
  it("waits IntervalSeconds × BackoffRate^n capped at MaxDelaySeconds: 3, 6, 10, 10 seconds", async () => {
    const r = await run(task({ Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 3, BackoffRate: 2, MaxDelaySeconds: 10, MaxAttempts: 4 }] }), {}, { invokeTask: failing("E", "E", "E", "E") });
    const starts = r.of("TaskScheduled").map((e) => r.at(e) / 1000);
    expect(starts).toEqual([0, 3, 9, 19, 29]);
    expect(r.result.status).toBe("SUCCEEDED");
  });

  it("defaults to IntervalSeconds 1, BackoffRate 2.0, MaxAttempts 3, then fails with the last error", async () => {
    const r = await run(task({ Retry: [{ ErrorEquals: ["E"] }] }), {}, { invokeTask: failing("E", "E", "E", "E") });
    expect(r.of("TaskScheduled").map((e) => r.at(e) / 1000)).toEqual([0, 1, 3, 7]);
    expect(r.result).toEqual({ status: "FAILED", error: "E", cause: "attempt 4 failed" });
  });

  it("never retries with MaxAttempts 0", async () => {
    const r = await run(task({ Retry: [{ ErrorEquals: ["E"], MaxAttempts: 0 }] }), {}, { invokeTask: failing("E") });
    expect(r.calls).toHaveLength(1);
    expect(r.result.error).toBe("E");
  });

  it("with JitterStrategy FULL waits a random time between 0 and the computed delay", async () => {
    const r = await run(
      task({ Retry: [{ ErrorEquals: ["E"], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 6, JitterStrategy: "FULL" }] }),
      {},
      { invokeTask: failing("E", "E", "E", "E", "E", "E") },
    );
    const starts = r.of("TaskScheduled").map((e) => r.at(e));
    const waits = starts.slice(1).map((t, i) => t - starts[i]!);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(10_000 * 2 ** i);
    });
    expect(waits.some((wait, i) => wait < 10_000 * 2 ** i)).toBe(true);
  });

  it("uses the first retrier that matches; each retrier counts its own attempts", async () => {
    const r = await run(
      task({ Retry: [{ ErrorEquals: ["A"], MaxAttempts: 1, IntervalSeconds: 1 }, { ErrorEquals: ["States.ALL"], MaxAttempts: 2, IntervalSeconds: 5 }] }),
      {},
      { invokeTask: failing("A", "B", "A") },
    );
    expect(r.of("TaskScheduled").map((e) => r.at(e) / 1000)).toEqual([0, 1, 6]);
    expect(r.result).toEqual({ status: "FAILED", error: "A", cause: "attempt 3 failed" });
  });

  it("exposes the retry count as $states.context.State.RetryCount", async () => {
    const r = await run(task({ Retry: [{ ErrorEquals: ["E"], IntervalSeconds: 1 }], Arguments: { retry: "{% $states.context.State.RetryCount %}" } }), {}, { invokeTask: failing("E", "E") });
    expect(r.calls.map((c) => c.arguments)).toEqual([{ retry: 0 }, { retry: 1 }, { retry: 2 }]);
    expect(r.calls.map((c) => c.context.State?.RetryCount)).toEqual([0, 1, 2]);
  });
});

// "Handling errors" → "Error names" and "Fallback states" (Catch, error output { Error, Cause })
describe("error names", () => {
  it("States.TaskFailed matches any task error but not States.Timeout", async () => {
    const definition = task({ TimeoutSeconds: 5, Catch: [{ ErrorEquals: ["States.TaskFailed"], Next: "Handled" }] });
    expect((await run(definition, {}, { invokeTask: failing("Lambda.ServiceException") })).result.output).toEqual({ Error: "Lambda.ServiceException", Cause: "attempt 1 failed" });
    const clock = new VirtualClock();
    const timedOut = await run(definition, {}, { clock, invokeTask: (i) => clock.sleep(60_000, i.signal).then(() => "late") });
    expect(timedOut.result).toEqual({ status: "FAILED", error: "States.Timeout" });
  });

  it("States.ALL catches States.QueryEvaluationError but never States.Runtime", async () => {
    const caught = await run(task({ Arguments: "{% $nothing %}", Catch: [{ ErrorEquals: ["States.ALL"], Next: "Handled" }] }), {}, { invokeTask: failing() });
    expect((caught.result.output as { Error: string }).Error).toBe("States.QueryEvaluationError");
    const runtime = await run(
      machine({
        Init: { Type: "Pass", Assign: { x: 1 }, Next: "P" },
        P: {
          Type: "Parallel",
          Branches: [{ StartAt: "B", States: { B: { Type: "Pass", Assign: { x: 2 }, End: true } } }],
          Retry: [{ ErrorEquals: ["States.ALL"] }],
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Handled" }],
          End: true,
        },
        Handled: { Type: "Succeed" },
      }),
    );
    expect(runtime.result.error).toBe("States.Runtime");
    expect(runtime.of("ParallelStateStarted")).toHaveLength(1);
  });
});

describe("States.DataLimitExceeded", () => {
  const big = async () => ({ blob: "x".repeat(300 * 1024) });

  it("fails a task whose result is over 256 KiB; States.ALL does not catch it", async () => {
    const r = await run(task({ Catch: [{ ErrorEquals: ["States.ALL"], Next: "Handled" }] }), {}, { invokeTask: big });
    expect(r.result).toEqual({
      status: "FAILED",
      error: "States.DataLimitExceeded",
      cause: "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
    expect(r.of("TaskFailed")).toHaveLength(1);
  });

  it("is caught by a catcher that names it, and applies to any state's output", async () => {
    const caught = await run(task({ Catch: [{ ErrorEquals: ["States.DataLimitExceeded"], Next: "Handled" }] }), {}, { invokeTask: big });
    expect((caught.result.output as { Error: string }).Error).toBe("States.DataLimitExceeded");
    const pass = await run(machine({ Grow: { Type: "Pass", Output: "{% $pad('', 270000, 'y') %}", End: true } }));
    expect(pass.result.error).toBe("States.DataLimitExceeded");
    expect(pass.result.cause).toContain("'Grow'");
  });
});

describe("Catch", () => {
  it("passes the error output {Error, Cause} to the fallback state by default", async () => {
    const r = await run(task({ Catch: [{ ErrorEquals: ["States.ALL"], Next: "Handled" }] }), { inputData: "dummy" }, { invokeTask: failing("CustomError") });
    expect(r.result).toEqual({ status: "SUCCEEDED", output: { Error: "CustomError", Cause: "attempt 1 failed" } });
    expect(r.of("TaskFailed").map(details)).toEqual([{ resourceType: "lambda", resource: "invoke", error: "CustomError", cause: "attempt 1 failed" }]);
    expect(details(r.of("TaskStateExited")[0]).output).toBe(JSON.stringify({ Error: "CustomError", Cause: "attempt 1 failed" }));
  });

  it("shapes the fallback input with Output and $states.errorOutput / $states.input, and assigns in the catcher, not the state", async () => {
    const r = await run(
      task({
        Assign: { result: "SUCCESS" },
        Catch: [
          {
            ErrorEquals: ["States.ALL"],
            Assign: { failure: "{% $states.errorOutput %}" },
            Output: { stateInput: "{% $states.input %}", stateError: "{% $states.errorOutput %}" },
            Next: "Handled",
          },
        ],
      }),
      { inputData: "dummy" },
      { invokeTask: failing("Exception") },
    );
    const expected = { stateInput: { inputData: "dummy" }, stateError: { Error: "Exception", Cause: "attempt 1 failed" } };
    expect(r.result.output).toEqual(expected);
    expect(details(r.of("TaskStateExited")[0]).assignedVariables).toEqual({ failure: JSON.stringify(expected.stateError) });
  });

  it("retries first, then catches once the retrier is spent", async () => {
    const r = await run(task({ Retry: [{ ErrorEquals: ["E"], MaxAttempts: 1 }], Catch: [{ ErrorEquals: ["E"], Next: "Handled" }] }), {}, { invokeTask: failing("E", "E") });
    expect(r.events.map((e) => e.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "TaskScheduled",
      "TaskStarted",
      "TaskFailed",
      "TaskScheduled",
      "TaskStarted",
      "TaskFailed",
      "TaskStateExited",
      "PassStateEntered",
      "PassStateExited",
      "ExecutionSucceeded",
    ]);
  });

  it("catches a Fail inside a Map iteration on the Map state", async () => {
    const r = await run(
      machine({
        M: {
          Type: "Map",
          ItemProcessor: { StartAt: "F", States: { F: { Type: "Fail", Error: "{% 'Item' & $string($states.input) %}", Cause: "bad item" } } },
          Catch: [{ ErrorEquals: ["Item2"], Output: "{% $states.errorOutput.Error %}", Next: "Done" }],
          End: true,
        },
        Done: { Type: "Succeed" },
      }),
      [2],
    );
    expect(r.result.output).toBe("Item2");
  });
});

// AWS developer guide, "Fail workflow state": Error and Cause, literal or JSONata
describe("Fail", () => {
  it("ends the execution with its Error and Cause", async () => {
    const r = await run(machine({ FailState: { Type: "Fail", Error: "ErrorA", Cause: "Kaiju attack" } }));
    expect(r.result).toEqual({ status: "FAILED", error: "ErrorA", cause: "Kaiju attack" });
    expect(details(r.of("ExecutionFailed")[0])).toEqual({ error: "ErrorA", cause: "Kaiju attack" });
  });

  it("evaluates JSONata Error/Cause and omits what is absent", async () => {
    const r = await run(machine({ F: { Type: "Fail", Error: "{% $states.input.error %}" } }), { error: "Exception" });
    expect(details(r.of("ExecutionFailed")[0])).toEqual({ error: "Exception" });
  });
});
