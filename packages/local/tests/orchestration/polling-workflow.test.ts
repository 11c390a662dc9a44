import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createEventBridgeService, TestClock, type EventBridgeService } from "../../src/eventbridge/index.ts";
import { createS3Service } from "../../src/s3/index.ts";
import { createStepFunctionsService, realClock, type StepFunctionsService } from "../../src/sfn/index.ts";

/**
 * Orchestration end to end on the embedded endpoint: an EventBridge schedule rule starts a JSONata
 * state machine that polls the local S3 (Wait → aws-sdk Task → Choice loop, with a Catch), and
 * the test reads the execution and its history back through @aws-sdk/client-sfn.
 */
const REGION = "us-east-1";
const ROLE = "arn:aws:iam::000000000000:role/freshet-local";
const credentials = { accessKeyId: "local", secretAccessKey: "local" };

const definition = {
  QueryLanguage: "JSONata",
  Comment: "Waits until the bucket holds `expected` objects under markers/",
  StartAt: "Init",
  States: {
    Init: {
      Type: "Pass",
      Assign: { bucket: "{% $states.input.bucket %}", expected: "{% $states.input.expected %}", polls: 0 },
      Next: "Check",
    },
    Check: {
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:s3:listObjectsV2",
      Arguments: { Bucket: "{% $bucket %}", Prefix: "markers/" },
      Assign: { polls: "{% $polls + 1 %}", found: "{% $states.result.KeyCount %}" },
      Retry: [{ ErrorEquals: ["S3.SdkClientException"], IntervalSeconds: 1, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ["States.ALL"], Output: "{% $states.errorOutput %}", Next: "ReportFailure" }],
      Next: "Ready?",
    },
    "Ready?": {
      Type: "Choice",
      Choices: [
        { Condition: "{% $found >= $expected %}", Next: "Done" },
        { Condition: "{% $polls >= 20 %}", Next: "GaveUp" },
      ],
      Default: "Pause",
    },
    Pause: { Type: "Wait", Seconds: 1, Next: "Check" },
    Done: { Type: "Succeed", Output: "{% { 'polls': $polls, 'found': $found } %}" },
    GaveUp: { Type: "Fail", Error: "Freshet.NotReady", Cause: "markers never arrived" },
    ReportFailure: { Type: "Fail", Error: "Freshet.CheckFailed", Cause: "{% $states.input.Error & ': ' & $states.input.Cause %}" },
  },
};

let dataDir: string;
let endpoint: RunningEndpoint;
let stepFunctions: StepFunctionsService;
let eventBridge: EventBridgeService;
const clock = new TestClock(Date.UTC(2026, 10, 26, 10, 0, 0)); // EventBridge's time; the interpreter runs in real time
let sfn: SFNClient;
let s3: S3Client;
let events: EventBridgeClient;
let stateMachineArn: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-orchestration-"));
  let url = "";
  eventBridge = createEventBridgeService({ dataDir, clock, endpointUrl: () => url, log: () => undefined });
  stepFunctions = createStepFunctionsService({ dataDir, clock: realClock, endpointUrl: () => url });
  endpoint = await startEndpoint({ services: [eventBridge, stepFunctions, createS3Service({ dataDir })] });
  url = endpoint.url;
  clock.waitFor(() => eventBridge.idle());
  const config = { endpoint: url, region: REGION, credentials };
  sfn = new SFNClient(config);
  s3 = new S3Client(config);
  events = new EventBridgeClient(config);
  await s3.send(new CreateBucketCommand({ Bucket: "orchestration-lake" }));
  await s3.send(new PutObjectCommand({ Bucket: "orchestration-lake", Key: "markers/1", Body: "one" }));
  ({ stateMachineArn } = (await sfn.send(
    new CreateStateMachineCommand({ name: "WaitForMarkers", definition: JSON.stringify(definition), roleArn: ROLE }),
  )) as { stateMachineArn: string });
});

afterAll(async () => {
  for (const c of [sfn, s3, events]) c?.destroy();
  await stepFunctions?.close();
  await endpoint?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, includeExecutionData: true }));
    out.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Puts a schedule rule targeting the state machine, lets it fire once, returns the execution it started. */
async function fireSchedule(rule: string, input: { bucket: string; expected: number }): Promise<string> {
  await events.send(new PutRuleCommand({ Name: rule, ScheduleExpression: "rate(5 minutes)" }));
  await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "sm", Arn: stateMachineArn, RoleArn: ROLE, Input: JSON.stringify(input) }] }));
  const seen = new Set((await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions?.map((e) => e.executionArn));
  await clock.advance(5 * 60_000);
  const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  const started: string[] = [];
  for (const e of executions.filter((x) => !seen.has(x.executionArn))) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    if (JSON.parse(described.input as string).bucket === input.bucket) started.push(e.executionArn as string);
  }
  expect(started).toHaveLength(1); // the rule fired exactly once in five minutes
  return started[0] as string;
}

describe("a scheduled polling workflow", () => {
  it("loops Wait → Task → Choice until the bucket is ready, then succeeds", async () => {
    const arn = await fireSchedule("poll-markers", { bucket: "orchestration-lake", expected: 2 });
    // Let it poll at least once and find one object, then drop the second marker.
    for (let i = 0; i < 100 && !(await history(arn)).some((e) => e.type === "TaskSucceeded"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await s3.send(new PutObjectCommand({ Bucket: "orchestration-lake", Key: "markers/2", Body: "two" }));
    const outcome = await stepFunctions.waitForExecution(arn);
    expect(outcome.status).toBe("SUCCEEDED");

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described.status).toBe("SUCCEEDED");
    const output = JSON.parse(described.output as string) as { polls: number; found: number };
    expect(output.found).toBe(2);
    expect(output.polls).toBeGreaterThanOrEqual(2); // it went round the loop

    const events = await history(arn);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("ExecutionStarted");
    expect(types.at(-1)).toBe("ExecutionSucceeded");
    expect(types).toEqual(expect.arrayContaining(["TaskScheduled", "TaskSucceeded", "ChoiceStateEntered", "WaitStateEntered", "SucceedStateEntered"]));
    expect(types.filter((t) => t === "TaskScheduled")).toHaveLength(output.polls);
    const scheduled = events.find((e) => e.type === "TaskScheduled");
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({ resourceType: "aws-sdk:s3", resource: "listObjectsV2" });
    expect(JSON.parse(scheduled?.taskScheduledEventDetails?.parameters as string)).toEqual({ Bucket: "orchestration-lake", Prefix: "markers/" });
    const started = events[0]?.executionStartedEventDetails;
    expect(JSON.parse(started?.input as string)).toMatchObject({ bucket: "orchestration-lake", expected: 2 });
    events.forEach((e, i) => expect(e.id).toBe(i + 1));
  });

  it("catches the Task's AWS error and fails through the Catch path", async () => {
    const arn = await fireSchedule("poll-missing-bucket", { bucket: "no-such-bucket", expected: 1 });
    const outcome = await stepFunctions.waitForExecution(arn);
    expect(outcome).toMatchObject({ status: "FAILED", error: "Freshet.CheckFailed" });
    expect(outcome.cause).toMatch(/^S3\.NoSuchBucket/);
    const types = (await history(arn)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["TaskFailed", "FailStateEntered", "ExecutionFailed"]));
    expect(types).not.toContain("ChoiceStateEntered");
  });
});
