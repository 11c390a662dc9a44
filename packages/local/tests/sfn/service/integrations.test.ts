import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetExecutionHistoryCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EndpointService } from "../../../src/endpoint/service.ts";
import { createSnsService, readAlerts, type SnsService } from "../../../src/sns/index.ts";
import { VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import { createMachine, definition, removeDataDir, runToEnd, startSfn, type SfnHarness } from "./harness.ts";

/** One Task state running `resource` with `args`, its result as the execution's output. */
function task(resource: string, args: unknown, extra: object = {}): string {
  return definition("Call", { Call: { Type: "Task", Resource: resource, Arguments: args, Output: "{% $states.result %}", End: true, ...extra } });
}

class ValidationFailed extends Error {
  override readonly name = "ValidationFailed";
}

/**
 * EventBridge's PutEvents as a test double: the embedded EventBridge service is being built
 * alongside; this answers the wire call and records what the integration sent.
 */
function eventBridgeDouble(received: unknown[]): EndpointService {
  return {
    name: "events",
    matches: (req) => req.headers["x-amz-target"] === "AWSEvents.PutEvents",
    async handle(req) {
      const { Entries } = JSON.parse(req.body.toString("utf8")) as { Entries: { Source?: string }[] };
      received.push(...Entries);
      const results = Entries.map((e, i) => (e.Source ? { EventId: `event-${i}` } : { ErrorCode: "InvalidArgument", ErrorMessage: "Source is required" }));
      return {
        status: 200,
        headers: { "content-type": "application/x-amz-json-1.1" },
        body: JSON.stringify({ Entries: results, FailedEntryCount: results.filter((r) => "ErrorCode" in r).length }),
      };
    },
  };
}

describe("task integrations", () => {
  let h: SfnHarness;
  let sns: SnsService;
  const events: unknown[] = [];
  const invocations: { event: unknown; functionName: string }[] = [];

  beforeAll(async () => {
    const clock = new VirtualClock();
    const dataDir = await mkdtemp(join(tmpdir(), "freshet-sfn-integrations-"));
    sns = createSnsService({ dataDir, topics: [{ name: "OpsAlerts" }], log: () => undefined });
    h = await startSfn({
      dataDir,
      clock,
      services: [sns, eventBridgeDouble(events)],
      lambdaFunctions: {
        add: async (event, context) => {
          invocations.push({ event, functionName: context.functionName });
          const { a, b } = event as { a: number; b: number };
          return { sum: a + b };
        },
        reject: async () => {
          throw new ValidationFailed("order o-9 has no lines");
        },
      },
    });
    await h.s3.send(new CreateBucketCommand({ Bucket: "lake" }));
    for (const key of ["raw/a.json", "raw/b.json", "processed/c.json"]) {
      await h.s3.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: JSON.stringify({ key }), ContentType: "application/json" }));
    }
  });
  afterAll(async () => {
    await h.stop();
    await sns.close();
    await removeDataDir(h.dataDir);
  });

  it("calls S3 through the aws-sdk integration and answers in Step Functions' shape", async () => {
    const list = await createMachine(h, "List", task("arn:aws:states:::aws-sdk:s3:listObjectsV2", { Bucket: "lake", Prefix: "raw/" }));
    const listed = JSON.parse((await runToEnd(h, list)).output!);
    expect(listed.KeyCount).toBe(2);
    expect(listed.Contents.map((o: { Key: string }) => o.Key)).toEqual(["raw/a.json", "raw/b.json"]);
    expect(listed.Contents[0].LastModified).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(listed.$metadata).toBeUndefined();

    const get = await createMachine(h, "Get", task("arn:aws:states:::aws-sdk:s3:getObject", { Bucket: "lake", Key: "raw/b.json" }));
    const run = await runToEnd(h, get);
    const object = JSON.parse(run.output!);
    const { events } = await h.sfn.send(new GetExecutionHistoryCommand({ executionArn: run.executionArn }));
    expect(events?.find((e) => e.type === "TaskScheduled")?.taskScheduledEventDetails).toMatchObject({
      resourceType: "aws-sdk:s3",
      resource: "getObject",
      parameters: JSON.stringify({ Bucket: "lake", Key: "raw/b.json" }),
    });
    expect(events?.find((e) => e.type === "TaskSucceeded")?.taskSucceededEventDetails?.output).toBe(JSON.stringify(object));
    expect(object.Body).toBe(JSON.stringify({ key: "raw/b.json" }));
    expect(object.ContentType).toBe("application/json");
  });

  it("names S3's errors as AWS does, so Catch can match them", async () => {
    const missing = { Bucket: "lake", Key: "raw/missing.json" };
    const failing = await createMachine(h, "Missing", task("arn:aws:states:::aws-sdk:s3:getObject", missing));
    const failed = await runToEnd(h, failing);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("S3.NoSuchKeyException");
    expect(failed.cause).toMatch(/\(Service: S3, Status Code: 404, Request ID: /);

    const caught = await createMachine(
      h,
      "Caught",
      definition("Call", {
        Call: {
          Type: "Task",
          Resource: "arn:aws:states:::aws-sdk:s3:getObject",
          Arguments: missing,
          Catch: [{ ErrorEquals: ["S3.NoSuchKeyException"], Next: "Absent" }],
          End: true,
        },
        Absent: { Type: "Pass", Output: { found: false }, End: true },
      }),
    );
    expect(JSON.parse((await runToEnd(h, caught)).output!)).toEqual({ found: false });
  });

  it("maps PascalCase arguments to camelCase APIs and answers PascalCase (Step Functions' own API)", async () => {
    const target = await createMachine(h, "Target", definition("Done", { Done: { Type: "Succeed" } }));
    const describe = await createMachine(
      h,
      "Describe",
      task("arn:aws:states:::aws-sdk:sfn:describeStateMachine", { StateMachineArn: target }),
    );
    const described = JSON.parse((await runToEnd(h, describe)).output!);
    expect(described).toMatchObject({ Name: "Target", StateMachineArn: target, Status: "ACTIVE", Type: "STANDARD" });
    expect(described.CreationDate).toMatch(/^\d{4}-\d\d-\d\dT/);

    const unknown = await createMachine(
      h,
      "Unknown",
      task("arn:aws:states:::aws-sdk:sfn:describeExecution", { ExecutionArn: `${target.replace("stateMachine", "execution")}:nope` }),
    );
    expect((await runToEnd(h, unknown)).error).toBe("Sfn.ExecutionDoesNotExistException");

    const badField = await createMachine(h, "BadField", task("arn:aws:states:::aws-sdk:sfn:describeStateMachine", { Arn: target }));
    const bad = await runToEnd(h, badField);
    expect(bad.error).toBe("States.Runtime");
    expect(bad.cause).toContain("'Arn'");
  });

  it("fails with States.Runtime naming the client package when it is not installed", async () => {
    const machine = await createMachine(
      h,
      "DynamoDb",
      // Freshet does not install the DynamoDB client: the failure must name the package to add.
      task("arn:aws:states:::aws-sdk:dynamodb:getItem", { TableName: "t", Key: { id: { S: "1" } } }),
    );
    const failed = await runToEnd(h, machine);
    expect(failed.error).toBe("States.Runtime");
    expect(failed.cause).toContain("@aws-sdk/client-dynamodb");
  });

  it("invokes local functions through lambda:invoke with Lambda's result and error shapes", async () => {
    const add = await createMachine(
      h,
      "Add",
      task("arn:aws:states:::lambda:invoke", { FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:add:$LATEST", Payload: { a: 2, b: 3 } }),
    );
    const result = JSON.parse((await runToEnd(h, add)).output!);
    expect(result).toMatchObject({ ExecutedVersion: "$LATEST", Payload: { sum: 5 }, StatusCode: 200 });
    expect(result.SdkHttpMetadata.HttpStatusCode).toBe(200);
    expect(result.SdkResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(invocations.at(-1)).toEqual({ event: { a: 2, b: 3 }, functionName: "add" });

    const legacy = await createMachine(
      h,
      "Legacy",
      task("arn:aws:lambda:us-east-1:000000000000:function:add", { a: 1, b: 1 }),
    );
    expect(JSON.parse((await runToEnd(h, legacy)).output!)).toEqual({ sum: 2 });

    const reject = await createMachine(h, "Reject", task("arn:aws:states:::lambda:invoke", { FunctionName: "reject", Payload: {} }));
    const rejected = await runToEnd(h, reject);
    expect(rejected.error).toBe("ValidationFailed");
    const cause = JSON.parse(rejected.cause!);
    expect(cause).toMatchObject({ errorType: "ValidationFailed", errorMessage: "order o-9 has no lines" });
    expect(cause.trace[0]).toBe("ValidationFailed: order o-9 has no lines");

    const absent = await createMachine(h, "Absent", task("arn:aws:states:::lambda:invoke", { FunctionName: "nobody", Payload: {} }));
    const notFound = await runToEnd(h, absent);
    expect(notFound.error).toBe("Lambda.ResourceNotFoundException");
    expect(notFound.cause).toContain("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody");
  });

  it("starts other executions with states:startExecution", async () => {
    const child = await createMachine(h, "Child", definition("Echo", { Echo: { Type: "Pass", End: true } }));
    const parent = await createMachine(
      h,
      "Parent",
      task("arn:aws:states:::states:startExecution", { StateMachineArn: child, Name: "from-parent", Input: { order: "o-1" } }),
    );
    const started = JSON.parse((await runToEnd(h, parent)).output!);
    expect(started.ExecutionArn).toBe(`${child.replace(":stateMachine:", ":execution:")}:from-parent`);
    expect(typeof started.StartDate).toBe("number");
    expect(started.SdkHttpMetadata.HttpStatusCode).toBe(200);
    const childRun = await h.service.waitForExecution(started.ExecutionArn);
    expect(childRun).toMatchObject({ status: "SUCCEEDED", input: { order: "o-1" } });

    // A second start under the same name with other input is the API's error, named as AWS does.
    const again = await runToEnd(h, parent, {}, "second");
    expect(again.error).toBe("StepFunctions.ExecutionAlreadyExistsException");
    expect(again.cause).toContain("Service: AWSStepFunctions");
  });

  it("publishes to SNS with sns:publish, sending a JSON message as text", async () => {
    const topicArn = sns.topicArn("OpsAlerts");
    const publish = await createMachine(
      h,
      "Alert",
      task("arn:aws:states:::sns:publish", { TopicArn: topicArn, Subject: "Load failed", Message: { load: "l-1", rows: 0 } }),
    );
    const published = JSON.parse((await runToEnd(h, publish)).output!);
    expect(published.MessageId).toBeTypeOf("string");
    expect(published.SdkHttpMetadata.HttpStatusCode).toBe(200);
    const { alerts } = await readAlerts(sns.snsDir, { topics: ["OpsAlerts"] });
    expect(alerts.at(-1)).toMatchObject({ subject: "Load failed", message: JSON.stringify({ load: "l-1", rows: 0 }) });

    const nowhere = await createMachine(
      h,
      "Nowhere",
      task("arn:aws:states:::sns:publish", { TopicArn: `${topicArn}Missing`, Message: "x" }),
    );
    const failed = await runToEnd(h, nowhere);
    expect(failed.error).toMatch(/^SNS\.\w+Exception$/);
    expect(failed.cause).toContain("Service: AmazonSNS");
  });

  it("puts events with events:putEvents, adding the execution to each entry's resources", async () => {
    const put = await createMachine(
      h,
      "Announce",
      task("arn:aws:states:::events:putEvents", {
        Entries: [{ Source: "freshet.load", DetailType: "LoadCompleted", Detail: { rows: 10 }, Resources: ["arn:aws:s3:::lake"] }],
      }),
    );
    const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: put }));
    const outcome = await h.service.waitForExecution(executionArn!);
    expect(outcome.output).toEqual({ Entries: [{ EventId: "event-0" }], FailedEntryCount: 0 });
    expect(events.at(-1)).toEqual({
      Source: "freshet.load",
      DetailType: "LoadCompleted",
      Detail: JSON.stringify({ rows: 10 }),
      Resources: ["arn:aws:s3:::lake", put, executionArn],
    });

    const partial = await createMachine(
      h,
      "Partial",
      task("arn:aws:states:::events:putEvents", { Entries: [{ DetailType: "NoSource", Detail: {} }] }),
    );
    const failed = await runToEnd(h, partial);
    expect(failed.error).toBe("EventBridge.FailedEntry");
    expect(JSON.parse(failed.cause!)).toMatchObject({ FailedEntryCount: 1 });
  });
});
