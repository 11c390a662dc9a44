import { describe, expect, it } from "vitest";
import { InvalidDefinitionError, realClock, runExecution, validateDefinition, type DefinitionProblem } from "../../../src/sfn/interpreter/index.ts";
import { contextFor, machine } from "./harness.ts";

/** The problems Freshet's own checks report (asl-validator's, prefixed "asl-validator:", may come too). */
function own(definition: unknown): DefinitionProblem[] {
  return validateDefinition(definition).filter((p) => !p.message.startsWith("asl-validator:"));
}

function expectProblem(definition: unknown, expected: { state?: string; field?: string; message: RegExp }): void {
  const problems = validateDefinition(definition);
  const match = problems.find((p) => expected.message.test(p.message) && (expected.state === undefined || p.state === expected.state) && (expected.field === undefined || p.field === expected.field));
  expect(match, `no problem like ${JSON.stringify({ ...expected, message: String(expected.message) })} in ${JSON.stringify(problems, null, 1)}`).toBeDefined();
}

const pass = { Type: "Pass", End: true };

describe("validateDefinition", () => {
  it("accepts a valid JSONata definition", () => {
    expect(
      validateDefinition(
        machine({
          Start: { Type: "Pass", Assign: { n: 0 }, Next: "Loop" },
          Loop: {
            Type: "Task",
            Resource: "arn:aws:states:::aws-sdk:s3:headObject",
            Arguments: { Bucket: "lake", Key: "{% $states.input.key %}" },
            Retry: [{ ErrorEquals: ["S3.NoSuchKeyException"], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5, MaxDelaySeconds: 10, JitterStrategy: "FULL" }],
            Catch: [{ ErrorEquals: ["States.ALL"], Output: "{% $states.errorOutput %}", Next: "Failed" }],
            Next: "Done?",
          },
          "Done?": { Type: "Choice", Choices: [{ Condition: "{% $n > 3 %}", Next: "Done" }], Default: "Wait" },
          Wait: { Type: "Wait", Seconds: "{% $n * 2 %}", Assign: { n: "{% $n + 1 %}" }, Next: "Loop" },
          Done: { Type: "Succeed" },
          Failed: { Type: "Fail", Error: "{% $states.input.Error %}", Cause: "lookup failed" },
        }),
      ),
    ).toEqual([]);
  });

  it("refuses JSONPath, naming each state (Freshet's runtime runs JSONata only)", () => {
    expectProblem({ StartAt: "A", States: { A: pass } }, { state: "A", message: /QueryLanguage JSONPath is not supported/ });
    expectProblem({ QueryLanguage: "JSONata", StartAt: "A", States: { A: { ...pass, QueryLanguage: "JSONPath" } } }, { state: "A", field: "QueryLanguage", message: /JSONPath is not supported/ });
  });

  it("refuses JSONPath fields in JSONata states, saying what to use instead", () => {
    expectProblem(machine({ A: { ...pass, Parameters: { a: 1 } } }), { state: "A", field: "Parameters", message: /JSONPath field.*use 'Arguments'/ });
    expectProblem(machine({ A: { ...pass, ResultPath: "$.x" } }), { state: "A", field: "ResultPath", message: /JSONPath field/ });
    expectProblem(machine({ A: { ...pass, InputPath: "$.x" } }), { state: "A", field: "InputPath", message: /JSONPath field/ });
    expectProblem(machine({ A: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.e", Next: "B" }], End: true }, B: { Type: "Succeed" } }), {
      state: "A",
      field: "Catch/0/ResultPath",
      message: /JSONPath field/,
    });
    expectProblem(machine({ C: { Type: "Choice", Choices: [{ Variable: "$.x", NumericEquals: 1, Next: "D" }] }, D: { Type: "Succeed" } }), { state: "C", field: "Choices/0/Variable", message: /use 'Condition'/ });
  });

  it("names unknown state types, missing Next/End and missing targets", () => {
    expectProblem(machine({ A: { Type: "Sleep", End: true } }), { state: "A", field: "Type", message: /unknown state type "Sleep"/ });
    expectProblem(machine({ A: { Type: "Pass" } }), { state: "A", message: /must have 'Next' or 'End'/ });
    expectProblem(machine({ A: { Type: "Pass", Next: "Nowhere" } }), { state: "A", field: "Next", message: /'Nowhere', which is not a state/ });
    expectProblem(machine({ C: { Type: "Choice", Choices: [{ Condition: "{% true %}", Next: "D" }], Default: "Gone" }, D: { Type: "Succeed" } }), { state: "C", field: "Default", message: /'Gone'/ });
  });

  it("refuses unreachable states", () => {
    expectProblem(machine({ A: pass, Orphan: pass }), { state: "Orphan", message: /not reachable from StartAt 'A'/ });
  });

  it("checks Retry: JitterStrategy, numbers, States.ALL alone and last", () => {
    const withRetry = (retry: unknown[]) => machine({ T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Retry: retry, End: true } });
    expectProblem(withRetry([{ ErrorEquals: ["E"], JitterStrategy: "PARTIAL" }]), { state: "T", field: "Retry/0/JitterStrategy", message: /"FULL" or "NONE"/ });
    expectProblem(withRetry([{ ErrorEquals: ["E"], BackoffRate: 0.5 }]), { state: "T", field: "Retry/0/BackoffRate", message: /≥|from 1/ });
    expectProblem(withRetry([{ ErrorEquals: ["E"], MaxDelaySeconds: 0 }]), { state: "T", field: "Retry/0/MaxDelaySeconds", message: /from 1 to 31622400/ });
    expectProblem(withRetry([{ ErrorEquals: ["States.ALL", "E"] }]), { state: "T", field: "Retry/0/ErrorEquals", message: /must appear alone/ });
    expectProblem(withRetry([{ ErrorEquals: ["States.ALL"] }, { ErrorEquals: ["E"] }]), { state: "T", field: "Retry/0/ErrorEquals", message: /last retrier or catcher/ });
  });

  it("compiles every {% %} expression and reports syntax errors with state and field", () => {
    expectProblem(machine({ A: { Type: "Pass", Output: { total: "{% $sum($states.input.items %}" }, End: true } }), { state: "A", field: "Output/total", message: /does not compile/ });
    expectProblem(machine({ C: { Type: "Choice", Choices: [{ Condition: "{% $states.input.x = %}", Next: "D" }] }, D: { Type: "Succeed" } }), { state: "C", field: "Choices/0/Condition", message: /does not compile/ });
  });

  it("refuses JSONata 2.1's ?? and ?: operators, which Step Functions' JSONata 2.0.6 lacks", () => {
    expectProblem(machine({ A: { Type: "Pass", Output: "{% $states.input.a ?? 'none' %}", End: true } }), { state: "A", field: "Output", message: /'\?\?' operator of JSONata 2\.1/ });
    expectProblem(machine({ A: { Type: "Pass", Output: { v: "{% $states.input.a ?: 'none' %}" }, End: true } }), { state: "A", field: "Output/v", message: /'\?:' operator/ });
    expect(own(machine({ A: { Type: "Pass", Output: "{% $exists($states.input.a) ? $states.input.a : 'none' %}", End: true } }))).toEqual([]);
  });

  it("refuses Distributed Map features the local runtime does not have", () => {
    const map = (extra: Record<string, unknown>, config: Record<string, unknown> = { Mode: "INLINE" }) =>
      machine({ M: { Type: "Map", ItemProcessor: { ProcessorConfig: config, StartAt: "P", States: { P: pass } }, End: true, ...extra } });
    expectProblem(map({}, { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }), { state: "M", field: "ItemProcessor/ProcessorConfig/Mode", message: /Distributed Map is not supported/ });
    expectProblem(map({ ItemReader: { Resource: "arn:aws:states:::s3:getObject", Arguments: {} } }), { state: "M", field: "ItemReader", message: /not supported by the local runtime/ });
    expectProblem(map({ ResultWriter: { Resource: "arn:aws:states:::s3:putObject" } }), { state: "M", field: "ResultWriter", message: /not supported/ });
  });

  it("checks Wait, Task timing and Assign names", () => {
    expectProblem(machine({ W: { Type: "Wait", Seconds: 1, Timestamp: "2016-03-14T01:59:00Z", End: true } }), { state: "W", message: /exactly one of 'Seconds' and 'Timestamp'/ });
    expectProblem(machine({ W: { Type: "Wait", Timestamp: "2016-03-14 01:59:00", End: true } }), { state: "W", field: "Timestamp", message: /ISO-8601/ });
    expectProblem(machine({ T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: 10, HeartbeatSeconds: 10, End: true } }), { state: "T", field: "HeartbeatSeconds", message: /smaller than TimeoutSeconds/ });
    expectProblem(machine({ A: { ...pass, Assign: { states: 1 } } }), { state: "A", field: "Assign/states", message: /reserved/ });
    expectProblem(machine({ A: { ...pass, Assign: { "not-valid": 1 } } }), { state: "A", field: "Assign/not-valid", message: /not a valid variable name/ });
  });

  it("checks nested branches: inner names, targets staying inside, unique names", () => {
    expectProblem(machine({ P: { Type: "Parallel", Branches: [{ StartAt: "In", States: { In: { Type: "Pass", Next: "P" } } }], End: true } }), { state: "In", field: "Next", message: /not a state of the same branch/ });
    expectProblem(machine({ M: { Type: "Map", ItemProcessor: { StartAt: "M", States: { M: pass } }, End: true } }), { state: "M", message: /unique/ });
    expectProblem(machine({ M: { Type: "Map", ItemProcessor: { StartAt: "X", States: { X: { Type: "Wait", End: true } } }, End: true } }), { state: "X", message: /exactly one of 'Seconds'/ });
  });

  it("reports problems in Freshet's own words with the state and field set", () => {
    const problems = own(machine({ A: { Type: "Pass", Parameters: {}, End: true } }));
    expect(problems).toEqual([{ state: "A", field: "Parameters", message: "State 'A', field 'Parameters': is a JSONPath field, not available in a JSONata state: use 'Arguments' (or 'ItemSelector' in a Map state)" }]);
  });

  it("refuses what is not a state machine at all", () => {
    expect(validateDefinition("nope")).toEqual([{ message: "the definition must be a JSON object" }]);
    expectProblem({ QueryLanguage: "JSONata", States: {} }, { message: /'States' must be a non-empty object/ });
  });

  it("makes runExecution throw InvalidDefinitionError for a definition it cannot run", async () => {
    const definition = machine({ A: { Type: "Pass", Next: "Missing" } });
    const run = runExecution({
      definition,
      input: {},
      context: contextFor(realClock, {}),
      clock: realClock,
      invokeTask: async () => null,
      onHistoryEvent: () => {},
      signal: new AbortController().signal,
    });
    await expect(run).rejects.toBeInstanceOf(InvalidDefinitionError);
  });
});
