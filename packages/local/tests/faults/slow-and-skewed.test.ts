import { partitionOf } from "@freshet/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FaultSwitch, MidBatchHang } from "../../src/faults/index.ts";
import { generateEvents, LOCAL_RESOURCES, type GeneratedEvent } from "../../src/index.ts";
import { lines, readLake } from "../e2e/lake-reader.ts";
import { FaultPipeline, SwitchableTransformer } from "./harness.ts";

/**
 * Faults of time: a transformer invocation that outlasts its function timeout, a lake whose
 * writes are slow, producers whose clocks are ahead or whose events arrive a day late. Each is
 * driven by a hook on one platform (the transformer on the main thread, its timeout short); after
 * each, Loads run until one finds nothing, and every valid event is in `events` exactly once
 * with the audit balanced.
 */
const TIMEOUT_MS = 3_000;
const faults = new FaultSwitch();
const transformer = new SwitchableTransformer();
let pipeline: FaultPipeline;
let seed = 300;

beforeAll(async () => {
  pipeline = await FaultPipeline.start({
    faults: faults.local,
    transformerEnvironments: 0,
    transformerTimeoutMs: TIMEOUT_MS,
    wrapTransformer: transformer.wrap,
  });
}, 60_000);

afterEach(() => {
  faults.clear();
  transformer.clear();
});

afterAll(async () => {
  await pipeline?.stop();
});

describe("the transformer", () => {
  it("times out mid-batch (its uploads stop finishing after 2 objects): the batch is retried, nothing lost or doubled", async () => {
    const hang = new MidBatchHang({ afterObjects: 2 });
    transformer.use(hang.wrap);
    faults.use({ lake: hang.lake });
    const errorsBefore = pipeline.platform.mapping.counters.functionErrors;
    await pipeline.ingest(300, seed++); // returns once the stream is drained, retries included
    const { batchId, firstSequence, stored, held } = await hang.hung;
    expect(stored).toHaveLength(2);
    expect(held).toBeGreaterThan(0); // so its receipt can never land
    // Only the timeout ends a hung invocation (middy's timeoutEarlyResponse, just before the
    // function timeout, as in Lambda); the mapping then retried its records.
    expect(pipeline.platform.mapping.counters.functionErrors).toBeGreaterThan(errorsBefore);
    expect(hang.invocations.filter((i) => i.first === firstSequence).length).toBeGreaterThan(1);
    expect((await pipeline.lakeKeys("receipts/")).filter((key) => key.includes(batchId))).toEqual([]);
    await pipeline.loadEverything();
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);
});

describe("the lake", () => {
  it("is slow (every PutObject held until a Load has run, then released): nothing is loaded early, nothing lost", async () => {
    const release = Promise.withResolvers<void>();
    const firstHeld = Promise.withResolvers<void>();
    let held = 0;
    faults.use({
      lake: {
        putObject: () => {
          held += 1;
          firstHeld.resolve();
          return release.promise;
        },
      },
    });
    const ingesting = pipeline.ingestEvents(generateEvents(200, new Date(), seed++));
    await firstHeld.promise;
    // A Load while the batch's objects (receipt last) are still uploading finds no work.
    const early = await pipeline.load();
    expect(early.status, JSON.stringify(early)).toBe("SUCCEEDED");
    expect(early.output?.loaded).toBe(false);
    release.resolve();
    await ingesting;
    expect(held).toBeGreaterThan(1);
    faults.clear();
    await pipeline.loadEverything();
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);
});

describe("producers' clocks", () => {
  it("10 minutes ahead: a dead letter (rule_violation); 4 minutes ahead and a day late: loaded in their own partitions; the audit balances", async () => {
    const now = Date.now();
    const event = (id: string, at: number): string =>
      JSON.stringify({ schema_version: 2, event_id: id, event_type: "page_view", occurred_at: new Date(at).toISOString(), user_id: "u-clock", account_id: "a-clock" });
    const ahead = now + 10 * 60_000;
    const slightlyAhead = now + 4 * 60_000;
    const dayLate = now - 24 * 3_600_000 - 5 * 60_000;
    const events: GeneratedEvent[] = [
      { line: event("clock-ahead-10m", ahead), expected: { kind: "dead_lettered", reason: "rule_violation" } },
      { line: event("clock-ahead-4m", slightlyAhead), expected: { kind: "processed", eventId: "clock-ahead-4m", partition: partitionOf(new Date(slightlyAhead)) } },
      { line: event("clock-day-late", dayLate), expected: { kind: "processed", eventId: "clock-day-late", partition: partitionOf(new Date(dayLate)) } },
      ...generateEvents(100, new Date(now), seed++),
    ];
    await pipeline.ingestEvents(events);
    await pipeline.loadEverything();
    await pipeline.expectExactlyOnceAndBalanced();
    const rows = await pipeline.rows("SELECT event_id, occurred_at FROM events WHERE event_id LIKE 'clock-%' ORDER BY event_id");
    expect(rows.map((r) => [r[0], Date.parse(String(r[1]).replace(" ", "T") + (String(r[1]).endsWith("Z") ? "" : "Z"))])).toEqual([
      ["clock-ahead-4m", slightlyAhead],
      ["clock-day-late", dayLate],
    ]);
    // The lake keeps each in its event-time partition; the dead letter under its reason.
    const { dt, hr } = partitionOf(new Date(dayLate));
    expect((await pipeline.lakeKeys(`processed/dt=${dt}/hr=${hr}/`)).length).toBeGreaterThan(0);
    const deadLetters = [...(await readLake(pipeline.clients.s3, LOCAL_RESOURCES.bucketName, "dlq/")).entries()].flatMap(([key, body]) =>
      lines(body).filter((line) => line.includes("clock-ahead-10m")).map((line) => ({ key, line })),
    );
    expect(deadLetters).toEqual([{ key: expect.stringContaining("reason=rule_violation"), line: expect.stringMatching(/in the future; at most 5 ?min/) }]);
  }, 60_000);
});
