/**
 * `checkWorkflows`: a description that AWS would refuse once deployed (clashing or malformed names,
 * a schedule expression Scheduler refuses, a pattern PutRule refuses) fails here, naming what.
 */
import { InvalidEventPatternError, InvalidScheduleExpressionError } from "@freshet/eventbridge";
import {
  WORKFLOWS,
  WorkflowDescriptionError,
  WorkflowNameError,
  checkWorkflows,
  type WorkflowDescription,
  type WorkflowRule,
  type WorkflowSchedule,
} from "@freshet/workflows";
import { describe, expect, it } from "vitest";
import { CI_RESOURCES, CN_RESOURCES } from "./support/resources.ts";

const workflow = (name: string, triggers: { schedules?: string[]; rules?: string[] } = {}): WorkflowDescription => ({
  name,
  summary: "test",
  definition: () => ({ QueryLanguage: "JSONata", StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
  schedules: (triggers.schedules ?? []).map((n) => ({ name: n, expression: "rate(1 hour)" })),
  rules: (triggers.rules ?? []).map((n) => ({ name: n, bus: "freshet" as const, eventPattern: { source: ["x"] } })),
  permissions: () => [],
});

/** A workflow `Triggered` started by exactly these schedules and rules. */
const triggered = (schedules: WorkflowSchedule[], rules: WorkflowRule[] = []): WorkflowDescription => ({
  ...workflow("Triggered"),
  schedules,
  rules,
});

/** The error `checkWorkflows` throws (fails the test if it does not throw). */
function refusal(workflows: readonly WorkflowDescription[], resources = CI_RESOURCES): WorkflowDescriptionError {
  try {
    checkWorkflows(workflows, resources);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowDescriptionError);
    return error as WorkflowDescriptionError;
  }
  return expect.unreachable("checkWorkflows accepted the description");
}

describe("checkWorkflows", () => {
  it("accepts every workflow Freshet has, with any stage's resources", () => {
    expect(() => checkWorkflows(WORKFLOWS)).not.toThrow();
    expect(() => checkWorkflows(WORKFLOWS, CI_RESOURCES)).not.toThrow();
    expect(() => checkWorkflows(WORKFLOWS, CN_RESOURCES)).not.toThrow();
  });

  describe("names", () => {
    it("accepts distinct PascalCase names", () => {
      expect(() => checkWorkflows([workflow("A", { schedules: ["Hourly"], rules: ["OnLoad"] }), workflow("B", { schedules: ["Hourly"] })])).not.toThrow();
    });

    it("refuses a workflow name used twice", () => {
      expect(() => checkWorkflows([workflow("Load"), workflow("Load")])).toThrow(WorkflowDescriptionError);
    });

    it("refuses a schedule and a rule of one workflow with the same name", () => {
      expect(() => checkWorkflows([workflow("Load", { schedules: ["Nightly"], rules: ["Nightly"] })])).toThrow(/Nightly is used twice/);
    });

    it("refuses names that are not PascalCase", () => {
      expect(() => checkWorkflows([workflow("lake-freshness")])).toThrow(/PascalCase/);
      expect(() => checkWorkflows([workflow("Load", { rules: ["on_load"] })])).toThrow(WorkflowNameError);
    });
  });

  describe("schedule expressions, as EventBridge Scheduler validates them", () => {
    it.each(["rate(1 minute)", "rate(5 minutes)", "rate(1 day)", "cron(0 3 * * ? *)", "cron(0/15 8-18 ? * MON-FRI *)", "at(2027-01-01T00:00:00)"])(
      "accepts %s",
      (expression) => {
        expect(() => checkWorkflows([triggered([{ name: "Start", expression }])])).not.toThrow();
      },
    );

    it.each([
      ["cron(0 3 * * * *)", /exactly one of day-of-month and day-of-week must be '\?'/],
      ["rate(0 minutes)", /the value must be a positive integer/],
      ["rate(1 minutes)", /singular unit/],
      ["cron(0 3 * * ?)", /6 fields/],
      ["every 5 minutes", /expected rate\(value unit\) or cron\(fields\)/],
      // The local platform may run a schedule every few seconds; a description never does.
      ["rate(5 seconds)", /unit minute\(s\), hour\(s\) or day\(s\)/],
    ])("refuses %s, naming the workflow, the schedule and the reason", (expression, reason) => {
      const error = refusal([workflow("Fine", { schedules: ["Hourly"] }), triggered([{ name: "Hourly", expression: "rate(1 hour)" }, { name: "Nightly", expression }])]);
      expect(error.workflow).toBe("Triggered");
      expect(error.message).toMatch(/^Workflow Triggered: schedule Nightly: Invalid schedule expression /);
      expect(error.message).toMatch(reason);
      expect(error.cause).toBeInstanceOf(InvalidScheduleExpressionError);
      expect((error.cause as InvalidScheduleExpressionError).expression).toBe(expression);
    });
  });

  describe("rule patterns, as PutRule validates them", () => {
    it("accepts patterns with operators, fixed or built from the resources", () => {
      const rules: WorkflowRule[] = [
        { name: "LoadCompleted", bus: "freshet", eventPattern: { source: ["freshet"], detail: { rows: [{ numeric: [">", 0] }] } } },
        {
          name: "DeadLettersLanded",
          bus: "default",
          eventPattern: (r) => ({ source: ["aws.s3"], detail: { bucket: { name: [r.lakeBucket] }, object: { key: [{ prefix: "dlq/" }] } } }),
        },
      ];
      expect(() => checkWorkflows([triggered([], rules)], CI_RESOURCES)).not.toThrow();
    });

    it.each([
      ["a numeric comparison with a string", { detail: { x: [{ numeric: [">", "a"] }] } }, /Value of > must be numeric/],
      ["a leaf that is not an array", { source: "freshet" }, /"source" must be an object or an array/],
      ["an empty pattern", {}, /Empty objects are not allowed/],
      ["an unknown operator", { source: [{ "starts-with": "fresh" }] }, /Unrecognized match type starts-with/],
    ])("refuses %s, naming the workflow, the rule and AWS's reason", (_label, eventPattern, reason) => {
      const error = refusal([triggered([], [{ name: "OnLoad", bus: "freshet", eventPattern: { source: ["freshet"] } }, { name: "Broken", bus: "freshet", eventPattern }])]);
      expect(error.workflow).toBe("Triggered");
      expect(error.message).toMatch(/^Workflow Triggered: rule Broken: Event pattern is not valid\. Reason: /);
      expect(error.message).toMatch(reason);
      expect(error.cause).toBeInstanceOf(InvalidEventPatternError);
    });

    it("checks a pattern built from the resources once they are given", () => {
      const bucketNamed: WorkflowRule = { name: "DeadLettersLanded", bus: "default", eventPattern: (r) => ({ detail: { bucket: { name: r.lakeBucket } } }) };
      const description = triggered([], [bucketNamed]);
      // Unknown resources (stacks/ before Pulumi resolves them): nothing to check yet.
      expect(() => checkWorkflows([description])).not.toThrow();
      const error = refusal([description], CN_RESOURCES);
      expect(error.message).toMatch(/rule DeadLettersLanded: .*"name" must be an object or an array/);
      expect((error.cause as InvalidEventPatternError).reason).toContain("freshet-prod-cn-lake");
    });
  });
});
