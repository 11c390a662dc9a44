import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import { realClock, VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import type { Clock } from "../../../src/sfn/interpreter/contract.ts";
import type { LambdaRegistry } from "../../../src/sfn/service/index.ts";
import { createMachine, definition, eventually, removeDataDir, startSfn, type SfnHarness } from "./harness.ts";

function callback(heartbeatSeconds?: number): string {
  return definition("Approve", {
    Approve: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Arguments: { FunctionName: "ask", Payload: { token: "{% $states.context.Task.Token %}", order: "{% $states.input.order %}" } },
      ...(heartbeatSeconds ? { HeartbeatSeconds: heartbeatSeconds } : {}),
      Output: "{% $states.result %}",
      End: true,
    },
  });
}

describe(".waitForTaskToken", () => {
  let h: SfnHarness;
  const asked: { token: string; order: string }[] = [];
  async function start(clock: Clock, lambdaFunctions?: LambdaRegistry): Promise<SfnHarness> {
    asked.length = 0;
    h = await startSfn({
      clock,
      lambdaFunctions: lambdaFunctions ?? {
        ask: async (event) => {
          asked.push(event as { token: string; order: string });
          return { queued: true };
        },
      },
    });
    return h;
  }
  afterEach(async () => {
    await h.stop();
    await removeDataDir(h.dataDir);
  });

  it("completes with SendTaskSuccess's output; later answers are too late", async () => {
    await start(new VirtualClock());
    const machine = await createMachine(h, "Approval", callback());
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"order":"o-1"}' }));
    const { token, order } = await eventually(() => asked[0]);
    expect(order).toBe("o-1");
    expect((await h.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");

    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{not json" }))).rejects.toThrow(InvalidOutput);
    await h.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    const outcome = await h.service.waitForExecution(executionArn!);
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { approved: true } });

    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }))).rejects.toThrow(TaskTimedOut);
    await expect(h.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toThrow(TaskTimedOut);
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: "made-up", output: "{}" }))).rejects.toThrow(InvalidToken);
    // Shaped like the runtime's tokens, but never issued.
    const forged = Buffer.alloc(48, 7).toString("base64");
    expect(forged).toHaveLength(token.length);
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: forged, output: "{}" }))).rejects.toThrow(TaskDoesNotExist);
  });

  it("fails the task with SendTaskFailure's error and cause", async () => {
    await start(new VirtualClock());
    const machine = await createMachine(h, "Approval", callback());
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"order":"o-2"}' }));
    const { token } = await eventually(() => asked[0]);
    await h.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: "Rejected", cause: "over budget" }));
    const outcome = await h.service.waitForExecution(executionArn!);
    expect(outcome).toMatchObject({ status: "FAILED", error: "Rejected", cause: "over budget" });
    const { events } = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.find((e) => e.type === "TaskFailed")?.taskFailedEventDetails).toMatchObject({ error: "Rejected", cause: "over budget" });
  });

  it("keeps an answer that arrives before the integration call returns", async () => {
    // The callee answers from inside the call, before lambda:invoke has returned.
    await start(new VirtualClock(), {
      ask: async (event) => {
        await h.sfn.send(new SendTaskSuccessCommand({ taskToken: (event as { token: string }).token, output: '"early"' }));
        return null;
      },
    });
    const machine = await createMachine(h, "Eager", callback());
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"order":"o-3"}' }));
    expect(await h.service.waitForExecution(executionArn!)).toMatchObject({ status: "SUCCEEDED", output: "early" });
  });

  it("times the task out without heartbeats, and heartbeats keep it alive", { timeout: 15_000 }, async () => {
    // Heartbeats arrive over real HTTP, so this runs in real time (HeartbeatSeconds 1).
    await start(realClock);
    const machine = await createMachine(h, "Approval", callback(1));
    const silent = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "silent", input: '{"order":"a"}' }));
    const started = Date.now();
    const timedOut = await h.service.waitForExecution(silent.executionArn!);
    expect(timedOut).toMatchObject({ status: "FAILED", error: "States.HeartbeatTimeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const lively = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "lively", input: '{"order":"b"}' }));
    const { token } = await eventually(() => asked.find((a) => a.order === "b"));
    for (let i = 0; i < 4; i += 1) {
      await new Promise((r) => setTimeout(r, 400));
      await h.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    // 1.6 s after it started, alive thanks to the heartbeats.
    expect((await h.sfn.send(new DescribeExecutionCommand({ executionArn: lively.executionArn }))).status).toBe("RUNNING");
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }));
    expect((await h.service.waitForExecution(lively.executionArn!)).status).toBe("SUCCEEDED");
  });

  it("closes the token when the execution is stopped", async () => {
    await start(new VirtualClock());
    const machine = await createMachine(h, "Approval", callback());
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"order":"o-4"}' }));
    const { token } = await eventually(() => asked[0]);
    await h.sfn.send(new StopExecutionCommand({ executionArn }));
    await h.service.waitForExecution(executionArn!);
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }))).rejects.toThrow(TaskTimedOut);
  });
});
