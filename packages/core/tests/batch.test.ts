import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BufferPool,
  DEFAULT_PIPELINE_CONFIG,
  planBatch,
  ReleasedObjectError,
  type BatchPlan,
  type LakeObject,
  type StreamBatch,
} from "@freshet/core";
import { anEventV1, anEventV2 } from "./helpers/factories.ts";

const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/freshet-events";
const SHARD = "shardId-000000000000";
const BATCH_ID = `${SHARD}-100-108`;

/** Nine records over two arrival hours, one of every fate, built fresh on each call. */
function mixedBatch(): StreamBatch {
  const records: [string, string | Uint8Array][] = [
    ["2026-11-26T10:59:58Z", JSON.stringify(anEventV2({ event_id: "evt-a", occurred_at: "2026-11-26T10:15:00Z" }))],
    ["2026-11-26T10:59:58Z", JSON.stringify(anEventV1({ eventId: "evt-b", timestamp: 1_795_686_600 }))], // 09:50Z
    ["2026-11-26T10:59:59Z", JSON.stringify(anEventV2({ event_id: "evt-c", event_type: "heartbeat" }))],
    ["2026-11-26T10:59:59Z", '{"event_id":"evt-d",'],
    ["2026-11-26T11:00:01Z", JSON.stringify(anEventV2({ event_id: "evt-e", schema_version: 9 }))],
    ["2026-11-26T11:00:01Z", JSON.stringify(anEventV2({ event_id: "evt-f", occurred_at: "2026-11-26T11:20:00+01:00" }))],
    ["2026-11-26T11:00:02Z", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ["2026-11-26T11:00:02Z", JSON.stringify(anEventV2({ event_id: "evt-h", occurred_at: "2026-11-26T13:00:00Z" }))],
    ["2026-11-26T11:00:03Z", "not json"],
  ];
  return {
    streamArn: STREAM_ARN,
    shardId: SHARD,
    records: records.map(([arrival, data], i) => ({
      // Small Buffers share a pool: their bytes start at an offset into a larger ArrayBuffer.
      data: typeof data === "string" ? Buffer.from(data) : data,
      sequenceNumber: String(100 + i),
      partitionKey: `pk-${i}`,
      arrivedAt: new Date(arrival),
    })),
  };
}

const lines = (object: LakeObject | undefined) => (object?.body ?? "").trimEnd().split("\n").map((l) => JSON.parse(l));
const byKey = (plan: BatchPlan, key: string) => plan.objects.find((o) => o.key === key);
const base64 = (data: Uint8Array) => Buffer.from(data).toString("base64");

describe("planBatch over a mixed batch", () => {
  const batch = mixedBatch();
  const plan = planBatch(batch, DEFAULT_PIPELINE_CONFIG);

  it("exercises records that are views into a shared buffer", () => {
    expect(batch.records.some((r) => r.data.byteOffset > 0)).toBe(true);
  });

  it("writes raw first, processed by event-time partition, dead letters by reason, the receipt last", () => {
    expect(plan.batchId).toBe(BATCH_ID);
    expect(plan.objects.map((o) => [o.kind, o.key])).toEqual([
      ["raw", `raw/dt=2026-11-26/hr=10/${BATCH_ID}.ndjson.gz`],
      ["processed", `processed/dt=2026-11-26/hr=10/${BATCH_ID}.ndjson.gz`],
      ["processed", `processed/dt=2026-11-26/hr=09/${BATCH_ID}.ndjson.gz`],
      ["dead_letters", `dlq/dt=2026-11-26/reason=malformed_json/${BATCH_ID}.ndjson.gz`],
      ["dead_letters", `dlq/dt=2026-11-26/reason=unsupported_version/${BATCH_ID}.ndjson.gz`],
      ["dead_letters", `dlq/dt=2026-11-26/reason=invalid_encoding/${BATCH_ID}.ndjson.gz`],
      ["dead_letters", `dlq/dt=2026-11-26/reason=rule_violation/${BATCH_ID}.ndjson.gz`],
      ["receipt", `receipts/dt=2026-11-26/hr=10/${BATCH_ID}.json`],
    ]);
    for (const o of plan.objects) {
      expect([o.gzip, o.contentType]).toEqual(o.kind === "receipt" ? [false, "application/json"] : [true, "application/x-ndjson"]);
      if (o.kind !== "receipt") expect(o.body.endsWith("}\n")).toBe(true);
    }
  });

  it("keeps every record in the raw object as its exact bytes, base64", () => {
    expect(lines(plan.objects[0])).toEqual(
      batch.records.map((r, i) => ({
        sequence_number: String(100 + i),
        partition_key: `pk-${i}`,
        approximate_arrival: r.arrivedAt.toISOString(),
        data_base64: base64(r.data),
      })),
    );
  });

  it("groups processed rows by the hour the event occurred, not arrived", () => {
    const hour10 = lines(byKey(plan, `processed/dt=2026-11-26/hr=10/${BATCH_ID}.ndjson.gz`));
    expect(hour10.map((e) => [e.event_id, e.occurred_at, e.received_at])).toEqual([
      ["evt-a", "2026-11-26T10:15:00.000Z", "2026-11-26T10:59:58.000Z"],
      ["evt-f", "2026-11-26T10:20:00.000Z", "2026-11-26T11:00:01.000Z"],
    ]);
    const hour09 = lines(byKey(plan, `processed/dt=2026-11-26/hr=09/${BATCH_ID}.ndjson.gz`));
    expect(hour09).toEqual([
      {
        event_id: "evt-b",
        event_type: "page_view",
        occurred_at: "2026-11-26T09:50:00.000Z",
        received_at: "2026-11-26T10:59:58.000Z",
        user_id: "user-42",
        account_id: "acct-7",
        campaign_id: null,
        ad_group_id: null,
        ad_id: null,
        keyword: null,
        channel: "unknown",
        revenue: null,
        currency: null,
        properties: {},
        source_schema_version: 1,
        schema_version: 1,
      },
    ]);
  });

  it("writes dead letters with the reason, the original bytes and where the record came from", () => {
    const malformed = lines(byKey(plan, `dlq/dt=2026-11-26/reason=malformed_json/${BATCH_ID}.ndjson.gz`));
    expect(malformed).toHaveLength(2);
    expect(malformed[0]).toEqual({
      dead_letter_version: 1,
      reason: "malformed_json",
      message: expect.stringMatching(/^event is not valid JSON: /),
      errors: [],
      event_id: null,
      original_base64: Buffer.from('{"event_id":"evt-d",').toString("base64"),
      source: {
        stream_arn: STREAM_ARN,
        shard_id: SHARD,
        sequence_number: "103",
        partition_key: "pk-3",
        approximate_arrival: "2026-11-26T10:59:59.000Z",
      },
    });
    expect(malformed[1].source.sequence_number).toBe("108");

    const encoding = lines(byKey(plan, `dlq/dt=2026-11-26/reason=invalid_encoding/${BATCH_ID}.ndjson.gz`));
    expect(Buffer.from(encoding[0].original_base64, "base64")).toEqual(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));

    const rules = lines(byKey(plan, `dlq/dt=2026-11-26/reason=rule_violation/${BATCH_ID}.ndjson.gz`));
    expect(rules[0]).toMatchObject({ event_id: "evt-h", errors: [{ path: "occurred_at" }] });
    const version = lines(byKey(plan, `dlq/dt=2026-11-26/reason=unsupported_version/${BATCH_ID}.ndjson.gz`));
    expect(version[0]).toMatchObject({ event_id: "evt-e", errors: [{ path: "schema_version" }] });
  });

  it("accounts for every record in the receipt, per arrival hour and overall", () => {
    expect(plan.receipt).toEqual({
      receipt_version: 2,
      batch_id: BATCH_ID,
      stream_arn: STREAM_ARN,
      shard_id: SHARD,
      first_sequence_number: "100",
      last_sequence_number: "108",
      received: 9,
      redriven: 0,
      processed: 3,
      filtered: 1,
      dead_lettered: 5,
      filtered_by_type: { heartbeat: 1 },
      dead_lettered_by_reason: { malformed_json: 2, unsupported_version: 1, invalid_encoding: 1, rule_violation: 1 },
      windows: [
        { window: "2026-11-26T10", received: 4, redriven: 0, processed: 2, filtered: 1, dead_lettered: 1 },
        { window: "2026-11-26T11", received: 5, redriven: 0, processed: 1, filtered: 0, dead_lettered: 4 },
      ],
      objects: plan.objects.slice(0, -1).map((o) => o.key),
    });
    for (const w of [plan.receipt, ...plan.receipt.windows]) {
      expect(w.received).toBe(w.processed + w.filtered + w.dead_lettered);
    }
    expect(JSON.parse(plan.objects.at(-1)?.body ?? "")).toEqual(plan.receipt);
  });

  it("agrees with the objects it lists: processed lines and dead letters add up", () => {
    const count = (kind: LakeObject["kind"]) => plan.objects.filter((o) => o.kind === kind).reduce((n, o) => n + lines(o).length, 0);
    expect(count("processed")).toBe(plan.receipt.processed);
    expect(count("dead_letters")).toBe(plan.receipt.dead_lettered);
    expect(count("raw")).toBe(plan.receipt.received);
  });
});

