import { describe, expect, it } from "vitest";
import type { Step } from "../src/api.ts";
import { buildGraph, stateStatus } from "../src/state-graph.ts";

/** A polling workflow in the shape Freshet's definitions have: a Choice loop, a Catch, a Map, an unreachable state. */
const DEFINITION = {
  QueryLanguage: "JSONata",
  StartAt: "Start",
  States: {
    Start: { Type: "Task", Next: "Check", Catch: [{ ErrorEquals: ["States.ALL"], Next: "Alert" }] },
    Check: { Type: "Choice", Choices: [{ Condition: "{% $states.input.done %}", Next: "Each" }], Default: "Wait" },
    Wait: { Type: "Wait", Seconds: 1, Next: "Check" },
    Each: { Type: "Map", ItemProcessor: { StartAt: "One", States: { One: { Type: "Pass", Next: "Two" }, Two: { Type: "Pass", End: true } } }, Next: "Done" },
    Alert: { Type: "Task", Next: "Failed" },
    Failed: { Type: "Fail" },
    Done: { Type: "Succeed" },
    Orphan: { Type: "Pass", End: true },
  },
};

const step = (name: string, at: number, more: Partial<Step> = {}): Step => ({
  name,
  type: "Task",
  attempt: 1,
  enteredAt: new Date(at * 1000).toISOString(),
  exitedAt: new Date(at * 1000 + 500).toISOString(),
  input: "{}",
  output: "{}",
  resource: null,
  errors: [],
  ...more,
});

describe("the state graph", () => {
  const graph = buildGraph(DEFINITION);
  const node = (name: string) => graph.nodes.find((n) => n.name === name)!;

  it("places each state at the BFS level it is first reached at from StartAt", () => {
    expect(Object.fromEntries(graph.nodes.map((n) => [n.name, n.level]))).toEqual({ Start: 0, Check: 1, Alert: 1, Each: 2, Wait: 2, Failed: 2, Done: 3, Orphan: 4 });
    // A loop back up (Wait → Check) does not move Check down.
    expect(graph.edges).toContainEqual({ from: "Wait", to: "Check", kind: "next" });
    expect(graph.levels).toBe(5);
    expect(graph.width).toBe(3);
    expect(new Set(graph.nodes.filter((n) => n.level === 2).map((n) => n.column))).toEqual(new Set([0, 1, 2]));
  });

  it("draws every transition the definition names: Next, Choices, Default and Catch", () => {
    expect(graph.edges.filter((e) => e.from === "Start")).toEqual([
      { from: "Start", to: "Check", kind: "next" },
      { from: "Start", to: "Alert", kind: "catch" },
    ]);
    expect(graph.edges.filter((e) => e.from === "Check")).toEqual([
      { from: "Check", to: "Each", kind: "choice" },
      { from: "Check", to: "Wait", kind: "default" },
    ]);
  });

  it("collapses a Map's and a Parallel's inner states into their box", () => {
    expect(node("Each").inner).toEqual([["One", "Two"]]);
    const parallel = buildGraph({ StartAt: "P", States: { P: { Type: "Parallel", Branches: [{ States: { A: {} } }, { States: { B: {}, C: {} } }], End: true } } });
    expect(parallel.nodes[0]!.inner).toEqual([["A"], ["B", "C"]]);
    expect(parallel.nodes.map((n) => n.name)).toEqual(["P"]);
  });

  it("survives a definition with no states", () => {
    expect(buildGraph({})).toEqual({ nodes: [], edges: [], levels: 0, width: 0 });
  });
});

describe("a state's status in an execution", () => {
  it("is not entered, succeeded, running or failed from its passes", () => {
    const steps = [step("Start", 0), step("Check", 1, { exitedAt: null })];
    expect(stateStatus(steps, "Wait", "RUNNING")).toBe("not-entered");
    expect(stateStatus(steps, "Start", "RUNNING")).toBe("succeeded");
    expect(stateStatus(steps, "Check", "RUNNING")).toBe("running");
    // The execution ended (aborted, timed out) with the state still open.
    expect(stateStatus(steps, "Check", "ABORTED")).toBe("failed");
  });

  const { edges } = buildGraph(DEFINITION);

  it("is failed where the error ended the execution, caught where its Catch led on", () => {
    const failed = [step("Start", 0, { exitedAt: null, errors: [{ event: "TaskFailed", error: "Boom" }] })];
    expect(stateStatus(failed, "Start", "FAILED", edges)).toBe("failed");
    expect(stateStatus([...failed, step("Alert", 1)], "Start", "FAILED", edges)).toBe("caught");
    // AWS closes a caught state with its Exited event: still caught.
    const exited = [step("Start", 0, { errors: [{ event: "TaskFailed", error: "Boom" }] }), step("Alert", 1)];
    expect(stateStatus(exited, "Start", "FAILED", edges)).toBe("caught");
  });

  it("is succeeded when a Retry recovered from its errors", () => {
    const retried = step("Start", 0, { errors: [{ event: "TaskFailed", error: "Throttled" }] });
    expect(stateStatus([retried, step("Check", 2)], "Start", "RUNNING", edges)).toBe("succeeded");
    expect(stateStatus([retried], "Start", "SUCCEEDED", edges)).toBe("succeeded");
    // Another state's failure caught later to the same handler is not this state's.
    expect(stateStatus([retried, step("Check", 2), step("Alert", 3)], "Start", "FAILED", edges)).toBe("succeeded");
  });
});
