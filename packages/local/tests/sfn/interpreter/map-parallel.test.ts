import { describe, expect, it } from "vitest";
import { TaskFailure, VirtualClock, type TaskInvoker } from "../../../src/sfn/interpreter/index.ts";
import { details, machine, run } from "./harness.ts";

const inline = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) => ({ ProcessorConfig: { Mode: "INLINE" }, StartAt: startAt, States: states });

/** A task taking `ms` of virtual time that tracks how many run at once; fails for items named in `failFor`. */
function slowTask(clock: VirtualClock, ms: number, failFor: readonly unknown[] = []) {
  const stats = { running: 0, max: 0 };
  const invoke: TaskInvoker = async (invocation) => {
    stats.running += 1;
    stats.max = Math.max(stats.max, stats.running);
    try {
      await clock.sleep(ms, invocation.signal);
      const item = (invocation.arguments as { item: unknown }).item;
      if (failFor.includes(item)) throw new TaskFailure("ItemFailed", `item ${String(item)} failed`);
      return { done: item };
    } finally {
      stats.running -= 1;
    }
  };
  return { stats, invoke };
}

// AWS developer guide, "Map workflow state" and "Using Map state in Inline mode" (JSONata: Items, ItemSelector, ItemProcessor)
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
describe("Map (inline)", () => {
  it("runs the ItemProcessor per item with the ItemSelector's input (the guide's shipping example)", async () => {
    const definition = machine({
      Validate: {
        Type: "Map",
        Items: "{% $states.input.detail.shipped %}",
        ItemSelector: { parcel: "{% $states.context.Map.Item.Value %}", courier: "{% $states.input.detail.`delivery-partner` %}", index: "{% $states.context.Map.Item.Index %}" },
        ItemProcessor: inline({ Check: { Type: "Pass", End: true } }),
        End: true,
      },
    });
    const input = {
      "ship-date": "2016-03-14T01:59:00Z",
      detail: {
        "delivery-partner": "UQS",
        shipped: [
          { prod: "R31", "dest-code": 9511, quantity: 1344 },
          { prod: "S39", "dest-code": 9511, quantity: 40 },
        ],
      },
    };
    const r = await run(definition, input);
    expect(r.result.output).toEqual([
      { parcel: { prod: "R31", "dest-code": 9511, quantity: 1344 }, courier: "UQS", index: 0 },
      { parcel: { prod: "S39", "dest-code": 9511, quantity: 40 }, courier: "UQS", index: 1 },
    ]);
    expect(details(r.of("MapStateStarted")[0])).toEqual({ length: 2 });
    expect(r.of("MapIterationStarted").map(details)).toEqual([{ name: "Validate", index: 0 }, { name: "Validate", index: 1 }]);
    expect(r.of("MapIterationSucceeded")).toHaveLength(2);
    expect(r.of("MapStateSucceeded")).toHaveLength(1);
  });

  it("maps over its input when Items is absent, and over a literal array", async () => {
    const body = { ItemProcessor: inline({ Double: { Type: "Pass", Output: "{% $states.input * 2 %}", End: true } }), End: true };
    expect((await run(machine({ M: { Type: "Map", ...body } }), [1, 2, 3])).result.output).toEqual([2, 4, 6]);
    expect((await run(machine({ M: { Type: "Map", Items: [5, 6], ...body } }))).result.output).toEqual([10, 12]);
    expect((await run(machine({ M: { Type: "Map", Items: "{% [] %}", ...body } }))).result.output).toEqual([]);
  });

  it("fails when the items are not an array, with AWS's wording", async () => {
    const body = { ItemProcessor: inline({ P: { Type: "Pass", End: true } }), End: true };
    const noArray = await run(machine({ M: { Type: "Map", ...body } }), { foo: "bar" });
    expect(noArray.result.error).toBe("States.QueryEvaluationError");
    expect(noArray.result.cause).toMatch(/Map state input must be an array but was: \{"foo":"bar"\}$/);
    const badItems = await run(machine({ M: { Type: "Map", Items: "{% $states.input.n %}", ...body } }), { n: 1 });
    expect(badItems.result.cause).toMatch(/The JSONata expression '\$states.input.n' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'number' for value: 1$/);
  });

  it("applies the Map's Output and Assign to $states.result, the array of iteration outputs", async () => {
    const r = await run(
      machine({
        M: {
          Type: "Map",
          Items: "{% $states.input.n %}",
          ItemProcessor: inline({ Sq: { Type: "Pass", Output: "{% $states.input * $states.input %}", End: true } }),
          Assign: { total: "{% $sum($states.result) %}" },
          Output: { squares: "{% $states.result %}" },
          Next: "Report",
        },
        Report: { Type: "Pass", Output: { total: "{% $total %}", squares: "{% $states.input.squares %}" }, End: true },
      }),
      { n: [1, 2, 3] },
    );
    expect(r.result.output).toEqual({ total: 14, squares: [1, 4, 9] });
  });

  it("runs at most MaxConcurrency iterations at once (0: all), results in item order", async () => {
    for (const [maxConcurrency, expectedMax, expectedElapsed] of [[2, 2, 3000], [0, 6, 1000], [1, 1, 6000]] as const) {
      const clock = new VirtualClock();
      const task = slowTask(clock, 1000);
      const definition = machine({
        M: {
          Type: "Map",
          MaxConcurrency: maxConcurrency,
          ItemProcessor: inline({ Work: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { item: "{% $states.input %}" }, Output: "{% $states.result.done %}", End: true } }),
          End: true,
        },
      });
      const r = await run(definition, [1, 2, 3, 4, 5, 6], { invokeTask: task.invoke, clock });
      expect(r.result.output).toEqual([1, 2, 3, 4, 5, 6]);
      expect(task.stats.max).toBe(expectedMax);
      expect(r.clock.now() - r.started).toBe(expectedElapsed);
    }
  });

  it("fails with the first failed iteration's own error when no failure is tolerated, stopping the rest", async () => {
    const invoke: TaskInvoker = async (i) => {
      if (i.arguments === 2) throw new TaskFailure("ItemFailed", "item 2");
      return i.arguments;
    };
    const r = await run(
      machine({ M: { Type: "Map", MaxConcurrency: 1, ItemProcessor: inline({ W: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true } }), End: true } }),
      [1, 2, 3, 4],
      { invokeTask: invoke },
    );
    expect(r.result).toEqual({ status: "FAILED", error: "ItemFailed", cause: "item 2" });
    expect(r.calls.map((c) => c.arguments)).toEqual([1, 2]);
    expect(r.of("MapIterationFailed").map(details)).toEqual([{ name: "M", index: 1 }]);
    expect(r.of("MapStateFailed")).toHaveLength(1);
    expect(r.of("MapStateExited")).toHaveLength(0);
  });

  it("tolerates ToleratedFailureCount failures, keeping {Error, Cause} in their slots; one more fails the Map", async () => {
    const definition = (count: number) =>
      machine({
        M: {
          Type: "Map",
          ToleratedFailureCount: count,
          ItemSelector: { item: "{% $states.context.Map.Item.Value %}" },
          ItemProcessor: inline({ W: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Output: "{% $states.result.done %}", End: true } }),
          End: true,
        },
      });
    const clock = new VirtualClock();
    const task = slowTask(clock, 10, ["b", "d"]);
    const ok = await run(definition(2), ["a", "b", "c", "d"], { invokeTask: task.invoke, clock });
    expect(ok.result.output).toEqual(["a", { Error: "ItemFailed", Cause: "item b failed" }, "c", { Error: "ItemFailed", Cause: "item d failed" }]);
    const over = await run(definition(1), ["a", "b", "c", "d"], { invokeTask: task.invoke, clock });
    expect(over.result).toEqual({ status: "FAILED", error: "States.ExceedToleratedFailureThreshold", cause: "The specified tolerated failure threshold was exceeded" });
  });

  it("tolerates up to ToleratedFailurePercentage of the items (JSONata allowed)", async () => {
    const invoke: TaskInvoker = async (i) => {
      if ((i.arguments as number) % 2 === 0) throw new TaskFailure("Even", "");
      return i.arguments;
    };
    const definition = (pct: unknown) =>
      machine({ M: { Type: "Map", ToleratedFailurePercentage: pct, ItemProcessor: inline({ W: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true } }), End: true } });
    expect((await run(definition(50), [1, 2, 3, 4], { invokeTask: invoke })).result.status).toBe("SUCCEEDED");
    expect((await run(definition("{% $states.input[0] * 10 %}"), [1, 2, 3, 4], { invokeTask: invoke })).result.error).toBe("States.ExceedToleratedFailureThreshold");
  });
});

