import { WorkflowNameError, logGroupName, ruleName, scheduleName, stateMachineArn, stateMachineName } from "@freshet/workflows";
import { describe, expect, it } from "vitest";
import { CI_RESOURCES, CN_RESOURCES } from "./support/resources.ts";

const local = { app: "freshet", stage: "local" };

describe("physical names", () => {
  it("prefixes app and stage as SST names the stage's resources", () => {
    expect(stateMachineName(local, "LakeFreshness")).toBe("freshet-local-LakeFreshness");
    expect(scheduleName(local, "LakeFreshness", "Every5Minutes")).toBe("freshet-local-LakeFreshness-Every5Minutes");
    expect(ruleName(local, "Load", "DeadLettersLanded")).toBe("freshet-local-Load-DeadLettersLanded");
    expect(logGroupName(local, "LakeFreshness")).toBe("/aws/vendedlogs/states/freshet-local-LakeFreshness");
  });

  it("builds ARNs in the stage's partition, region and account", () => {
    expect(stateMachineArn(CI_RESOURCES, "LakeFreshness")).toBe("arn:aws:states:us-east-1:123456789012:stateMachine:freshet-ci-LakeFreshness");
    expect(stateMachineArn(CN_RESOURCES, "LakeFreshness")).toBe(
      "arn:aws-cn:states:cn-north-1:210987654321:stateMachine:freshet-prod-cn-LakeFreshness",
    );
  });

  it("refuses names AWS would reject, saying which limit", () => {
    const longStage = { app: "freshet", stage: "x".repeat(60) };
    expect(() => stateMachineName({ app: "freshet", stage: "x".repeat(80) }, "A")).toThrow(/at most 80 characters/);
    expect(() => scheduleName(longStage, "LakeFreshness", "Every5Minutes")).toThrow(WorkflowNameError);
    expect(() => ruleName(longStage, "Load", "X")).toThrow(/at most 64/);
    expect(() => stateMachineName({ app: "freshet", stage: "dev alice" }, "A")).toThrow(/not a valid state machine name/);
    // Exactly at the limit is fine.
    expect(scheduleName({ app: "a", stage: "b" }, "C", "D".repeat(58))).toHaveLength(64);
  });
});