describe("planBatch redelivery", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("plans the same objects, keys and bodies, when the same batch comes again later", () => {
    vi.useFakeTimers({ now: new Date("2026-11-26T11:00:05Z") });
    const first = planBatch(mixedBatch(), DEFAULT_PIPELINE_CONFIG);
    vi.setSystemTime(new Date("2026-12-24T00:00:00Z"));
    const again = planBatch(mixedBatch(), DEFAULT_PIPELINE_CONFIG);
    expect(again.objects).toEqual(first.objects);
    expect(again.receipt).toEqual(first.receipt);
  });
});

describe("planBatch edge cases", () => {
  it("writes no empty dead-letter or processed objects", () => {
    const batch = mixedBatch();
    const plan = planBatch({ ...batch, records: batch.records.slice(0, 1) }, DEFAULT_PIPELINE_CONFIG);
    expect(plan.batchId).toBe(`${SHARD}-100-100`);
    expect(plan.objects.map((o) => o.kind)).toEqual(["raw", "processed", "receipt"]);
    const filteredOnly = planBatch({ ...batch, records: batch.records.slice(2, 3) }, DEFAULT_PIPELINE_CONFIG);
    expect(filteredOnly.objects.map((o) => o.kind)).toEqual(["raw", "receipt"]);
    expect(filteredOnly.receipt).toMatchObject({ received: 1, filtered: 1, processed: 0, dead_lettered: 0 });
  });

  it("refuses an empty batch", () => {
    expect(() => planBatch({ streamArn: STREAM_ARN, shardId: SHARD, records: [] }, DEFAULT_PIPELINE_CONFIG)).toThrow(RangeError);
  });
});

