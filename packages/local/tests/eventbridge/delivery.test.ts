import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteRuleCommand, DisableRuleCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEndpoint } from "../../src/endpoint/server.ts";
import { TestClock, createEventBridgeService, s3ObjectCreatedEvent, type DeliveryLogEntry } from "../../src/eventbridge/index.ts";
import { createS3Service } from "../../src/s3/index.ts";
import { ACCOUNT, credentials, REGION, ROLE, startEventBridge, STATE_MACHINE, stepFunctionsStub, tempDataDir, type EventBridgeHarness } from "./harness.ts";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";

let eb: EventBridgeHarness | undefined;
afterEach(async () => {
  await eb?.dispose();
  eb = undefined;
});

const minutes = (n: number) => n * 60_000;

describe("schedule rules", () => {
  it("start the state machine every interval of a rate, counted from the rule's creation, with AWS's scheduled event", async () => {
    eb = await startEventBridge();
    const created = eb.clock.now();
    const { RuleArn } = await eb.client.send(new PutRuleCommand({ Name: "load-every-5", ScheduleExpression: "rate(5 minutes)" }));
    await eb.client.send(new PutTargetsCommand({ Rule: "load-every-5", Targets: [{ Id: "load", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
    await eb.clock.advance(minutes(4));
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(0);
    await eb.clock.advance(minutes(11));
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(3);
    expect(eb.sfn.executions.map((e) => (e.input as { time: string }).time)).toEqual(
      [5, 10, 15].map((m) => new Date(created + minutes(m)).toISOString().replace(".000Z", "Z")),
    );
    expect(eb.sfn.executions[0]!.input).toMatchObject({
      version: "0",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: ACCOUNT,
      region: REGION,
      resources: [RuleArn],
      detail: {},
    });
    expect(new Set(eb.sfn.executions.map((e) => e.name)).size).toBe(3);
  });

  it("fire cron(0/5 * * * ? *) on the clock's :00, :05, :10 and stop when disabled or deleted", async () => {
    eb = await startEventBridge({ clock: new TestClock(Date.UTC(2026, 10, 26, 10, 2, 30)) });
    await eb.client.send(new PutRuleCommand({ Name: "cron", ScheduleExpression: "cron(0/5 * * * ? *)" }));
    await eb.client.send(new PutTargetsCommand({ Rule: "cron", Targets: [{ Id: "load", Arn: STATE_MACHINE, RoleArn: ROLE, Input: "{}" }] }));
    await eb.clock.advance(minutes(13));
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(3);
    await eb.client.send(new DisableRuleCommand({ Name: "cron" }));
    await eb.clock.advance(minutes(10));
    expect(eb.sfn.executions).toHaveLength(3);
    await eb.client.send(new RemoveTargetsCommand({ Rule: "cron", Ids: ["load"] }));
    await eb.client.send(new DeleteRuleCommand({ Name: "cron" }));
    await eb.clock.advance(minutes(10));
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(3);
  });

  it("keep their grid across a restart of the service", async () => {
    eb = await startEventBridge();
    const clock = eb.clock;
    await eb.client.send(new PutRuleCommand({ Name: "hourly", ScheduleExpression: "rate(1 hour)" }));
    await eb.client.send(new PutTargetsCommand({ Rule: "hourly", Targets: [{ Id: "load", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
    await clock.advance(minutes(30));
    await eb.stop();
    const restarted = await startEventBridge({ dataDir: eb.dataDir, clock });
    try {
      await clock.advance(minutes(31));
      await restarted.events.idle();
      expect(restarted.sfn.executions).toHaveLength(1);
      expect((restarted.sfn.executions[0]!.input as { time: string }).time).toBe("2026-11-26T11:00:00Z");
    } finally {
      await restarted.stop();
    }
  });
});

describe("delivery", () => {
  const rule = async (target: object) => {
    await eb!.client.send(new PutRuleCommand({ Name: "r", ScheduleExpression: "rate(1 minute)" }));
    await eb!.client.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "t", RoleArn: ROLE, ...target } as never] }));
    await eb!.clock.advance(minutes(1));
    await eb!.events.idle();
  };

  it("retries a throttled or failing target with backoff on the clock, then delivers", async () => {
    const log: DeliveryLogEntry[] = [];
    eb = await startEventBridge({ log: (entry) => log.push(entry) });
    eb.sfn.fail("ThrottlingException", 400, 1);
    eb.sfn.fail("ServiceUnavailable", 503, 1);
    await rule({ Arn: STATE_MACHINE });
    expect(eb.sfn.executions).toHaveLength(0);
    expect(eb.events.delivery.waiting).toBe(1);
    await eb.clock.advance(1_000);
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(0);
    await eb.clock.advance(2_000);
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(1);
    expect(log.map((e) => [e.outcome, e.attempt])).toEqual([
      ["retrying", 1],
      ["retrying", 2],
      ["delivered", 3],
    ]);
  });

  it("gives up at once on an error AWS does not retry, and records the dead letter", async () => {
    const log: DeliveryLogEntry[] = [];
    eb = await startEventBridge({ log: (entry) => log.push(entry) });
    await rule({ Arn: STATE_MACHINE.replace("Load", "Missing") });
    expect(log).toEqual([expect.objectContaining({ outcome: "failed", attempt: 1 })]);
    expect(log[0]!.error).toMatch(/^StateMachineDoesNotExist/);
    const deadLetters = readFileSync(join(eb.dataDir, "eventbridge", "failed-deliveries.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(deadLetters[0]!)).toMatchObject({ arn: STATE_MACHINE.replace("Load", "Missing"), attempts: 1 });
  });

  it("gives up after the local number of attempts", async () => {
    eb = await startEventBridge({ retry: { attempts: 3 } });
    eb.sfn.fail("InternalError", 500, 10);
    await rule({ Arn: STATE_MACHINE });
    await eb.clock.advance(10_000);
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(0);
    expect(eb.events.delivery.waiting).toBe(0);
    const deadLetters = readFileSync(join(eb.dataDir, "eventbridge", "failed-deliveries.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(deadLetters[0]!)).toMatchObject({ attempts: 3 });
  });

  it("invokes a Lambda target from the local function registry with the event", async () => {
    const received: unknown[] = [];
    eb = await startEventBridge({
      functions: (name) => (name === "Triage" ? async (event: unknown, context) => void received.push({ event, fn: context.functionName }) : undefined),
    });
    await rule({ Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Triage`, RoleArn: undefined });
    expect(received).toEqual([{ event: expect.objectContaining({ "detail-type": "Scheduled Event" }), fn: "Triage" }]);
    expect(existsSync(join(eb.dataDir, "eventbridge", "failed-deliveries.jsonl"))).toBe(false);
  });
});

describe("S3 Object Created", () => {
  it("is built in the shape S3 sends to EventBridge", () => {
    const event = s3ObjectCreatedEvent({ bucket: "lake", key: "dlq/x.json", size: 5, etag: "abc", sequencer: "00A1" }, REGION, ACCOUNT, Date.UTC(2026, 0, 2));
    expect(event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Object Created",
      source: "aws.s3",
      account: ACCOUNT,
      time: "2026-01-02T00:00:00Z",
      region: REGION,
      resources: ["arn:aws:s3:::lake"],
      detail: {
        version: "0",
        bucket: { name: "lake" },
        object: { key: "dlq/x.json", size: 5, etag: "abc", sequencer: "00A1" },
        "request-id": expect.any(String),
        requester: ACCOUNT,
        "source-ip-address": "127.0.0.1",
        reason: "PutObject",
      },
    });
  });

  it("reaches a rule on the default bus when the local S3 stores an object", async () => {
    const dataDir = tempDataDir();
    const clock = new TestClock();
    const sfn = stepFunctionsStub();
    let url = "";
    const events = createEventBridgeService({ dataDir, clock, endpointUrl: () => url, log: () => undefined });
    const s3Service = createS3Service({
      dataDir,
      onObjectCreated: (e) => events.putEventInternal(s3ObjectCreatedEvent(e, REGION, ACCOUNT, clock.now())),
    });
    // Scheduler/EventBridge/Step Functions before S3: S3 is the endpoint's fallback.
    const endpoint = await startEndpoint({ services: [events, sfn.service, s3Service] });
    url = endpoint.url;
    const client = new EventBridgeClient({ endpoint: url, region: REGION, credentials });
    const s3 = new S3Client({ endpoint: url, region: REGION, credentials, forcePathStyle: true });
    try {
      const pattern = { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: ["lake"] }, object: { key: [{ prefix: "dlq/" }] } } };
      await client.send(new PutRuleCommand({ Name: "dead-letters-landed", EventPattern: JSON.stringify(pattern) }));
      await client.send(new PutTargetsCommand({ Rule: "dead-letters-landed", Targets: [{ Id: "triage", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
      await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
      await s3.send(new PutObjectCommand({ Bucket: "lake", Key: "processed/a.json", Body: "{}" }));
      await s3.send(new PutObjectCommand({ Bucket: "lake", Key: "dlq/dt=2026-01-01/reason=schema/b.json", Body: "hello" }));
      await events.idle();
      expect(sfn.executions).toHaveLength(1);
      expect(sfn.executions[0]!.input).toMatchObject({
        source: "aws.s3",
        "detail-type": "Object Created",
        detail: { bucket: { name: "lake" }, object: { key: "dlq/dt=2026-01-01/reason=schema/b.json", size: 5, etag: "5d41402abc4b2a76b9719d911017c592" } },
      });
    } finally {
      client.destroy();
      s3.destroy();
      await endpoint.close();
    }
  });
});
