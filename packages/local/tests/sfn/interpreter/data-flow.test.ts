import { describe, expect, it } from "vitest";
import { details, echoTask, machine, run, EXECUTION_ARN, STATE_MACHINE_ARN } from "./harness.ts";

// AWS developer guide, "Transforming data with JSONata in Step Functions"
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
describe("Arguments and Output", () => {
  it("evaluates {% %} values inside Arguments and leaves other strings literal (the guide's JSONPath→JSONata conversion example)", async () => {
    const definition = machine({
      Remember: { Type: "Pass", Assign: { customerName: "María" }, Next: "Greet" },
      Greet: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: { static: "Hello", title: "{% $states.input.title %}", name: "{% $customerName %}", "not-evaluated": "$customerName" },
        End: true,
      },
    });
    const r = await run(definition, { title: "Doctor" }, { invokeTask: echoTask() });
    // "Given input { "title" : "Doctor" } and variable customerName assigned to "María", both state machines will produce…"
    expect(r.calls[0]!.arguments).toEqual({ static: "Hello", title: "Doctor", name: "María", "not-evaluated": "$customerName" });
    expect(r.result).toEqual({ status: "SUCCEEDED", output: { static: "Hello", title: "Doctor", name: "María", "not-evaluated": "$customerName" } });
  });

  it("mixes literals and expressions at any depth, in objects and arrays", async () => {
    const r = await run(
      machine({
        Shape: {
          Type: "Pass",
          Output: {
            order: { id: "{% $states.input.id %}", lines: ["fixed", "{% $states.input.qty * 2 %}", { sku: "{% $uppercase($states.input.sku) %}", n: 1 }] },
            flags: [true, null, 3.5],
          },
          End: true,
        },
      }),
      { id: "o-1", qty: 21, sku: "ab-9" },
    );
    expect(r.result.output).toEqual({ order: { id: "o-1", lines: ["fixed", 42, { sku: "AB-9", n: 1 }] }, flags: [true, null, 3.5] });
  });

  it("takes a whole-field expression, and literal non-object outputs (AWS accepts any JSON value as Output)", async () => {
    for (const [output, expected] of [
      ["{% $states.input.a + $states.input.b %}", 3],
      [[1, "two", { three: 3 }], [1, "two", { three: 3 }]],
      [null, null],
      ["plain text", "plain text"],
    ] as const) {
      const r = await run(machine({ P: { Type: "Pass", Output: output, End: true } }), { a: 1, b: 2 });
      expect(r.result.output).toEqual(expected);
    }
  });

  it("hands out plain JSON: ordinary objects and arrays, not JSONata's sequences or prototype-less objects", async () => {
    const r = await run(machine({ P: { Type: "Pass", Output: "{% {'nested': {'list': $states.input.items[$ > 1]}} %}", End: true } }), { items: [1, 2, 3] });
    const output = r.result.output as { nested: { list: number[] } };
    expect(output).toStrictEqual({ nested: { list: [2, 3] } });
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(output.nested)).toBe(Object.prototype);
    expect(Object.keys(output.nested.list)).toEqual(["0", "1"]);
  });

  it("uses the state input as default output, and the task result for Task states", async () => {
    const r = await run(
      machine({
        P: { Type: "Pass", Next: "T" },
        T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { n: "{% $states.input.n %}" }, End: true },
      }),
      { n: 7, other: true },
      { invokeTask: async (i) => ({ doubled: (i.arguments as { n: number }).n * 2 }) },
    );
    expect(r.result.output).toEqual({ doubled: 14 });
  });

  it("without Arguments, a Task receives its input", async () => {
    const r = await run(machine({ T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true } }), { whole: "input" }, { invokeTask: echoTask() });
    expect(r.calls[0]!.arguments).toEqual({ whole: "input" });
  });

  it("exposes $states.result to the Task's Output and Assign, and $states.input stays the state input", async () => {
    const r = await run(
      machine({
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::aws-sdk:s3:getObject",
          Arguments: { Bucket: "lake", Key: "{% $states.input.key %}" },
          Assign: { size: "{% $states.result.ContentLength %}" },
          Output: { key: "{% $states.input.key %}", body: "{% $states.result.Body %}" },
          Next: "After",
        },
        After: { Type: "Pass", Output: { size: "{% $size %}", prev: "{% $states.input %}" }, End: true },
      }),
      { key: "a.json" },
      { invokeTask: async () => ({ Body: "{}", ContentLength: 2 }) },
    );
    expect(r.result.output).toEqual({ size: 2, prev: { key: "a.json", body: "{}" } });
  });

  it("gives $states.context as AWS documents it (Execution, StateMachine, State)", async () => {
    const r = await run(
      machine({ P: { Type: "Pass", Output: "{% $states.context %}", End: true } }),
      { x: 1 },
    );
    const context = r.result.output as Record<string, Record<string, unknown>>;
    expect(context.Execution).toMatchObject({ Id: EXECUTION_ARN, Name: "run-1", Input: { x: 1 }, RedriveCount: 0 });
    expect(context.StateMachine).toEqual({ Id: STATE_MACHINE_ARN, Name: "Conformance" });
    expect(context.State).toEqual({ Name: "P", EnteredTime: new Date(r.started).toISOString(), RetryCount: 0 });
    expect(context.Map).toBeUndefined();
  });
});

