import { describe, expect, it } from "vitest";
import {
  batchIdOf,
  DEAD_LETTER_REASONS,
  deadLetterKey,
  LAKE_PREFIXES,
  parseEventTime,
  partitionOf,
  partitionPath,
  processedKey,
  rawKey,
  receiptKey,
  type BatchRef,
} from "@freshet/core";

const ref: BatchRef = {
  shardId: "shardId-000000000003",
  firstSequenceNumber: "49590338271490256608559692538361571095921575989136588898",
  lastSequenceNumber: "49590338271490256608559692540925702759324208523137515618",
  firstArrival: new Date("2026-11-26T23:59:59.999Z"),
};
const BATCH_ID =
  "shardId-000000000003-49590338271490256608559692538361571095921575989136588898-49590338271490256608559692540925702759324208523137515618";

describe("partitions", () => {
  it.each([
    ["2026-11-26T05:00:00.000Z", "2026-11-26", "05"],
    ["2026-11-26T05:59:59.999Z", "2026-11-26", "05"],
    ["2026-11-26T23:59:59.999Z", "2026-11-26", "23"],
    ["2026-12-31T23:00:00.000Z", "2026-12-31", "23"],
    ["2027-01-01T00:00:00.000Z", "2027-01-01", "00"],
  ])("%s falls in dt=%s/hr=%s", (instant, dt, hr) => {
    expect(partitionOf(new Date(instant))).toEqual({ dt, hr });
    expect(partitionPath(partitionOf(new Date(instant)))).toBe(`dt=${dt}/hr=${hr}`);
  });

  it.each([
    ["2026-11-26T00:30:00+01:00", { dt: "2026-11-25", hr: "23" }],
    ["2026-11-26T23:30:00-05:00", { dt: "2026-11-27", hr: "04" }],
    ["2026-11-26T05:45:00+05:45", { dt: "2026-11-26", hr: "00" }],
    ["2026-11-26T05:44:59+0545", { dt: "2026-11-25", hr: "23" }],
  ])("an event at %s lands in its UTC hour", (occurredAt, partition) => {
    expect(partitionOf(parseEventTime(occurredAt) as Date)).toEqual(partition);
  });
});

describe("object keys", () => {
  it("name a batch by shard and sequence range", () => {
    expect(batchIdOf(ref)).toBe(BATCH_ID);
    expect(rawKey(ref)).toBe(`raw/dt=2026-11-26/hr=23/${BATCH_ID}.ndjson.gz`);
    expect(processedKey(ref, { dt: "2026-11-20", hr: "07" })).toBe(`processed/dt=2026-11-20/hr=07/${BATCH_ID}.ndjson.gz`);
    expect(deadLetterKey(ref, "too_deep")).toBe(`dlq/dt=2026-11-26/reason=too_deep/${BATCH_ID}.ndjson.gz`);
    expect(receiptKey(ref)).toBe(`receipts/dt=2026-11-26/hr=23/${BATCH_ID}.json`);
  });

  it("are deterministic: a redelivered batch gets the same keys", () => {
    const copy: BatchRef = { ...ref, firstArrival: new Date(ref.firstArrival.getTime()) };
    expect([batchIdOf(copy), rawKey(copy), receiptKey(copy)]).toEqual([batchIdOf(ref), rawKey(ref), receiptKey(ref)]);
  });

  it("differ when any part of the batch reference differs", () => {
    const ids = new Set([
      batchIdOf(ref),
      batchIdOf({ ...ref, shardId: "shardId-000000000004" }),
      batchIdOf({ ...ref, firstSequenceNumber: "1" }),
      batchIdOf({ ...ref, lastSequenceNumber: "2" }),
    ]);
    expect(ids.size).toBe(4);
  });

  const hostile = [
    "../x",
    "../../etc/passwd",
    "a/b/c",
    "/absolute",
    "x".repeat(10_000),
    "with space",
    "dt=2026-01-01",
    "ünïcödé",
    "back\\slash",
    "",
  ];

  it.each(hostile)("hash a hostile shard id or sequence number (%j) instead of using it", (value) => {
    const refs: BatchRef[] = [
      { ...ref, shardId: value },
      { ...ref, firstSequenceNumber: value },
      { ...ref, lastSequenceNumber: value },
    ];
    for (const r of refs) {
      const id = batchIdOf(r);
      expect(id).toMatch(/^[A-Za-z0-9_-]{1,128}-[A-Za-z0-9_-]{1,128}-[A-Za-z0-9_-]{1,128}$/);
      expect(id).toMatch(/(^|-)[0-9a-f]{32}(-|$)/);
      for (const key of [rawKey(r), processedKey(r, { dt: "2026-11-26", hr: "10" }), deadLetterKey(r, "malformed_json"), receiptKey(r)]) {
        if (value.length > 0) expect(key).not.toContain(value);
        expect(key).not.toContain("..");
        expect(key).not.toContain("//");
        expect(key.split("/")).toHaveLength(4);
      }
    }
  });

  it("keep ids that are already safe, up to 128 characters, and hash longer ones", () => {
    const at128 = "a".repeat(128);
    expect(batchIdOf({ ...ref, shardId: at128 })).toBe(`${at128}-${BATCH_ID.slice("shardId-000000000003-".length)}`);
    expect(batchIdOf({ ...ref, shardId: `${at128}a` })).toMatch(/^[0-9a-f]{32}-/);
  });

  it("distinguish different hostile values (hashes, not a shared placeholder)", () => {
    const ids = hostile.map((value) => batchIdOf({ ...ref, shardId: value }));
    expect(new Set(ids).size).toBe(hostile.length);
  });

  it("all start with their prefix and follow the partition scheme", () => {
    const partition = { dt: "2026-11-26", hr: "10" };
    const keys = [
      rawKey(ref),
      processedKey(ref, partition),
      receiptKey(ref),
      ...DEAD_LETTER_REASONS.map((reason) => deadLetterKey(ref, reason)),
      ...hostile.map((shardId) => rawKey({ ...ref, shardId })),
    ];
    const scheme = new RegExp(
      "^(?:(raw|processed)/dt=\\d{4}-\\d{2}-\\d{2}/hr=\\d{2}/[A-Za-z0-9_-]+\\.ndjson\\.gz" +
        `|dlq/dt=\\d{4}-\\d{2}-\\d{2}/reason=(?:${DEAD_LETTER_REASONS.join("|")})/[A-Za-z0-9_-]+\\.ndjson\\.gz` +
        "|receipts/dt=\\d{4}-\\d{2}-\\d{2}/hr=\\d{2}/[A-Za-z0-9_-]+\\.json)$",
    );
    for (const key of keys) {
      expect(key).toMatch(scheme);
      expect(Object.values(LAKE_PREFIXES).some((prefix) => key.startsWith(prefix))).toBe(true);
    }
  });
});
