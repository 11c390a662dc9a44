import { describe, expect, it } from "vitest";
import { TaskFailure, VirtualClock } from "../../../src/sfn/interpreter/index.ts";
import { details, machine, run, ROLE_ARN } from "./harness.ts";

const idChain = (events: { id: number; previousEventId: number; type: string }[]) => events.map((e) => [e.id, e.previousEventId, e.type]);

// Event types and members are those of GetExecutionHistory (@aws-sdk/client-sfn HistoryEvent);
// the id/previousEventId chains are those of AWS executions recorded in LocalStack's snapshot tests
// (tests/aws/services/stepfunctions/v2/assign and states_variables).
describe("history events", () => {
  it("reports a caught Task failure as AWS does", async () => {
    const r = await run(
      machine({
        Task: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { FunctionName: "f", Payload: { foo: "foobar" } }, Catch: [{ ErrorEquals: ["States.ALL"], Next: "Fallback" }], End: true },
        Fallback: { Type: "Pass", End: true },
      }),
      { inputData: "dummy" },
      { invokeTask: async () => Promise.reject(new TaskFailure("Exception", "Some exception was raised.")) },
    );
    expect(idChain(r.events)).toEqual([
      [1, 0, "ExecutionStarted"],
      [2, 0, "TaskStateEntered"],
      [3, 2, "TaskScheduled"],
      [4, 3, "TaskStarted"],
      [5, 4, "TaskFailed"],
      [6, 5, "TaskStateExited"],
      [7, 6, "PassStateEntered"],
      [8, 7, "PassStateExited"],
      [9, 8, "ExecutionSucceeded"],
    ]);
    expect(details(r.events[0])).toEqual({ input: '{"inputData":"dummy"}', inputDetails: { truncated: false }, roleArn: ROLE_ARN });
    expect(details(r.events[1])).toEqual({ name: "Task", input: '{"inputData":"dummy"}', inputDetails: { truncated: false } });
    expect(details(r.events[2])).toEqual({ resourceType: "lambda", resource: "invoke", region: "eu-west-1", parameters: '{"FunctionName":"f","Payload":{"foo":"foobar"}}' });
    expect(details(r.events[3])).toEqual({ resourceType: "lambda", resource: "invoke" });
    expect(r.events.every((e) => e.timestamp === r.started)).toBe(true);
  });

  it("chains a sequential Map's events as AWS does", async () => {
    const r = await run(
      machine({
        State0: { Type: "Pass", Assign: { x: 42, items: [1, 2, 3] }, Next: "State1" },
        State1: { Type: "Map", Items: "{% $items %}", MaxConcurrency: 1, ItemProcessor: { StartAt: "Inner", States: { Inner: { Type: "Pass", Assign: { innerX: "{% $x %}" }, End: true } } }, Next: "State2" },
        State2: { Type: "Pass", Assign: { final: "{% $x %}" }, End: true },
      }),
    );
    expect(idChain(r.events)).toEqual([
      [1, 0, "ExecutionStarted"],
      [2, 0, "PassStateEntered"],
      [3, 2, "PassStateExited"],
      [4, 3, "MapStateEntered"],
      [5, 4, "MapStateStarted"],
      [6, 5, "MapIterationStarted"],
      [7, 6, "PassStateEntered"],
      [8, 7, "PassStateExited"],
      [9, 8, "MapIterationSucceeded"],
      [10, 8, "MapIterationStarted"],
      [11, 10, "PassStateEntered"],
      [12, 11, "PassStateExited"],
      [13, 12, "MapIterationSucceeded"],
      [14, 12, "MapIterationStarted"],
      [15, 14, "PassStateEntered"],
      [16, 15, "PassStateExited"],
      [17, 16, "MapIterationSucceeded"],
      [18, 17, "MapStateSucceeded"],
      [19, 17, "MapStateExited"],
      [20, 19, "PassStateEntered"],
      [21, 20, "PassStateExited"],
      [22, 21, "ExecutionSucceeded"],
    ]);
    expect(details(r.events[2])).toEqual({
      name: "State0",
      output: "{}",
      outputDetails: { truncated: false },
      assignedVariables: { x: "42", items: "[1,2,3]" },
      assignedVariablesDetails: { truncated: false },
    });
    expect(details(r.events[6])).toEqual({ name: "Inner", input: "1", inputDetails: { truncated: false } });
    expect(details(r.events[18])).toEqual({ name: "State1", output: "[1,2,3]", outputDetails: { truncated: false } });
  });

  it("points EvaluationFailed where AWS does", async () => {
    const r = await run(
      machine({ State0: { Type: "Pass", Next: "State1" }, State1: { Type: "Pass", Next: "State2" }, State2: { Type: "Pass", Output: { result: "{% $doesNotExist %}" }, End: true } }),
    );
    expect(idChain(r.events).slice(-3)).toEqual([
      [6, 5, "PassStateEntered"],
      [7, 5, "EvaluationFailed"],
      [8, 7, "ExecutionFailed"],
    ]);
  });

  it("reports a plain Lambda function ARN with LambdaFunction… events", async () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:Enrich";
    const r = await run(machine({ T: { Type: "Task", Resource: arn, TimeoutSeconds: 30, End: true } }), { a: 1 }, { invokeTask: async () => ({ b: 2 }) });
    expect(r.events.map((e) => e.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    expect(details(r.events[2])).toEqual({ resource: arn, input: '{"a":1}', inputDetails: { truncated: false }, timeoutInSeconds: 30 });
    expect(details(r.events[4])).toEqual({ output: '{"b":2}', outputDetails: { truncated: false } });
  });

  it("names aws-sdk integrations service:action", async () => {
    const r = await run(
      machine({ T: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:redshiftdata:executeStatement", Arguments: { Sql: "select 1" }, End: true } }),
      {},
      { invokeTask: async () => ({ Id: "q-1" }) },
    );
    expect(details(r.of("TaskScheduled")[0])).toMatchObject({ resourceType: "aws-sdk:redshiftdata", resource: "executeStatement" });
    expect(details(r.of("TaskSucceeded")[0])).toEqual({ resourceType: "aws-sdk:redshiftdata", resource: "executeStatement", output: '{"Id":"q-1"}', outputDetails: { truncated: false } });
  });
});

// The contract's checkpoints: after each top-level state, the point to resume from after a restart.
describe("checkpoints and resume", () => {
  const definition = machine({
    Count: { Type: "Pass", Assign: { seen: "{% $states.input.n %}" }, Output: { n: "{% $states.input.n + 1 %}" }, Next: "Pause" },
    Pause: { Type: "Wait", Seconds: 60, Next: "Report" },
    Report: { Type: "Pass", Output: { n: "{% $states.input.n %}", seen: "{% $seen %}" }, End: true },
  });

  it("checkpoints the next state, its input, the variables and the next event id", async () => {
    const r = await run(definition, { n: 1 });
    expect(r.checkpoints).toEqual([
      { stateName: "Pause", input: { n: 2 }, variables: { seen: 1 }, nextEventId: 4 },
      { stateName: "Report", input: { n: 2 }, variables: { seen: 1 }, nextEventId: 6 },
    ]);
    expect(r.result.output).toEqual({ n: 2, seen: 1 });
  });

  it("resumes from a checkpoint: same result, history continues without a second ExecutionStarted", async () => {
    const full = await run(definition, { n: 1 });
    const resumed = await run(definition, { n: 1 }, { resumeFrom: full.checkpoints[0]!, clock: new VirtualClock() });
    expect(resumed.result).toEqual(full.result);
    expect(resumed.events.map((e) => [e.id, e.type])).toEqual(full.events.slice(3).map((e) => [e.id, e.type]));
    expect(resumed.events[0]!.previousEventId).toBe(3);
  });

  it("keeps the execution timeout counted from the original start across a resume", async () => {
    const timed = machine({ A: { Type: "Pass", Next: "W" }, W: { Type: "Wait", Seconds: 100, End: true } }, "A", { TimeoutSeconds: 120 });
    const first = await run(timed);
    const clock = new VirtualClock(first.started + 90_000);
    const resumed = await run(timed, {}, { resumeFrom: first.checkpoints[0]!, clock, startTime: first.started });
    expect(resumed.result.status).toBe("TIMED_OUT");
    expect(clock.now() - first.started).toBe(120_000);
  });
});