// "Transforming data with JSONata": an expression that evaluates to nothing is an error,
// States.QueryEvaluationError, logged as an EvaluationFailed event naming the field. The wording
// follows AWS executions recorded in LocalStack's snapshot tests (tests/aws/services/stepfunctions).
describe("undefined results", () => {
  it("fails an Output field that evaluates to nothing, naming the field path", async () => {
    const r = await run(machine({ S0: { Type: "Pass", Next: "S1" }, S1: { Type: "Pass", Output: { result: "{% $doesNotExist %}" }, End: true } }));
    const entered = r.of("PassStateEntered")[1]!;
    const cause = `An error occurred while executing the state 'S1' (entered at the event id #${entered.id}). The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).`;
    expect(r.result).toEqual({ status: "FAILED", error: "States.QueryEvaluationError", cause });
    expect(details(r.of("EvaluationFailed")[0])).toEqual({ error: "States.QueryEvaluationError", cause, location: "Output/result", state: "S1" });
    expect(r.of("PassStateExited")).toHaveLength(1);
  });

  it("names Arguments, Arguments/<field> and Assign/<name> the same way", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ Arguments: "{% $nothing %}" }, "Arguments"],
      [{ Arguments: { FunctionName: "{% $nothing %}" } }, "Arguments/FunctionName"],
      [{ Assign: { result: "{% $nothing %}" } }, "Assign/result"],
    ];
    for (const [fields, location] of cases) {
      const r = await run(machine({ T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", ...fields, End: true } }), {}, { invokeTask: echoTask() });
      expect(r.result.error).toBe("States.QueryEvaluationError");
      expect(r.result.cause).toContain(`specified for the field '${location}' returned nothing (undefined).`);
    }
  });

  it("reports a JSONata runtime error with its code", async () => {
    const r = await run(machine({ S: { Type: "Pass", Output: { FunctionResult: "{% $randomSeeded(3) %}" }, End: true } }));
    expect(r.result.cause).toMatch(/The JSONata expression '\$randomSeeded\(3\)' specified for the field 'Output\/FunctionResult' threw an error during evaluation\. T1006: Attempted to invoke a non-function$/);
  });

  it("refuses a function as a value", async () => {
    const r = await run(machine({ S: { Type: "Pass", Output: "{% function($x){$x} %}", End: true } }));
    expect(r.result.cause).toContain("returned an unsupported result type.");
  });
});

// "Passing data between states with variables"
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
describe("Assign and variables", () => {
  it("evaluates every Assign and the Output with the variable values from before the state", async () => {
    const r = await run(
      machine({
        Init: { Type: "Pass", Assign: { x: 1, y: 2 }, Next: "Swap" },
        Swap: { Type: "Pass", Assign: { x: "{% $y %}", y: "{% $x %}" }, Output: { xSeenByOutput: "{% $x %}" }, Next: "Read" },
        Read: { Type: "Pass", Output: { x: "{% $x %}", y: "{% $y %}", before: "{% $states.input %}" }, End: true },
      }),
    );
    expect(r.result.output).toEqual({ x: 2, y: 1, before: { xSeenByOutput: 1 } });
    expect(details(r.of("PassStateExited")[1])).toMatchObject({ assignedVariables: { x: "2", y: "1" }, assignedVariablesDetails: { truncated: false } });
  });

  it("keeps variables across states and lets later states overwrite them", async () => {
    const r = await run(
      machine({
        A: { Type: "Pass", Assign: { count: 0, label: "start" }, Next: "B" },
        B: { Type: "Pass", Assign: { count: "{% $count + 1 %}" }, Next: "C" },
        C: { Type: "Pass", Output: { count: "{% $count %}", label: "{% $label %}" }, End: true },
      }),
    );
    expect(r.result.output).toEqual({ count: 1, label: "start" });
  });

  it("records assigned values as JSON text in the state's exit event", async () => {
    const r = await run(machine({ A: { Type: "Pass", Assign: { s: "text", n: 0.1, l: [null, { k: true }] }, End: true } }));
    expect(details(r.of("PassStateExited")[0]).assignedVariables).toEqual({ s: '"text"', n: "0.1", l: '[null,{"k":true}]' });
  });

  it("assigns in Wait and Choice states too; a matched rule's Assign/Output replace the state-level ones, which serve the Default", async () => {
    const definition = machine({
      W: { Type: "Wait", Seconds: 0, Assign: { waited: true }, Next: "C" },
      C: {
        Type: "Choice",
        Choices: [{ Condition: "{% $states.input.condition %}", Next: "Done", Assign: { path: "rule" }, Output: "Condition Output block" }],
        Default: "Done",
        Assign: { path: "default" },
        Output: "Default Output block",
      },
      Done: { Type: "Pass", Output: { path: "{% $path %}", waited: "{% $waited %}", input: "{% $states.input %}" }, End: true },
    });
    const yes = await run(definition, { condition: true });
    expect(yes.result.output).toEqual({ path: "rule", waited: true, input: "Condition Output block" });
    const no = await run(definition, { condition: false });
    expect(no.result.output).toEqual({ path: "default", waited: true, input: "Default Output block" });
  });
});
