import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  InvalidArn,
  InvalidDefinition,
  InvalidName,
  ListStateMachinesCommand,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDeleting,
  StateMachineDoesNotExist,
  StateMachineTypeNotSupported,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  SendTaskSuccessCommand,
} from "@aws-sdk/client-sfn";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import { createMachine, definition, removeDataDir, ROLE_ARN, runToEnd, startSfn, eventually, type SfnHarness } from "./harness.ts";

const PASS = definition("Done", { Done: { Type: "Pass", Output: { answer: 42 }, End: true } });

describe("state machines over the wire", () => {
  let h: SfnHarness;
  const tokens: string[] = [];
  beforeEach(async () => {
    tokens.length = 0;
    h = await startSfn({
      clock: new VirtualClock(),
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

  it("creates, describes and lists state machines with AWS's ARNs and fields", async () => {
    const created = await h.sfn.send(new CreateStateMachineCommand({ name: "Hello", definition: PASS, roleArn: ROLE_ARN }));
    expect(created.stateMachineArn).toBe("arn:aws:states:us-east-1:000000000000:stateMachine:Hello");
    expect(created.creationDate).toBeInstanceOf(Date);

    const described = await h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({
      name: "Hello",
      status: "ACTIVE",
      type: "STANDARD",
      definition: PASS,
      roleArn: ROLE_ARN,
      loggingConfiguration: { level: "OFF", includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    });
    expect(described.creationDate?.getTime()).toBe(created.creationDate?.getTime());

    for (const name of ["C", "A", "B"]) await createMachine(h, name, PASS);
    const first = await h.sfn.send(new ListStateMachinesCommand({ maxResults: 2 }));
    expect(first.stateMachines?.map((m) => m.name)).toEqual(["A", "B"]);
    const second = await h.sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.stateMachines?.map((m) => m.name)).toEqual(["C", "Hello"]);
    expect(second.nextToken).toBeUndefined();
  });

  it("is idempotent for the same definition and refuses another one under the same name", async () => {
    const first = await h.sfn.send(new CreateStateMachineCommand({ name: "Same", definition: PASS, roleArn: ROLE_ARN }));
    // Whitespace and a different role do not matter, as in AWS.
    const again = await h.sfn.send(
      new CreateStateMachineCommand({ name: "Same", definition: JSON.stringify(JSON.parse(PASS), null, 2), roleArn: `${ROLE_ARN}-2` }),
    );
    expect(again.stateMachineArn).toBe(first.stateMachineArn);
    expect(again.creationDate?.getTime()).toBe(first.creationDate?.getTime());

    const other = definition("Done", { Done: { Type: "Pass", End: true } });
    await expect(h.sfn.send(new CreateStateMachineCommand({ name: "Same", definition: other, roleArn: ROLE_ARN }))).rejects.toThrow(
      StateMachineAlreadyExists,
    );
  });

  it("rejects bad definitions at creation with the state and the field named", async () => {
    const unsupported = definition("Put", {
      Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Arguments: {}, End: true },
    });
    const error = await h.sfn
      .send(new CreateStateMachineCommand({ name: "Bad", definition: unsupported, roleArn: ROLE_ARN }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDefinition);
    expect((error as Error).message).toContain("/States/Put/Resource");

    const unknownSdk = definition("Call", {
      Call: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:s3:fetchEverything", Arguments: {}, End: true },
    });
    const sdkError = await h.sfn
      .send(new CreateStateMachineCommand({ name: "Bad", definition: unknownSdk, roleArn: ROLE_ARN }))
      .catch((e: unknown) => e);
    expect(sdkError).toBeInstanceOf(InvalidDefinition);
    expect((sdkError as Error).message).toMatch(/FetchEverythingCommand.*\/States\/Call\/Resource/);

    const broken = definition("Nowhere", { Done: { Type: "Pass", End: true } });
    await expect(h.sfn.send(new CreateStateMachineCommand({ name: "Bad", definition: broken, roleArn: ROLE_ARN }))).rejects.toThrow(
      InvalidDefinition,
    );
    await expect(h.sfn.send(new CreateStateMachineCommand({ name: "Bad", definition: "{not json", roleArn: ROLE_ARN }))).rejects.toThrow(
      /INVALID_JSON_DESCRIPTION/,
    );
    const validated = await h.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: unsupported }));
    expect(validated.result).toBe("FAIL");
    expect(validated.diagnostics?.[0]).toMatchObject({ severity: "ERROR", location: "/States/Put/Resource" });
    expect((await h.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: PASS }))).result).toBe("OK");
  });

  it("answers AWS's exceptions for names, ARNs, types and unknown machines", async () => {
    await expect(h.sfn.send(new CreateStateMachineCommand({ name: "has space", definition: PASS, roleArn: ROLE_ARN }))).rejects.toThrow(
      InvalidName,
    );
    await expect(h.sfn.send(new CreateStateMachineCommand({ name: "x".repeat(81), definition: PASS, roleArn: ROLE_ARN }))).rejects.toThrow();
    await expect(
      h.sfn.send(new CreateStateMachineCommand({ name: "Fast", definition: PASS, roleArn: ROLE_ARN, type: "EXPRESS" })),
    ).rejects.toThrow(StateMachineTypeNotSupported);
    await expect(h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "not-an-arn" }))).rejects.toThrow(InvalidArn);
    await expect(
      h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:Missing" })),
    ).rejects.toThrow(StateMachineDoesNotExist);
    // Another account's state machine does not exist here.
    await createMachine(h, "Mine", PASS);
    await expect(
      h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "arn:aws:states:us-east-1:111111111111:stateMachine:Mine" })),
    ).rejects.toThrow(StateMachineDoesNotExist);
  });

  it("updates a definition while running executions keep the one they started with", async () => {
    const waiting = definition("Hold", {
      Hold: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Arguments: { FunctionName: "hold", Payload: { token: "{% $states.context.Task.Token %}" } },
        End: true,
      },
    });
    const arn = await createMachine(h, "Evolving", waiting);
    const before = await h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await eventually(() => tokens[0]);

    const updated = await h.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: PASS }));
    expect(updated.revisionId).not.toBe(before.revisionId);
    expect((await h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).definition).toBe(PASS);
    const forExecution = await h.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(forExecution.definition).toBe(waiting);

    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: JSON.stringify({ from: "callback" }) }));
    const outcome = await h.service.waitForExecution(executionArn!);
    expect(outcome.status).toBe("SUCCEEDED");
    expect((await runToEnd(h, arn)).output).toBe(JSON.stringify({ answer: 42 }));
  });

  it("deletes at once when idle, and after the last execution when busy", async () => {
    const idle = await createMachine(h, "Idle", PASS);
    await h.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: idle }));
    await expect(h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: idle }))).rejects.toThrow(StateMachineDoesNotExist);
    // Deleting what does not exist succeeds, as in AWS.
    await h.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: idle }));

    const busy = await createMachine(
      h,
      "Busy",
      definition("Hold", {
        Hold: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Arguments: { FunctionName: "hold", Payload: { token: "{% $states.context.Task.Token %}" } },
          End: true,
        },
      }),
    );
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: busy }));
    await eventually(() => tokens[0]);
    await h.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: busy }));
    expect((await h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: busy }))).status).toBe("DELETING");
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: busy }))).rejects.toThrow(StateMachineDeleting);

    const ended = h.service.waitForExecution(executionArn!);
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: "{}" }));
    expect((await ended).status).toBe("SUCCEEDED");
    // The state machine goes with its last execution, and its executions with it.
    await expect(h.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: busy }))).rejects.toThrow(StateMachineDoesNotExist);
  });
});
