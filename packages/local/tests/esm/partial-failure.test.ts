import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EsmFixture, READS, values } from "./harness.ts";

let fixture: EsmFixture;
afterEach(async () => {
  await fixture.dispose();
});

describe.each(READS)("ReportBatchItemFailures (reads %s)", (reads) => {
  it("checkpoints before the lowest failed record and retries from it, never redelivering earlier records", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("r", 10));
    const checkpointFile = join(fixture.dir, "checkpoints.json");
    let calls = 0;
    const mapping = fixture.map(
      (invocation) => {
        calls++;
        // First delivery: records 7 and 3 fail (listed out of order on purpose).
        if (calls === 1) return { batchItemFailures: [{ itemIdentifier: put[7]!.sequenceNumber }, { itemIdentifier: put[3]!.sequenceNumber }] };
        expect(invocation.sequenceNumbers[0]).toBe(put[3]!.sequenceNumber);
        return { batchItemFailures: [] };
      },
      { functionResponseTypes: ["ReportBatchItemFailures"], maximumRetryAttempts: 3, checkpointFile },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations.map((i) => i.values)).toEqual([values("r", 10), values("r", 7, 3)]);
    expect(mapping.counters).toMatchObject({ batchesInvoked: 2, partialFailures: 1, retries: 1, recordsSucceeded: 10, recordsSentToOnFailure: 0 });
    const saved = JSON.parse(readFileSync(checkpointFile, "utf8")) as { shards: Record<string, string> };
    expect(saved.shards["shardId-000000000000"]).toBe(put[9]!.sequenceNumber);
  });

  it("fails the whole batch when an itemIdentifier is empty, null or not in the batch", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("r", 4));
    const bad = [{ itemIdentifier: "" }, { itemIdentifier: null }, { itemIdentifier: "49000000000000000000000000000000000000000000000000000000" }, { id: put[1]!.sequenceNumber }];
    let calls = 0;
    const mapping = fixture.map(
      () => (calls < bad.length ? ({ batchItemFailures: [bad[calls++]] } as never) : undefined),
      { functionResponseTypes: ["ReportBatchItemFailures"], maximumRetryAttempts: 10 },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    // Each invalid answer re-delivers the entire batch from its first record.
    expect(fixture.invocations.map((i) => i.values)).toEqual(Array.from({ length: 5 }, () => values("r", 4)));
    expect(mapping.counters.retries).toBe(4);
    expect(fixture.logs.some((l) => l.message.includes("Invalid batch response"))).toBe(true);
  });

  it("sends the records from the failed one on to the on-failure destination when retries run out", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("r", 6));
    const mapping = fixture.map(
      (invocation) => {
        const failing = invocation.sequenceNumbers.indexOf(put[4]!.sequenceNumber);
        return failing >= 0 ? { batchItemFailures: [{ itemIdentifier: invocation.sequenceNumbers[failing]! }] } : undefined;
      },
      { functionResponseTypes: ["ReportBatchItemFailures"], maximumRetryAttempts: 2 },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations.map((i) => i.values)).toEqual([values("r", 6), ["r4", "r5"], ["r4", "r5"]]);
    expect(fixture.failures).toHaveLength(1);
    const failure = fixture.failures[0]!;
    expect(failure.requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 });
    expect(failure.requestContext.requestId).toBe(fixture.invocations[2]!.context.awsRequestId);
    // The function answered (no FunctionError): a partial failure is not an unhandled error.
    expect(failure.responseContext).toEqual({ statusCode: 200, executedVersion: "$LATEST" });
    expect(failure.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: put[4]!.sequenceNumber,
      endSequenceNumber: put[5]!.sequenceNumber,
      batchSize: 2,
    });
  });

  it("ignores the response when ReportBatchItemFailures is not enabled", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("r", 3));
    const mapping = fixture.map(() => ({ batchItemFailures: [{ itemIdentifier: put[0]!.sequenceNumber }] }));
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations).toHaveLength(1);
    expect(mapping.counters.recordsSucceeded).toBe(3);
  });
});
