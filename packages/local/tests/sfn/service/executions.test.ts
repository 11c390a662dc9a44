import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import { createMachine, definition, eventually, removeDataDir, runToEnd, startSfn, type SfnHarness } from "./harness.ts";

const HOLD = definition("Hold", {
  Hold: {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
    Arguments: { FunctionName: "hold", Payload: { token: "{% $states.context.Task.Token %}" } },
    Output: "{% $states.result %}",
    End: true,
  },
});
const ECHO = definition("Echo", { Echo: { Type: "Pass", Output: "{% $states.input %}", End: true } });
const FAIL = definition("Boom", { Boom: { Type: "Fail", Error: "Custom.Error", Cause: "it broke" } });

describe("executions over the wire", () => {
  let h: SfnHarness;
  let clock: VirtualClock;
  const tokens: string[] = [];
  beforeEach(async () => {
    tokens.length = 0;
    clock = new VirtualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
    h = await startSfn({
      clock,
      lambdaFunctions: {
        hold: async (event) => {
          tokens.push((event as { token: string }).token);
          return null;
        },
      },
    });
  });
  afterEach(async () => {
    await h.stop();
    await removeDataDir(h.dataDir);
  });

  it("runs an execution to its end and describes it as AWS does", async () => {
    const machine = await createMachine(h, "Echo", ECHO);
    const { executionArn, startDate } = await h.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine, name: "first", input: JSON.stringify({ n: 1 }) }),
    );
    expect(executionArn).toBe("arn:aws:states:us-east-1:000000000000:execution:Echo:first");
    expect(startDate?.toISOString()).toBe("2026-11-26T12:00:00.000Z");
    await h.service.waitForExecution(executionArn!);
    const described = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      executionArn,
      stateMachineArn: machine,
      name: "first",
      status: "SUCCEEDED",
      input: JSON.stringify({ n: 1 }),
      inputDetails: { included: true },
      outputDetails: { included: true },
    });
    expect(JSON.parse(described.output!)).toEqual({ n: 1 });
    expect(described.stopDate).toBeInstanceOf(Date);

    const metadataOnly = await h.sfn.send(new DescribeExecutionCommand({ executionArn, includedData: "METADATA_ONLY" }));
    expect(metadataOnly.input).toBeUndefined();
    expect(metadataOnly.output).toBeUndefined();
    expect(metadataOnly.inputDetails).toEqual({ included: false });

    const failed = await runToEnd(h, await createMachine(h, "Fails", FAIL));
    expect(failed).toMatchObject({ status: "FAILED", error: "Custom.Error", cause: "it broke" });
    expect(failed.output).toBeUndefined();
  });

  it("keeps execution names idempotent exactly as AWS does", async () => {
    const machine = await createMachine(h, "Holder", HOLD);
    const first = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "nightly", input: '{"a":1}' }));
    // Same name, same input, still running: the same execution.
    const again = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "nightly", input: '{"a":1}' }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    // Same name with another input: refused.
    await expect(
      h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "nightly", input: '{"a":2}' })),
    ).rejects.toThrow(ExecutionAlreadyExists);
    await eventually(() => tokens[0]);
    expect(tokens).toHaveLength(1); // the repeated start did not run the task again

    const ended = h.service.waitForExecution(first.executionArn!);
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: "{}" }));
    await ended;
    // Closed: even the same input is refused now.
    await expect(
      h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "nightly", input: '{"a":1}' })),
    ).rejects.toThrow(ExecutionAlreadyExists);
  });

  it("validates what StartExecution is given", async () => {
    const machine = await createMachine(h, "Echo", ECHO);
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: "{oops" }))).rejects.toThrow(
      InvalidExecutionInput,
    );
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: "a/b" }))).rejects.toThrow(InvalidName);
    await expect(
      h.sfn.send(new StartExecutionCommand({ stateMachineArn: `${machine}Missing` })),
    ).rejects.toThrow(StateMachineDoesNotExist);
    await expect(
      h.sfn.send(new DescribeExecutionCommand({ executionArn: "arn:aws:states:us-east-1:000000000000:execution:Echo:nope" })),
    ).rejects.toThrow(ExecutionDoesNotExist);
    // No input means "{}".
    const empty = await runToEnd(h, machine);
    expect(empty.input).toBe("{}");
  });

  it("lists executions newest first, by status, in pages", async () => {
    const echo = await createMachine(h, "Echo", ECHO);
    for (let i = 0; i < 5; i += 1) {
      await runToEnd(h, echo, { i }, `run-${i}`);
      clock.advance(1000);
    }
    const holder = await createMachine(h, "Holder", HOLD);
    await h.sfn.send(new StartExecutionCommand({ stateMachineArn: holder, name: "open" }));

    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: echo, maxResults: 2, nextToken }));
      expect(page.executions!.length).toBeLessThanOrEqual(2);
      names.push(...page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(["run-4", "run-3", "run-2", "run-1", "run-0"]);

    const running = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: holder, statusFilter: "RUNNING" }));
    expect(running.executions?.map((e) => e.name)).toEqual(["open"]);
    expect(running.executions?.[0]?.stopDate).toBeUndefined();
    const succeeded = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: holder, statusFilter: "SUCCEEDED" }));
    expect(succeeded.executions).toEqual([]);
    // A token is bound to its listing.
    const page = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: echo, maxResults: 1 }));
    await expect(
      h.sfn.send(new ListExecutionsCommand({ stateMachineArn: holder, maxResults: 1, nextToken: page.nextToken })),
    ).rejects.toThrow(InvalidToken);
  });

  it("reads the history back in AWS's event shapes, paged, reversed and without data", async () => {
    const machine = await createMachine(h, "Echo", ECHO);
    const execution = await runToEnd(h, machine, { secret: "s3cr3t" });
    const all = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn }));
    const events = all.events!;
    expect(events[0]).toMatchObject({ id: 1, previousEventId: 0, type: "ExecutionStarted" });
    expect(JSON.parse(events[0]!.executionStartedEventDetails!.input!)).toEqual({ secret: "s3cr3t" });
    expect(events.map((e) => e.type)).toEqual(["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4]);

    const paged: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 3, reverseOrder: true, nextToken }),
      );
      paged.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged.map((e) => e.id)).toEqual([4, 3, 2, 1]);

    const bare = await h.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn, includeExecutionData: false }),
    );
    expect(JSON.stringify(bare.events)).not.toContain("s3cr3t");
    expect(bare.events?.[1]?.stateEnteredEventDetails?.name).toBe("Echo");
  });

  it("passes nested histories (Map iterations) through intact", async () => {
    const machine = await createMachine(
      h,
      "Fan",
      definition("Each", {
        Each: {
          Type: "Map",
          Items: "{% $states.input.orders %}",
          ItemProcessor: { StartAt: "Double", States: { Double: { Type: "Pass", Output: "{% $states.input * 2 %}", End: true } } },
          End: true,
        },
      }),
    );
    const execution = await runToEnd(h, machine, { orders: [1, 2, 3] });
    expect(JSON.parse(execution.output!)).toEqual([2, 4, 6]);
    const { events } = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn }));
    const types = events!.map((e) => e.type);
    expect(types.filter((t) => t === "MapIterationStarted")).toHaveLength(3);
    expect(types.filter((t) => t === "MapIterationSucceeded")).toHaveLength(3);
    expect(events!.find((e) => e.type === "MapStateStarted")?.mapStateStartedEventDetails).toEqual({ length: 3 });
    expect(new Set(events!.map((e) => e.id)).size).toBe(events!.length);
  });

  it("stops a running execution with the error and cause it is given", async () => {
    const machine = await createMachine(h, "Holder", HOLD);
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine }));
    await eventually(() => tokens[0]);
    const stopped = await h.sfn.send(new StopExecutionCommand({ executionArn, error: "Operator.Stop", cause: "maintenance" }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const described = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: "ABORTED", error: "Operator.Stop", cause: "maintenance" });
    await h.service.waitForExecution(executionArn!);
    const { events } = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(events?.[0]).toMatchObject({
      type: "ExecutionAborted",
      executionAbortedEventDetails: { error: "Operator.Stop", cause: "maintenance" },
    });
    // Stopping what has ended changes nothing.
    const again = await h.sfn.send(new StopExecutionCommand({ executionArn, error: "Other" }));
    expect(again.stopDate?.getTime()).toBe(stopped.stopDate?.getTime());
    expect((await h.sfn.send(new DescribeExecutionCommand({ executionArn }))).error).toBe("Operator.Stop");
  });
});