// "Passing data between states with variables" → variable scope: Map iterations and Parallel
// branches read outer variables, cannot assign them, and their own assignments stay inside.
describe("variable scope in Map and Parallel", () => {
  it("reads outer variables inside an iteration; inner assignments do not leak out or into siblings", async () => {
    const r = await run(
      machine({
        Init: { Type: "Pass", Assign: { x: 42, items: [1, 2, 3] }, Next: "M" },
        M: {
          Type: "Map",
          Items: "{% $items %}",
          MaxConcurrency: 1,
          ItemProcessor: inline({
            First: { Type: "Pass", Output: { seenBefore: "{% $exists($inner) %}" }, Assign: { inner: "{% $x + $states.context.State.RetryCount %}" }, Next: "Second" },
            Second: { Type: "Pass", Output: { outer: "{% $x %}", inner: "{% $inner %}", seenBefore: "{% $states.input.seenBefore %}" }, End: true },
          }),
          Next: "After",
        },
        After: { Type: "Pass", Output: { results: "{% $states.input %}", innerVisible: "{% $exists($inner) %}", x: "{% $x %}" }, End: true },
      }),
    );
    expect(r.result.output).toEqual({
      results: [1, 2, 3].map(() => ({ outer: 42, inner: 42, seenBefore: false })),
      innerVisible: false,
      x: 42,
    });
  });

  it("fails with States.Runtime when an inner state assigns an outer variable", async () => {
    const r = await run(
      machine({
        Init: { Type: "Pass", Assign: { x: 1 }, Next: "P" },
        P: { Type: "Parallel", Branches: [{ StartAt: "B", States: { B: { Type: "Pass", Assign: { x: 2 }, End: true } } }], End: true },
      }),
    );
    expect(r.result.error).toBe("States.Runtime");
    expect(r.result.cause).toContain("Cannot assign variable 'x'");
  });
});

