import { afterEach, describe, expect, it } from "vitest";
import { EsmFixture, READS, values } from "./harness.ts";

let fixture: EsmFixture;
afterEach(async () => {
  await fixture.dispose();
});

const HOUR = 3_600_000;

describe.each(READS)("maximumRecordAgeInSeconds (reads %s)", (reads) => {
  it("discards records older than the maximum age without invoking the function", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const put = await fixture.put(values("old", 4));
    let skew = 2 * HOUR; // the mapping's clock says these records are two hours old
    const mapping = fixture.map(() => undefined, { maximumRecordAgeInSeconds: 3600, now: () => Date.now() + skew });
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.invocations).toHaveLength(0);
    expect(fixture.failures).toHaveLength(1);
    expect(fixture.failures[0]).toMatchObject({
      requestContext: { condition: "RecordAgeExceeded", approximateInvokeCount: 0 },
      responseContext: {},
      KinesisBatchInfo: { startSequenceNumber: put[0]!.sequenceNumber, endSequenceNumber: put[3]!.sequenceNumber, batchSize: 4 },
    });

    skew = 0;
    await fixture.put(["fresh"]);
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered()).toEqual(["fresh"]);
  });

  it("stops retrying records that age past the maximum while they fail", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    await fixture.put(values("r", 3));
    let skew = 0;
    const mapping = fixture.map(
      () => {
        skew = 61_000; // a minute passes during the failing invocation
        throw new Error("downstream unavailable");
      },
      { maximumRecordAgeInSeconds: 60, now: () => Date.now() + skew },
    );
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    // Retries are unbounded (-1), so only the age limit ends them.
    expect(fixture.invocations).toHaveLength(1);
    expect(fixture.failures).toHaveLength(1);
    expect(fixture.failures[0]).toMatchObject({
      requestContext: { condition: "RecordAgeExceeded", approximateInvokeCount: 1 },
      responseContext: { functionError: "Unhandled" },
      KinesisBatchInfo: { batchSize: 3 },
    });
  });
});
