import { afterEach, describe, expect, it } from "vitest";
import { MappingConfigError, startEventSourceMapping } from "../../src/esm/index.ts";
import { EsmFixture, READS, values, type Invocation } from "./harness.ts";

let fixture: EsmFixture;
afterEach(async () => {
  await fixture.dispose();
});

describe.each(READS)("delivery (reads %s)", (reads) => {
  it("delivers every record once, in order within each shard, one batch in flight per shard", async () => {
    fixture = await EsmFixture.start(3, {}, reads);
    const put = [...(await fixture.put(values("a", 230), 0)), ...(await fixture.put(values("b", 120), 1)), ...(await fixture.put(values("c", 7), 2))];
    const inFlight = new Map<string, number>();
    let maxPerShard = 0;
    const mapping = fixture.map(
      async (invocation) => {
        const now = (inFlight.get(invocation.shardId) ?? 0) + 1;
        inFlight.set(invocation.shardId, now);
        maxPerShard = Math.max(maxPerShard, now);
        await new Promise((resolve) => setTimeout(resolve, 3));
        inFlight.set(invocation.shardId, now - 1);
      },
      { batchSize: 50 },
    );
    await mapping.waitForIdle({ timeoutMs: 20_000 });

    expect(maxPerShard).toBe(1);
    for (const shardId of ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]) {
      const expected = put.filter((r) => r.shardId === shardId).map((r) => r.sequenceNumber);
      const batches = fixture.invocations.filter((i) => i.shardId === shardId);
      expect(batches.flatMap((b) => b.sequenceNumbers)).toEqual(expected);
      expect(batches.every((b) => b.sequenceNumbers.length <= 50 && b.event.Records.every((r) => r.eventID.startsWith(shardId)))).toBe(true);
    }
    expect(fixture.invocations.filter((i) => i.shardId === "shardId-000000000000").map((i) => i.values.length)).toEqual([50, 50, 50, 50, 30]);
    expect(mapping.counters).toMatchObject({ recordsDelivered: 357, recordsSucceeded: 357, retries: 0, functionErrors: 0 });

    // Idle is re-established after more records arrive.
    await fixture.put(values("late", 3), 1);
    await mapping.waitForIdle({ timeoutMs: 20_000 });
    expect(fixture.delivered().filter((v) => v.startsWith("late"))).toEqual(["late0", "late1", "late2"]);
  });

  it("builds the event and context exactly as Lambda does for Kinesis", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const before = Date.now();
    const [record] = await fixture.put(["héllo"]);
    const mapping = fixture.map(() => undefined, { functionTimeoutMs: 5_000, memoryMb: 256 });
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    const invocation: Invocation = fixture.invocations[0]!;
    const event = invocation.event.Records[0]!;
    expect(Object.keys(invocation.event)).toEqual(["Records"]);
    expect(event).toEqual({
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: "pk-héllo",
        sequenceNumber: record!.sequenceNumber,
        data: Buffer.from("héllo").toString("base64"),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${record!.sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/transformer-role",
      awsRegion: "us-east-1",
      eventSourceARN: fixture.streamArn,
    });
    // Seconds with a fraction, like 1545084650.987.
    expect(event.kinesis.approximateArrivalTimestamp * 1000).toBeGreaterThanOrEqual(before - 1);
    expect(event.kinesis.approximateArrivalTimestamp * 1000).toBeLessThanOrEqual(Date.now());

    const context = invocation.context;
    expect(context).toMatchObject({
      functionName: "transformer",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:transformer",
      memoryLimitInMB: "256",
      logGroupName: "/aws/lambda/transformer",
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const remaining = context.getRemainingTimeInMillis();
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(5_000);
  });

  it("gathers records for the batching window before invoking", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const mapping = fixture.map(() => undefined, { maximumBatchingWindowInSeconds: 1 });
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    const first = Date.now();
    await fixture.put(["w1"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fixture.put(["w2", "w3"]);
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations.map((i) => i.values)).toEqual([["w1", "w2", "w3"]]);
    expect(fixture.invocations[0]!.startedAt - first).toBeGreaterThanOrEqual(900);
  });

  it("starts at the end of the stream with LATEST and at the oldest record with TRIM_HORIZON", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    await fixture.put(["old"]);
    const latest = fixture.map(() => undefined, { startingPosition: "LATEST" });
    await latest.waitForIdle({ timeoutMs: 10_000 });
    await fixture.put(["new"]);
    await latest.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered()).toEqual(["new"]);
    await latest.stop();

    const horizon = fixture.map(() => undefined, { startingPosition: "TRIM_HORIZON" });
    await horizon.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered()).toEqual(["new", "old", "new"]);
  });

  it("rejects settings AWS would reject", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const base = { kinesis: fixture.kinesis.client, streamName: "events", functionName: "f", handler: async () => undefined };
    expect(() => startEventSourceMapping({ ...base, batchSize: 10_001 })).toThrow(MappingConfigError);
    expect(() => startEventSourceMapping({ ...base, maximumRecordAgeInSeconds: 30 })).toThrow(MappingConfigError);
    expect(() => startEventSourceMapping({ ...base, maximumRetryAttempts: -2 })).toThrow(MappingConfigError);
    expect(() => startEventSourceMapping({ ...base, maximumBatchingWindowInSeconds: 301 })).toThrow(MappingConfigError);
    expect(() => startEventSourceMapping({ ...base, startingPosition: "AT_TIMESTAMP" })).toThrow(MappingConfigError);
  });
});
