import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import { createMachine, definition, eventually, removeDataDir, startSfn, type SfnHarness } from "./harness.ts";

const HOLD = {
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
  Arguments: { FunctionName: "ask", Payload: { token: "{% $states.context.Task.Token %}", seen: "{% $states.input %}" } },
  Output: "{% $states.result %}",
  End: true,
};

describe("persistence across restarts", () => {
  let h: SfnHarness;
  const asked: { token: string; seen: unknown }[] = [];
  afterEach(async () => {
    await h.stop();
    await removeDataDir(h.dataDir);
  });

  it("resumes RUNNING executions from their last checkpoint, with one history", async () => {
    asked.length = 0;
    h = await startSfn({
      clock: new VirtualClock(),
      lambdaFunctions: {
        ask: async (event) => {
          asked.push(event as { token: string; seen: unknown });
          return null;
        },
      },
    });
    const twoStep = await createMachine(
      h,
      "TwoStep",
      definition("Prepare", { Prepare: { Type: "Pass", Output: { prepared: true }, Next: "Hold" }, Hold: HOLD }),
    );
    const oneStep = await createMachine(h, "OneStep", definition("Hold", { Hold: HOLD }));
    const done = await createMachine(h, "Done", definition("Done", { Done: { Type: "Pass", End: true } }));
    const resumed = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: twoStep, name: "resumed" }));
    const fromStart = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: oneStep, name: "from-start", input: '{"n":7}' }));
    const finished = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: done, name: "finished" }));
    await h.service.waitForExecution(finished.executionArn!);
    await eventually(() => (asked.length === 2 ? asked : undefined));
    const before = asked.splice(0);

    // The process goes away with both executions waiting; a new one starts on the same data.
    h = await h.restart();
    expect(readFileSync(join(h.dataDir, "sfn", "executions", "TwoStep", "resumed", "history.jsonl"), "utf8")).toContain("PassStateExited");
    expect(existsSync(join(h.dataDir, "sfn", "state-machines", "TwoStep.json"))).toBe(true);

    // Both tasks were entered again and asked again, with the data they had.
    const after = await eventually(() => (asked.length === 2 ? asked : undefined));
    expect(after.map((a) => a.seen).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ n: 7 }, { prepared: true }]);
    // Tokens of the previous process are closed.
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: before[0]!.token, output: "{}" }))).rejects.toThrow(TaskTimedOut);
    for (const { token } of after) await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    for (const arn of [resumed.executionArn!, fromStart.executionArn!]) {
      expect(await h.service.waitForExecution(arn)).toMatchObject({ status: "SUCCEEDED", output: { ok: true } });
    }

    const { events } = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn: resumed.executionArn }));
    const types = events!.map((e) => e.type);
    expect(events!.map((e) => e.id)).toEqual(events!.map((_, i) => i + 1));
    expect(types.filter((t) => t === "ExecutionStarted")).toHaveLength(1);
    expect(types.filter((t) => t === "PassStateEntered")).toHaveLength(1);
    expect(types.filter((t) => t === "TaskStateEntered")).toHaveLength(1);
    expect(types.at(-1)).toBe("ExecutionSucceeded");

    const restartedFromScratch = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn: fromStart.executionArn }));
    expect(restartedFromScratch.events!.filter((e) => e.type === "ExecutionStarted")).toHaveLength(1);
    // Finished executions are as they were.
    expect((await h.sfn.send(new DescribeExecutionCommand({ executionArn: finished.executionArn }))).status).toBe("SUCCEEDED");
  });
});