// AWS developer guide, "Parallel workflow state"
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
describe("Parallel", () => {
  it("gives every branch the same input (Arguments when set) and outputs their results in branch order", async () => {
    const r = await run(
      machine({
        LookupCustomerInfo: {
          Type: "Parallel",
          Arguments: { id: "{% $states.input.customer %}" },
          Branches: [
            { StartAt: "LookupAddress", States: { LookupAddress: { Type: "Wait", Seconds: 5, Output: { address: "{% 'addr-' & $states.input.id %}" }, End: true } } },
            { StartAt: "LookupPhone", States: { LookupPhone: { Type: "Pass", Output: { phone: "{% 'phone-' & $states.input.id %}" }, End: true } } },
          ],
          Output: "{% $merge($states.result) %}",
          End: true,
        },
      }),
      { customer: "c7" },
    );
    expect(r.result.output).toEqual({ address: "addr-c7", phone: "phone-c7" });
    expect(r.of("ParallelStateStarted")).toHaveLength(1);
    expect(r.of("ParallelStateSucceeded")).toHaveLength(1);
    expect(r.clock.now() - r.started).toBe(5000);
  });

  it("fails with a failing branch's error and stops the other branches", async () => {
    const r = await run(
      machine({
        P: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Slow", States: { Slow: { Type: "Wait", Seconds: 3600, End: true } } },
            { StartAt: "Boom", States: { Boom: { Type: "Fail", Error: "BranchError", Cause: "branch 2" } } },
          ],
          End: true,
        },
      }),
    );
    expect(r.result).toEqual({ status: "FAILED", error: "BranchError", cause: "branch 2" });
    expect(r.of("WaitStateAborted")).toHaveLength(1);
    expect(r.of("ParallelStateFailed")).toHaveLength(1);
    expect(r.clock.now() - r.started).toBe(0);
  });

  it("can catch a branch failure on the Parallel state", async () => {
    const r = await run(
      machine({
        P: {
          Type: "Parallel",
          Branches: [{ StartAt: "Boom", States: { Boom: { Type: "Fail", Error: "BranchError", Cause: "why" } } }],
          Catch: [{ ErrorEquals: ["BranchError"], Output: { caught: "{% $states.errorOutput %}" }, Next: "Handled" }],
          End: true,
        },
        Handled: { Type: "Succeed" },
      }),
    );
    expect(r.result.output).toEqual({ caught: { Error: "BranchError", Cause: "why" } });
    expect(details(r.of("ParallelStateExited")[0]).output).toBe(JSON.stringify({ caught: { Error: "BranchError", Cause: "why" } }));
  });
});
