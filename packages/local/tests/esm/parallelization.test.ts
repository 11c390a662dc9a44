import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EsmFixture, STREAM } from "./harness.ts";

let fixture: EsmFixture | undefined;
afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

/** `perKey` records for each of `keys` partition keys, interleaved, into shard 0: values `k<key>:<n>`. */
async function putKeyed(f: EsmFixture, keys: number, perKey: number): Promise<string[]> {
  const all: { key: string; value: string }[] = [];
  for (let n = 0; n < perKey; n++) for (let k = 0; k < keys; k++) all.push({ key: `k${k}`, value: `k${k}:${n}` });
  const sequences: string[] = [];
  for (let i = 0; i < all.length; i += 500) {
    const chunk = all.slice(i, i + 500);
    const out = await f.kinesis.client.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: chunk.map((r) => ({ PartitionKey: r.key, ExplicitHashKey: f.hashKeys[0], Data: Buffer.from(r.value) })),
      }),
    );
    sequences.push(...(out.Records ?? []).map((r) => r.SequenceNumber!));
  }
  return sequences;
}

const keyOf = (value: string) => value.split(":")[0]!;
const indexOf = (value: string) => Number(value.split(":")[1]);

describe("ParallelizationFactor", () => {
  it("runs batches of one shard at once, never two with the same partition key, each key in order", async () => {
    fixture = await EsmFixture.start(1);
    await putKeyed(fixture, 8, 60);
    let inFlight = 0;
    let maxInFlight = 0;
    const keysInFlight = new Set<string>();
    let keyOverlap = false;
    const mapping = fixture.map(
      async (invocation) => {
        const keys = new Set(invocation.values.map(keyOf));
        for (const key of keys) if (keysInFlight.has(key)) keyOverlap = true;
        for (const key of keys) keysInFlight.add(key);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight -= 1;
        for (const key of keys) keysInFlight.delete(key);
      },
      { batchSize: 25, parallelizationFactor: 3 },
    );
    await mapping.waitForIdle({ timeoutMs: 20_000 });

    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(keyOverlap).toBe(false);
    const delivered = fixture.delivered();
    expect(delivered).toHaveLength(480);
    expect(new Set(delivered).size).toBe(480);
    for (let k = 0; k < 8; k++) {
      expect(delivered.filter((v) => keyOf(v) === `k${k}`).map(indexOf)).toEqual(Array.from({ length: 60 }, (_, n) => n));
    }
    expect(mapping.counters).toMatchObject({ recordsDelivered: 480, recordsSucceeded: 480 });
  });

  it("checkpoints only past records whose predecessors are all finished", async () => {
    fixture = await EsmFixture.start(1);
    const sequences = await putKeyed(fixture, 6, 40);
    const checkpointFile = join(fixture.dir, "checkpoints.json");
    const saved = () => JSON.parse(readFileSync(checkpointFile, "utf8")).shards["shardId-000000000000"] as string;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldFirst: string | undefined;
    const mapping = fixture.map(
      async (invocation) => {
        // The first batch that carries the very first record is held until the others have run.
        if (heldFirst === undefined && invocation.sequenceNumbers.includes(sequences[0]!)) {
          heldFirst = invocation.sequenceNumbers[0];
          await held;
        }
      },
      // A function timeout long enough that the held invocation is not timed out and retried.
      { batchSize: 10, parallelizationFactor: 2, checkpointFile, functionTimeoutMs: 60_000 },
    );
    for (let i = 0; i < 200 && fixture.invocations.length < 8; i++) await new Promise((r) => setTimeout(r, 25));
    expect(heldFirst).toBe(sequences[0]);
    // Other lanes finished batches, but nothing before the held batch's records is finished:
    // the checkpoint has not moved (no file yet, or not past the first record).
    let before: string | undefined;
    try {
      before = saved();
    } catch {
      before = undefined;
    }
    expect(before === undefined || BigInt(before) < BigInt(sequences[0]!), `checkpoint ${before}, first ${sequences[0]}, held ${heldFirst}, invocations ${fixture.invocations.map((i) => i.sequenceNumbers.length).join(",")}`).toBe(true);
    release();
    await mapping.waitForIdle({ timeoutMs: 20_000 });
    await mapping.stop();
    expect(saved()).toBe(sequences.at(-1));
  });
});