describe("planBatch with a buffer pool", () => {
  it("plans the same objects as without one, and reuses the memory once released", () => {
    const pool = new BufferPool();
    const plain = planBatch(mixedBatch(), DEFAULT_PIPELINE_CONFIG);
    const pooled = planBatch(mixedBatch(), DEFAULT_PIPELINE_CONFIG, { pool });
    expect(pooled.objects.map((o) => [o.key, o.body])).toEqual(plain.objects.map((o) => [o.key, o.body]));
    expect(pool.freeBytes).toBe(0);
    pooled.release();
    const kept = pool.freeBytes;
    expect(kept).toBeGreaterThan(0);
    const next = planBatch(mixedBatch(), DEFAULT_PIPELINE_CONFIG, { pool });
    expect(pool.freeBytes).toBeLessThan(kept);
    expect(next.objects.map((o) => o.body)).toEqual(plain.objects.map((o) => o.body));
  });

  it("refuses to read a released plan's bodies, which the next plan may be overwriting", () => {
    const pool = new BufferPool();
    const plan = planBatch(mixedBatch(), DEFAULT_PIPELINE_CONFIG, { pool });
    plan.release();
    plan.release(); // twice is harmless
    expect(() => plan.objects[0]?.bytes).toThrow(ReleasedObjectError);
    expect(() => plan.objects[0]?.body).toThrow(ReleasedObjectError);
    // The receipt was never pooled and stays readable.
    expect(JSON.parse(plan.objects.at(-1)?.body ?? "")).toEqual(plan.receipt);
  });
});

describe("planBatch raw copies", () => {
  it("escapes hostile coordinates and keeps the stream's base64 only when it is canonical for the bytes", () => {
    const data = Buffer.from('{"event_id":"r1"}');
    const batch: StreamBatch = {
      streamArn: STREAM_ARN,
      shardId: SHARD,
      records: [
        { data, sequenceNumber: "1", partitionKey: 'quote " back \\ new\nline é 🎉', arrivedAt: new Date("2026-11-26T10:00:00Z"), dataBase64: data.toString("base64") },
        // Not the encoding of `data` at all (a caller's mistake): the raw copy re-encodes the bytes.
        { data, sequenceNumber: "2", partitionKey: "pk", arrivedAt: new Date("2026-11-26T10:00:00Z"), dataBase64: '"}\n{"oops":1' },
      ],
    };
    const raw = planBatch(batch, DEFAULT_PIPELINE_CONFIG).objects[0]?.body ?? "";
    expect(raw.endsWith("\n")).toBe(true);
    expect(raw.trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual([
      { sequence_number: "1", partition_key: 'quote " back \\ new\nline é 🎉', approximate_arrival: "2026-11-26T10:00:00.000Z", data_base64: base64(data) },
      { sequence_number: "2", partition_key: "pk", approximate_arrival: "2026-11-26T10:00:00.000Z", data_base64: base64(data) },
    ]);
  });
});
