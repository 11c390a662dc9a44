import { existsSync } from "node:fs";
import { join } from "node:path";
import { DescribeExecutionCommand, ExecutionDoesNotExist, ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import { createMachine, definition, eventually, removeDataDir, startSfn, type SfnHarness } from "./harness.ts";

/**
 * Finished executions are kept per state machine up to a count and a size, oldest let go first,
 * files and all: a busy `npm start` otherwise wrote 0.75 GB of histories an hour.
 */
describe("execution retention", () => {
  let h: SfnHarness;
  afterEach(async () => {
    await h.stop();
    await removeDataDir(h.dataDir);
  });

  const names = async (arn: string) =>
    ((await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions ?? []).map((e) => e.name).sort();

  it("keeps the newest finished executions of a machine past the count, leaves other machines alone, and trims again on restart", async () => {
    let release: (() => void) | undefined;
    h = await startSfn({
      clock: new VirtualClock(),
      executionRetention: { executions: 3 },
      lambdaFunctions: { hold: () => new Promise<null>((resolve) => (release = () => resolve(null))) },
    });
    const done = await createMachine(h, "Done", definition("Done", { Done: { Type: "Pass", End: true } }));
    const held = await createMachine(
      h,
      "Held",
      definition("Hold", { Hold: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { FunctionName: "hold" }, End: true } }),
    );
    const running = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: held, name: "running" }));
    await eventually(() => release);
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: done, name: `run-${i}` }));
      await h.service.waitForExecution(executionArn!);
      arns.push(executionArn!);
    }
    expect(await names(done)).toEqual(["run-2", "run-3", "run-4"]);
    await expect(h.sfn.send(new DescribeExecutionCommand({ executionArn: arns[0] }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    expect(existsSync(join(h.dataDir, "sfn", "executions", "Done", "run-0"))).toBe(false);
    expect(existsSync(join(h.dataDir, "sfn", "executions", "Done", "run-4"))).toBe(true);
    // Another machine's running execution is its own: untouched.
    expect((await h.sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }))).status).toBe("RUNNING");
    release!();
    await h.service.waitForExecution(running.executionArn!);

    await h.stop();
    h = await startSfn({ clock: new VirtualClock(), dataDir: h.dataDir, executionRetention: { executions: 2 } });
    expect(await names(done)).toEqual(["run-3", "run-4"]);
    expect(existsSync(join(h.dataDir, "sfn", "executions", "Done", "run-2"))).toBe(false);
  });

  it("lets the oldest go once a machine's files exceed the byte budget, keeping the newest however large", async () => {
    h = await startSfn({ clock: new VirtualClock(), executionRetention: { bytes: 60_000 } });
    const big = await createMachine(h, "Big", definition("Big", { Big: { Type: "Pass", Output: "{% $pad('', 10000, 'x') %}", End: true } }));
    for (let i = 0; i < 8; i++) {
      const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: big, name: `big-${i}` }));
      await h.service.waitForExecution(executionArn!);
    }
    const kept = await names(big);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(8);
    expect(kept).toContain("big-7");
    expect(kept).not.toContain("big-0");
  });
});
