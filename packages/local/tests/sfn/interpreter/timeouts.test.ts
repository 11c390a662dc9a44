import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { TaskFailure, VirtualClock, type TaskInvocation } from "../../../src/sfn/interpreter/index.ts";
import { details, machine, run } from "./harness.ts";

const LAMBDA = "arn:aws:states:::lambda:invoke";
const DAY_MS = 24 * 3600 * 1000;

/** A full garbage collection, whatever flags the test runner started with. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** A task taking `ms` of virtual time, honouring its abort signal. */
function takes(clock: VirtualClock, ms: number, result: unknown = "done") {
  const signals: AbortSignal[] = [];
  const invoke = async (invocation: TaskInvocation) => {
    signals.push(invocation.signal);
    await clock.sleep(ms, invocation.signal);
    return result;
  };
  return { invoke, signals };
}

// AWS developer guide, "Task workflow state": TimeoutSeconds / HeartbeatSeconds (literal or JSONata);
// "Handling errors": States.Timeout, States.HeartbeatTimeout. AWS has no default task timeout.
describe("Task timeouts", () => {
  it("times a task out after TimeoutSeconds with States.Timeout and aborts it", async () => {
    const clock = new VirtualClock();
    const slow = takes(clock, 60_000);
    const r = await run(machine({ T: { Type: "Task", Resource: LAMBDA, TimeoutSeconds: 5, End: true } }), {}, { clock, invokeTask: slow.invoke });
    expect(r.result).toEqual({ status: "FAILED", error: "States.Timeout" });
    const timedOut = r.of("TaskTimedOut")[0]!;
    expect(details(timedOut)).toEqual({ resourceType: "lambda", resource: "invoke", error: "States.Timeout" });
    expect(r.at(timedOut)).toBe(5000);
    expect(slow.signals[0]!.aborted).toBe(true);
    expect(details(r.of("TaskScheduled")[0]).timeoutInSeconds).toBe(5);
  });

  it("takes TimeoutSeconds from JSONata and lets a faster task finish", async () => {
    const clock = new VirtualClock();
    const r = await run(
      machine({ T: { Type: "Task", Resource: LAMBDA, TimeoutSeconds: "{% $states.input.limit %}", End: true } }),
      { limit: 30 },
      { clock, invokeTask: takes(clock, 20_000).invoke },
    );
    expect(r.result).toEqual({ status: "SUCCEEDED", output: "done" });
    expect(r.clock.now() - r.started).toBe(20_000);
    expect(details(r.of("TaskScheduled")[0]).timeoutInSeconds).toBe(30);
  });

  it("does not time out a task busy with real I/O on a virtual clock (time stands still while it works)", async () => {
    const realWork = async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return "from S3";
    };
    const r = await run(
      machine({ T: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:s3:getObject", TimeoutSeconds: 1, Next: "W" }, W: { Type: "Wait", Seconds: 50, End: true } }, "T", { TimeoutSeconds: 60 }),
      {},
      { invokeTask: realWork },
    );
    expect(r.result).toEqual({ status: "SUCCEEDED", output: "from S3" });
    expect(r.clock.now() - r.started).toBe(50_000);
  });

  it("lets go of a task's result once its execution ended: nothing keeps the race it won", async () => {
    const results: WeakRef<object>[] = [];
    const invokeTask = async () => {
      const result = { rows: Array.from({ length: 100 }, (_, i) => ({ key: `dlq/${i}` })) };
      results.push(new WeakRef(result));
      return result;
    };
    for (let i = 0; i < 3; i++) {
      // The execution's output (which the run returns) is not the result itself.
      const r = await run(machine({ T: { Type: "Task", Resource: LAMBDA, TimeoutSeconds: 60, Output: "{% $count($states.result.rows) %}", End: true } }), {}, { invokeTask });
      expect(r.result).toEqual({ status: "SUCCEEDED", output: 100 });
    }
    await new Promise((resolve) => setImmediate(resolve)); // WeakRefs hold their targets until the job that made them ends
    collectGarbage();
    expect(results).toHaveLength(3);
    expect(results.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });

  it("has no default timeout: a task may run for days", async () => {
    const clock = new VirtualClock();
    const r = await run(machine({ T: { Type: "Task", Resource: LAMBDA, End: true } }), {}, { clock, invokeTask: takes(clock, 3 * DAY_MS).invoke });
    expect(r.result.status).toBe("SUCCEEDED");
    expect(r.clock.now() - r.started).toBe(3 * DAY_MS);
    expect(details(r.of("TaskScheduled")[0])).not.toHaveProperty("timeoutInSeconds");
  });

  it("catches a timeout as States.Timeout; the error output has an empty Cause", async () => {
    const clock = new VirtualClock();
    const r = await run(
      machine({
        T: { Type: "Task", Resource: LAMBDA, TimeoutSeconds: 1, Catch: [{ ErrorEquals: ["States.Timeout"], Next: "Late" }], End: true },
        Late: { Type: "Pass", End: true },
      }),
      {},
      { clock, invokeTask: takes(clock, 2000).invoke },
    );
    expect(r.result.output).toEqual({ Error: "States.Timeout", Cause: "" });
  });

  it("passes HeartbeatSeconds to the task; a heartbeat timeout is reported as TaskTimedOut and matched by States.Timeout", async () => {
    const r = await run(
      machine({
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          HeartbeatSeconds: 10,
          TimeoutSeconds: 60,
          Arguments: { MessageBody: { token: "{% $states.context.Task.Token %}" } },
          Catch: [{ ErrorEquals: ["States.Timeout"], Next: "NoHeartbeat" }],
          End: true,
        },
        NoHeartbeat: { Type: "Pass", End: true },
      }),
      {},
      { invokeTask: async () => Promise.reject(new TaskFailure("States.HeartbeatTimeout", "no heartbeat")) },
    );
    const call = r.calls[0]!;
    expect(call.heartbeatSeconds).toBe(10);
    expect(call.timeoutSeconds).toBe(60);
    expect(call.taskToken).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(call.arguments).toEqual({ MessageBody: { token: call.taskToken } });
    expect(call.context.Task).toEqual({ Token: call.taskToken });
    expect(details(r.of("TaskScheduled")[0])).toMatchObject({ resourceType: "sqs", resource: "sendMessage.waitForTaskToken", heartbeatInSeconds: 10 });
    expect(details(r.of("TaskTimedOut")[0])).toMatchObject({ error: "States.HeartbeatTimeout" });
    expect(r.result.output).toEqual({ Error: "States.HeartbeatTimeout", Cause: "no heartbeat" });
  });
});

// "State machine structure": TimeoutSeconds of the whole execution → ExecutionTimedOut.
describe("execution timeout and stop", () => {
  it("times the execution out after the machine's TimeoutSeconds, aborting the running state", async () => {
    const r = await run(machine({ W: { Type: "Wait", Seconds: 100, End: true } }, "W", { TimeoutSeconds: 10 }));
    expect(r.result.status).toBe("TIMED_OUT");
    expect(r.result.error).toBe("States.Timeout");
    expect(r.events.map((e) => e.type)).toEqual(["ExecutionStarted", "WaitStateEntered", "WaitStateAborted", "ExecutionTimedOut"]);
    expect(r.at(r.of("ExecutionTimedOut")[0]!)).toBe(10_000);
  });

  it("stops on the signal (StopExecution) with the reason's error and cause", async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    const slow = takes(clock, 60_000);
    const running = run(machine({ T: { Type: "Task", Resource: LAMBDA, End: true } }), {}, { clock, signal: stop.signal, invokeTask: slow.invoke });
    await clock.sleep(1000);
    stop.abort({ error: "Operator", cause: "stopped by hand" });
    const r = await running;
    expect(r.result).toEqual({ status: "ABORTED", error: "Operator", cause: "stopped by hand" });
    expect(r.events.map((e) => e.type).slice(-2)).toEqual(["TaskStateAborted", "ExecutionAborted"]);
    expect(slow.signals[0]!.aborted).toBe(true);
  });

  it("stops a Map, reporting its running iterations as aborted", async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    const running = run(
      machine({ M: { Type: "Map", ItemProcessor: { StartAt: "W", States: { W: { Type: "Wait", Seconds: 60, End: true } } }, End: true } }),
      [1, 2],
      { clock, signal: stop.signal },
    );
    await clock.sleep(1000);
    stop.abort();
    const r = await running;
    expect(r.result.status).toBe("ABORTED");
    expect(r.of("WaitStateAborted")).toHaveLength(2);
    expect(r.of("MapIterationAborted")).toHaveLength(2);
    expect(r.of("MapStateAborted")).toHaveLength(1);
  });
});
