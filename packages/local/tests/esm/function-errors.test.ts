import { afterEach, describe, expect, it } from "vitest";
import { EsmFixture, READS, values } from "./harness.ts";

let fixture: EsmFixture;
afterEach(async () => {
  await fixture.dispose();
});

class PoisonError extends Error {
  override readonly name = "PoisonError";
}

describe.each(READS)("function errors (reads %s)", (reads) => {
  it("bisects a failing batch into halves until the poison record is alone, then gives up on it and moves on", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("r", 8));
    const mapping = fixture.map(
      (invocation) => {
        if (invocation.values.includes("r5")) throw new PoisonError("cannot transform r5");
      },
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 2, batchSize: 8 },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations.map((i) => i.values.join(","))).toEqual([
      "r0,r1,r2,r3,r4,r5,r6,r7",
      "r0,r1,r2,r3",
      "r4,r5,r6,r7",
      "r4,r5",
      "r4",
      "r5", // alone: now each failure spends a retry
      "r5",
      "r5",
      "r6,r7",
    ]);
    expect(mapping.counters).toMatchObject({
      bisections: 3,
      retries: 2,
      functionErrors: 6,
      recordsSucceeded: 7,
      recordsSentToOnFailure: 1,
      onFailureRecords: 1,
    });
    const failure = fixture.failures[0]!;
    expect(failure).toMatchObject({
      requestContext: {
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:transformer",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 6, // r5 was in six invocations
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      KinesisBatchInfo: {
        shardId: "shardId-000000000000",
        startSequenceNumber: put[5]!.sequenceNumber,
        endSequenceNumber: put[5]!.sequenceNumber,
        batchSize: 1,
        streamArn: fixture.streamArn,
      },
    });
    expect(failure.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const arrival = fixture.invocations[0]!.event.Records[5]!.kinesis.approximateArrivalTimestamp;
    expect(Date.parse(failure.KinesisBatchInfo.approximateArrivalOfFirstRecord)).toBe(Math.round(arrival * 1000));

    // The shard is not blocked: later records flow.
    await fixture.put(["after"]);
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered().at(-1)).toBe("after");
  });

  it("retries a failing batch whole without bisecting, then sends one on-failure record for it and continues", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("r", 5));
    const mapping = fixture.map(
      (invocation) => {
        if (invocation.values.includes("r2")) throw new Error("boom");
      },
      { maximumRetryAttempts: 2, retryBackoffMs: 40, maxRetryBackoffMs: 1000, batchSize: 5 },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations.map((i) => i.values)).toEqual([values("r", 5), values("r", 5), values("r", 5)]);
    // Exponential backoff between attempts: 40 ms, then 80 ms.
    const gaps = fixture.invocations.slice(1).map((inv, i) => inv.startedAt - fixture.invocations[i]!.startedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(fixture.failures).toHaveLength(1);
    expect(fixture.failures[0]!.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: put[0]!.sequenceNumber,
      endSequenceNumber: put[4]!.sequenceNumber,
      batchSize: 5,
    });
    expect(fixture.failures[0]!.requestContext.approximateInvokeCount).toBe(3);
    await fixture.put(["next"]);
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered().at(-1)).toBe("next");
    expect(mapping.counters).toMatchObject({ retries: 2, functionErrors: 3, recordsSentToOnFailure: 5, recordsSucceeded: 1 });
  });

  it("gives up after the first failure with maximumRetryAttempts 0", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    await fixture.put(values("r", 3));
    const mapping = fixture.map(() => {
      throw new Error("always");
    }, { maximumRetryAttempts: 0 });
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations).toHaveLength(1);
    expect(fixture.failures.map((f) => f.KinesisBatchInfo.batchSize)).toEqual([3]);
  });

  it("retries without limit by default (-1) until the function recovers", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    await fixture.put(values("r", 2));
    let failuresLeft = 6;
    const mapping = fixture.map(() => {
      if (failuresLeft-- > 0) throw new Error("transient");
    });
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations).toHaveLength(7);
    expect(fixture.failures).toHaveLength(0);
    expect(mapping.counters).toMatchObject({ retries: 6, recordsSucceeded: 2 });
  });

  it("treats a handler running past the function timeout as a function error", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    await fixture.put(["slow"]);
    const mapping = fixture.map(() => new Promise<void>(() => undefined), { functionTimeoutMs: 100, maximumRetryAttempts: 1 });
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations).toHaveLength(2);
    expect(fixture.failures[0]!.responseContext.functionError).toBe("Unhandled");
    expect(fixture.logs.some((l) => l.message.includes("Task timed out after 0.10 seconds"))).toBe(true);
  });

  it("keeps offering an on-failure record the destination rejects, and only then moves the checkpoint", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    await fixture.put(["bad", "good"]);
    let rejections = 2;
    const accepted: string[] = [];
    const mapping = fixture.map(
      (invocation) => {
        if (invocation.values.includes("bad")) throw new Error("bad record");
      },
      {
        batchSize: 1,
        maximumRetryAttempts: 0,
        onFailure: async (record) => {
          if (rejections-- > 0) throw new Error("queue unavailable");
          accepted.push(record.KinesisBatchInfo.startSequenceNumber);
        },
      },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(accepted).toHaveLength(1);
    expect(fixture.invocations.map((i) => i.values)).toEqual([["bad"], ["good"]]);
    expect(fixture.logs.filter((l) => l.message.includes("on-failure destination rejected"))).toHaveLength(2);
  });
});
