import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/sfn/interpreter/index.ts";
import { details, machine, run } from "./harness.ts";

// AWS developer guide, "Choice workflow state" (JSONata: Choices[].Condition, Default)
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
describe("Choice", () => {
  const definition = machine({
    ChoiceStateX: {
      Type: "Choice",
      Choices: [
        { Condition: "{% $states.input.type != 'Private' %}", Next: "Public" },
        { Condition: "{% $states.input.value >= 20 and $states.input.value < 30 %}", Next: "ValueInTwenties" },
      ],
      Default: "DefaultState",
    },
    Public: { Type: "Pass", Output: "Public", End: true },
    ValueInTwenties: { Type: "Pass", Output: "ValueInTwenties", End: true },
    DefaultState: { Type: "Fail", Error: "DefaultStateError", Cause: "No Matches!" },
  });

  it("follows the first rule whose Condition is true, in order (the guide's ChoiceStateX example)", async () => {
    expect((await run(definition, { type: "Public", value: 25 })).result.output).toBe("Public");
    expect((await run(definition, { type: "Private", value: 25 })).result.output).toBe("ValueInTwenties");
  });

  it("takes Default when nothing matches", async () => {
    const r = await run(definition, { type: "Private", value: 31 });
    expect(r.result).toEqual({ status: "FAILED", error: "DefaultStateError", cause: "No Matches!" });
    expect(r.of("ChoiceStateExited")).toHaveLength(1);
    expect(r.of("FailStateEntered")).toHaveLength(1);
  });

  it("fails with States.NoChoiceMatched when nothing matches and there is no Default", async () => {
    const r = await run(machine({ C: { Type: "Choice", Choices: [{ Condition: "{% false %}", Next: "X" }] }, X: { Type: "Succeed" } }));
    expect(r.result.status).toBe("FAILED");
    expect(r.result.error).toBe("States.NoChoiceMatched");
  });

  it("accepts a boolean literal Condition", async () => {
    const r = await run(machine({ C: { Type: "Choice", Choices: [{ Condition: true, Next: "T" }], Default: "F" }, T: { Type: "Succeed" }, F: { Type: "Fail" } }));
    expect(r.result.status).toBe("SUCCEEDED");
  });

  it("fails with States.QueryEvaluationError when a Condition is not a boolean", async () => {
    const r = await run(machine({ C: { Type: "Choice", Choices: [{ Condition: "{% $states.input.flag %}", Next: "T" }], Default: "T" }, T: { Type: "Succeed" } }), { flag: "yes" });
    expect(r.result.error).toBe("States.QueryEvaluationError");
    expect(r.result.cause).toContain("The JSONata expression '$states.input.flag' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was 'string'");
  });

  it("reads variables in Conditions", async () => {
    const r = await run(
      machine({
        Set: { Type: "Pass", Assign: { limit: 10 }, Next: "C" },
        C: { Type: "Choice", Choices: [{ Condition: "{% $states.input.n > $limit %}", Next: "Big" }], Default: "Small" },
        Big: { Type: "Pass", Output: "big", End: true },
        Small: { Type: "Pass", Output: "small", End: true },
      }),
      { n: 11 },
    );
    expect(r.result.output).toBe("big");
  });
});

// AWS developer guide, "Wait workflow state": Seconds or Timestamp, as literals or JSONata
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
describe("Wait", () => {
  it("waits Seconds (literal) on the clock, then passes its input on", async () => {
    const r = await run(machine({ wait_ten_seconds: { Type: "Wait", Seconds: 10, Next: "Done" }, Done: { Type: "Succeed" } }), { a: 1 });
    expect(r.result).toEqual({ status: "SUCCEEDED", output: { a: 1 } });
    expect(r.at(r.of("WaitStateExited")[0]!)).toBe(10_000);
  });

  it("waits Seconds given by JSONata", async () => {
    const r = await run(machine({ W: { Type: "Wait", Seconds: "{% $states.input.delay %}", End: true } }), { delay: 42 });
    expect(r.clock.now() - r.started).toBe(42_000);
  });

  it("waits until a literal Timestamp", async () => {
    const clock = new VirtualClock(Date.parse("2016-03-14T01:58:00Z"));
    const r = await run(machine({ wait_until: { Type: "Wait", Timestamp: "2016-03-14T01:59:00Z", End: true } }), {}, { clock });
    expect(new Date(clock.now()).toISOString()).toBe("2016-03-14T01:59:00.000Z");
    expect(r.at(r.of("WaitStateExited")[0]!)).toBe(60_000);
  });

  it("waits until a Timestamp given by JSONata, with an offset; a past timestamp does not wait", async () => {
    const clock = new VirtualClock(Date.parse("2024-05-01T10:00:00Z"));
    await run(machine({ W: { Type: "Wait", Timestamp: "{% $states.input.at %}", End: true } }), { at: "2024-05-01T12:30:00+02:00" }, { clock });
    expect(new Date(clock.now()).toISOString()).toBe("2024-05-01T10:30:00.000Z");
    const past = await run(machine({ W: { Type: "Wait", Timestamp: "{% $states.input.at %}", End: true } }), { at: "2020-01-01T00:00:00Z" }, { clock });
    expect(past.clock.now()).toBe(Date.parse("2024-05-01T10:30:00Z"));
  });

  it("refuses timestamps AWS cannot parse, naming the value (no zone, a space for T, bad month)", async () => {
    for (const at of ["2016-12-05T21:29:29", "2016-12-05 21:29:29Z", "2016-13-05T21:29:29Z"]) {
      const r = await run(machine({ WaitState: { Type: "Wait", Timestamp: "{% $states.input.at %}", End: true } }), { at });
      expect(r.result.error).toBe("States.QueryEvaluationError");
      expect(r.result.cause).toMatch(new RegExp(`The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${at}$`));
      expect(details(r.of("EvaluationFailed")[0]).location).toBe("Timestamp");
    }
  });

  it("refuses negative or fractional Seconds", async () => {
    for (const delay of [-1, 1.5, "3"]) {
      const r = await run(machine({ W: { Type: "Wait", Seconds: "{% $states.input.delay %}", End: true } }), { delay });
      expect(r.result.error).toBe("States.QueryEvaluationError");
    }
  });
});
