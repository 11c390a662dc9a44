import { S3Client } from "@aws-sdk/client-s3";
import type { BatchReceipt, DeadLetter, ProcessedEvent } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents, LOCAL_RESOURCES, sendEvents, startPlatform, type GeneratedEvent, type Platform } from "../../src/index.ts";
import { lines, readLake } from "./lake-reader.ts";

/**
 * The streaming half end to end on the embedded endpoint: HTTP → ingest handler → local Kinesis
 * → event source mapping → transformer → local S3, with a batch redelivered after its writes.
 */
const EVENTS = 12_000;
const now = new Date();
let dataDir: string;
let platform: Platform;
let s3: S3Client;
let sent: GeneratedEvent[];
let redelivered: string | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-e2e-"));
  platform = await startPlatform({
    dataDir,
    batchingWindowSeconds: 0,
    // Counts the dead letters as the transformer wrote them: no triage on landing.
    triageOnLanding: false,
    // Lambda "crashes" once after writing a full batch: the mapping must deliver it again.
    wrapTransformer: (handler) => async (event, context) => {
      const response = await handler(event, context);
      if (redelivered === undefined && event.Records.length === 500) {
        redelivered = event.Records[0]?.kinesis.sequenceNumber;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      }
      return response;
    },
  });
  s3 = new S3Client({ endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  sent = generateEvents(EVENTS, now, 42);
  // Producers post concurrently, in requests of 1,000 events.
  const requests: string[][] = [];
  for (let i = 0; i < sent.length; i += 1000) requests.push(sent.slice(i, i + 1000).map((e) => e.line));
  const accepted = await Promise.all(requests.map((r) => sendEvents(platform.ingestUrl, platform.apiKey, r)));
  expect(accepted.reduce((a, b) => a + b, 0)).toBe(EVENTS);
  await platform.waitForIdle();
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  s3?.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("streaming half, end to end", () => {
  it("redelivered a batch", () => {
    expect(redelivered).toBeDefined();
  });

  it("puts every valid event in processed/ under the partition of its occurred_at, redelivery adding no copy", async () => {
    const processed = await readLake(s3, LOCAL_RESOURCES.bucketName, "processed/");
    const found = new Map<string, string[]>(); // event_id → keys it was found under
    for (const [key, body] of processed) {
      for (const line of lines(body)) {
        const event = JSON.parse(line) as ProcessedEvent;
        found.set(event.event_id, [...(found.get(event.event_id) ?? []), key]);
      }
    }
    const expectedCopies = new Map<string, { copies: number; prefix: string }>();
    for (const e of sent) {
      if (e.expected.kind !== "processed") continue;
      const { eventId, partition } = e.expected;
      const prior = expectedCopies.get(eventId);
      expectedCopies.set(eventId, { copies: (prior?.copies ?? 0) + 1, prefix: `processed/dt=${partition.dt}/hr=${partition.hr}/` });
    }
    expect(expectedCopies.size).toBeGreaterThan(EVENTS * 0.7);
    expect([...sent].some((e, i) => sent.indexOf(e) !== i)).toBe(true); // producer duplicates were sent
    for (const [eventId, { copies, prefix }] of expectedCopies) {
      const keys = found.get(eventId) ?? [];
      expect(keys, eventId).toHaveLength(copies); // exactly as often as the producer sent it
      for (const key of keys) expect(key.startsWith(prefix), `${eventId} in ${key}`).toBe(true);
    }
    expect(new Set(found.keys())).toEqual(new Set(expectedCopies.keys()));
  });

  it("dead-letters every invalid event with the right reason and its original bytes", async () => {
    const dlq = await readLake(s3, LOCAL_RESOURCES.bucketName, "dlq/");
    const actual: string[] = [];
    for (const [key, body] of dlq) {
      for (const line of lines(body)) {
        const letter = JSON.parse(line) as DeadLetter;
        expect(key).toContain(`/reason=${letter.reason}/`);
        expect(letter.source.sequence_number).toMatch(/^\d+$/);
        actual.push(`${letter.reason} ${Buffer.from(letter.original_base64, "base64").toString("utf8")}`);
      }
    }
    const expected = sent.filter((e) => e.expected.kind === "dead_lettered").map((e) => `${(e.expected as { reason: string }).reason} ${e.line}`);
    expect(expected.length).toBeGreaterThan(100);
    expect(actual.sort()).toEqual(expected.sort());
  });

  it("accounts for every event: received = processed + dead-lettered + filtered", async () => {
    const receipts = [...(await readLake(s3, LOCAL_RESOURCES.bucketName, "receipts/")).values()].map((b) => JSON.parse(b) as BatchReceipt);
    const sum = (f: (r: BatchReceipt) => number) => receipts.reduce((n, r) => n + f(r), 0);
    const count = (kind: string) => sent.filter((e) => e.expected.kind === kind).length;
    expect(sum((r) => r.received)).toBe(EVENTS);
    expect(sum((r) => r.processed)).toBe(count("processed"));
    expect(sum((r) => r.dead_lettered)).toBe(count("dead_lettered"));
    expect(sum((r) => r.filtered)).toBe(count("filtered"));
    expect(sum((r) => r.filtered_by_type.heartbeat ?? 0)).toBe(sent.filter((e) => e.expected.kind === "filtered" && e.expected.eventType === "heartbeat").length);
    expect(platform.counts()).toMatchObject({ received: EVENTS, processed: count("processed"), filtered: count("filtered"), deadLettered: count("dead_lettered") });
  });

  it("keeps one raw object per delivered batch holding the records as received", async () => {
    const raw = await readLake(s3, LOCAL_RESOURCES.bucketName, "raw/");
    const records = [...raw.values()].flatMap(lines).map((l) => JSON.parse(l) as { sequence_number: string; data_base64: string });
    expect(records).toHaveLength(EVENTS);
    expect(new Set(records.map((r) => r.sequence_number)).size).toBe(EVENTS);
    const bodies = records.map((r) => Buffer.from(r.data_base64, "base64").toString("utf8")).sort();
    expect(bodies).toEqual(sent.map((e) => e.line).sort());
  });
});
