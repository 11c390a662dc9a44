import { CreateStreamCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { afterEach, describe, expect, it } from "vitest";
import { EsmFixture, READS, values } from "./harness.ts";

let fixture: EsmFixture;
afterEach(async () => {
  await fixture.dispose();
});

describe.each(READS)("reading through Kinesis errors (reads %s)", (reads) => {
  it("rides out GetRecords throttling without losing or repeating records", async () => {
    let throttled = 0;
    fixture = await EsmFixture.start(1, { faults: { getRecords: () => throttled++ % 3 !== 2 } }, reads);
    await fixture.put(values("r", 45));
    const mapping = fixture.map(() => undefined, { batchSize: 10, pollIntervalMs: 5 });
    await mapping.waitForIdle({ timeoutMs: 20_000 });
    expect(fixture.delivered()).toEqual(values("r", 45));
    expect(mapping.counters.pollErrors).toBeGreaterThan(5);
  });

  it("replaces an expired shard iterator at the record after the last one read", async () => {
    let clock = Date.now();
    fixture = await EsmFixture.start(1, { now: () => clock }, reads);
    await fixture.put(values("a", 3));
    const mapping = fixture.map(() => undefined);
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    clock += 10 * 60_000; // the poller's iterator is now older than five minutes
    await fixture.put(values("b", 3));
    await mapping.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered()).toEqual([...values("a", 3), ...values("b", 3)]);
    expect(fixture.logs.some((entry) => entry.message === "Shard iterator expired; renewing it")).toBe(true);
  });

  it("waits for a stream that does not exist yet, then consumes it", async () => {
    fixture = await EsmFixture.start(1, {}, reads);
    const late = fixture.map(() => undefined, { streamName: "later" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(late.counters.pollErrors).toBeGreaterThan(0);
    await expect(late.waitForIdle({ timeoutMs: 50 })).rejects.toThrow(/Not idle after 50 ms/);
    await fixture.kinesis.client.send(new CreateStreamCommand({ StreamName: "later", ShardCount: 1 }));
    await fixture.kinesis.client.send(new PutRecordCommand({ StreamName: "later", PartitionKey: "k", Data: Buffer.from("finally") }));
    await late.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered()).toEqual(["finally"]);
  });
});
