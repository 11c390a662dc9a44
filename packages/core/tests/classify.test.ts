import { afterEach, describe, expect, it, vi } from "vitest";
import {
  classifyRecord,
  DEAD_LETTER_REASONS,
  DEFAULT_PIPELINE_CONFIG,
  type DeadLetterReason,
  type RecordOutcome,
} from "@freshet/core";
import { ARRIVAL, bytes, anEventV1, anEventV2 } from "./helpers/factories.ts";

const classify = (data: Uint8Array, config = DEFAULT_PIPELINE_CONFIG) => classifyRecord(data, ARRIVAL, config);

function reasonOf(outcome: RecordOutcome): DeadLetterReason {
  if (outcome.kind !== "rejected") throw new Error(`expected a dead letter, got ${JSON.stringify(outcome)}`);
  return outcome.reason;
}

/** v2 event text with `properties` spliced in as raw JSON (for literals JSON.stringify cannot make). */
const withRawProperties = (raw: string) => JSON.stringify(anEventV2({ properties: {} })).replace('"properties":{}', `"properties":${raw}`);
const nest = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
/** `1e309` is valid JSON syntax that parses to Infinity. */
const infiniteRevenue = JSON.stringify(anEventV2({ currency: "USD" })).replace("}", ',"revenue":1e309}');

describe("classifyRecord: processed events", () => {
  it("turns a v1 event into the processed row, partitioned by event time", () => {
    const outcome = classify(bytes(anEventV1({ userId: 42, channel: "Paid-Search", revenue: 9.5, currency: "USD" })));
    expect(outcome).toEqual({
      kind: "processed",
      event: {
        event_id: "evt-0001",
        event_type: "page_view",
        occurred_at: "2026-11-26T10:15:00.000Z",
        received_at: "2026-11-26T10:30:00.000Z",
        user_id: "42",
        account_id: "acct-7",
        campaign_id: null,
        ad_group_id: null,
        ad_id: null,
        keyword: null,
        channel: "paid_search",
        revenue: 9.5,
        currency: "USD",
        properties: {},
        source_schema_version: 1,
        schema_version: 1,
      },
      partition: { dt: "2026-11-26", hr: "10" },
    });
  });

  it("partitions an event with an offset by its UTC hour", () => {
    const outcome = classify(bytes(anEventV2({ occurred_at: "2026-11-26T00:20:00+01:00" })), DEFAULT_PIPELINE_CONFIG);
    expect(outcome).toMatchObject({ kind: "processed", partition: { dt: "2026-11-25", hr: "23" } });
  });
});

describe("classifyRecord: every dead-letter reason is reachable", () => {
  const cases: [DeadLetterReason, string, Uint8Array][] = [
    ["malformed_json", "truncated JSON", bytes('{"event_id":"evt-1","event_type":')],
    ["malformed_json", "a NaN literal", bytes(withRawProperties('{"score":NaN}'))],
    ["malformed_json", "an empty record", new Uint8Array(0)],
    ["invalid_encoding", "bytes 0xff 0xfe", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ["invalid_encoding", "an encoded lone surrogate", new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])],
    ["too_large", "an event over 256 KiB", bytes(anEventV2({ properties: { blob: "x".repeat(256 * 1024) } }))],
    ["too_deep", "10,000 levels of nesting in properties", bytes(withRawProperties(`{"a":${nest(10_000)}}`))],
    ["too_deep", "10,000 levels of nesting as the whole record", bytes(nest(10_000))],
    ["unsupported_version", "schema_version 3", bytes(anEventV2({ schema_version: 3 }))],
    ["schema_violation", "an unknown field", bytes(anEventV2({ utm_source: "x" }))],
    ["schema_violation", "revenue 1e309 (Infinity once parsed)", bytes(infiniteRevenue)],
    ["schema_violation", "negative revenue", bytes(anEventV2({ revenue: -1, currency: "USD" }))],
    ["schema_violation", "an array instead of an event", bytes([anEventV2()])],
    ["rule_violation", "year 1900", bytes(anEventV2({ occurred_at: "1900-01-01T00:00:00Z" }))],
    ["rule_violation", "year 3000", bytes(anEventV2({ occurred_at: "3000-01-01T00:00:00Z" }))],
    ["rule_violation", "a path-traversal event type", bytes(anEventV2({ event_type: "../../etc/passwd" }))],
  ];

  it.each(cases)("%s: %s", (reason, _why, data) => {
    expect(reasonOf(classify(data))).toBe(reason);
  });

  it("covers every reason", () => {
    expect(new Set(cases.map(([reason]) => reason))).toEqual(new Set(DEAD_LETTER_REASONS));
  });

  it("measures size in bytes, with the limit itself allowed", () => {
    const data = bytes(anEventV2({ properties: { note: "é".repeat(100) } }));
    expect(classify(data, { ...DEFAULT_PIPELINE_CONFIG, maxEventBytes: data.byteLength }).kind).toBe("processed");
    expect(classify(data, { ...DEFAULT_PIPELINE_CONFIG, maxEventBytes: data.byteLength - 1 })).toEqual({
      kind: "rejected",
      reason: "too_large",
      message: `event is ${data.byteLength} bytes; the limit is ${data.byteLength - 1}`,
      errors: [],
    });
  });

  it("leaves moderate over-nesting to the precise properties rule", () => {
    const outcome = classify(bytes(withRawProperties(`{"a":${nest(100)}}`)));
    expect(outcome).toMatchObject({ kind: "rejected", reason: "rule_violation", errors: [{ path: "properties" }] });
  });

  it("does not count brackets inside strings as nesting", () => {
    expect(classify(bytes(anEventV2({ properties: { text: "[{".repeat(5000) } }))).kind).toBe("processed");
  });

  it("explains schema violations field by field and keeps the event id for triage", () => {
    expect(classify(bytes(infiniteRevenue))).toEqual({
      kind: "rejected",
      reason: "schema_violation",
      message: "revenue must be finite",
      errors: [{ path: "revenue", message: "must be finite" }],
      eventId: "evt-0001",
    });
    expect(classify(bytes(anEventV1({ userId: undefined, extra: 1 })))).toMatchObject({
      reason: "schema_violation",
      message: 'userId is required; extra unknown field "extra"; put free-form data under "properties"',
      eventId: "evt-0001",
    });
  });

  it("explains rule violations and keeps no event id for unreadable records", () => {
    expect(classify(bytes(anEventV2({ occurred_at: "3000-01-01T00:00:00Z" })))).toMatchObject({
      reason: "rule_violation",
      errors: [{ path: "occurred_at" }],
      eventId: "evt-0001",
    });
    expect(classify(bytes("{oops"))).not.toHaveProperty("eventId");
    expect(classify(bytes({ event_id: 12, event_type: "x" }))).not.toHaveProperty("eventId");
  });
});

describe("classifyRecord: filtered liveness pings", () => {
  it.each(["heartbeat", "health_check"])("%s is counted as filtered, not stored", (eventType) => {
    expect(classify(bytes(anEventV2({ event_type: eventType })))).toEqual({ kind: "filtered", eventType });
  });

  it("filters only valid events of the configured types", () => {
    const config = { ...DEFAULT_PIPELINE_CONFIG, filteredEventTypes: new Set(["synthetic_probe"]) };
    expect(classify(bytes(anEventV2({ event_type: "synthetic_probe" })), config).kind).toBe("filtered");
    expect(classify(bytes(anEventV2({ event_type: "heartbeat" })), config).kind).toBe("processed");
    expect(reasonOf(classify(bytes(anEventV2({ event_type: "heartbeat", bogus: 1 }))))).toBe("schema_violation");
  });
});

describe("classifyRecord: hostile keys", () => {
  it.each(["__proto__", "constructor", "toString"])("a top-level %j field is a schema violation naming it", (key) => {
    const text = JSON.stringify(anEventV2()).replace("}", `,"${key}":{"polluted":true}}`);
    expect(classify(bytes(text))).toMatchObject({
      kind: "rejected",
      reason: "schema_violation",
      errors: [{ path: key, message: `unknown field "${key}"; put free-form data under "properties"` }],
    });
  });

  it("keeps __proto__ and constructor inside properties exactly, without polluting Object.prototype", () => {
    const raw = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"plain":1}';
    const outcome = classify(bytes(withRawProperties(raw)));
    if (outcome.kind !== "processed") throw new Error(`expected processed, got ${JSON.stringify(outcome)}`);
    const properties = outcome.event.properties;
    expect(Object.keys(properties)).toEqual(["__proto__", "constructor", "plain"]);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(JSON.stringify(properties)).toBe(raw);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("classifyRecord: determinism", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives the same outcome for the same bytes and arrival, whatever the wall clock", () => {
    const records = [
      bytes(anEventV2({ channel: "CPC", revenue: 3, currency: "EUR", properties: { a: [1, { b: 2 }] } })),
      bytes(anEventV1({ timestamp: 1_795_688_100_000 })),
      bytes(anEventV2({ occurred_at: "2026-11-26T10:36:00Z" })),
      bytes("{nope"),
    ];
    vi.useFakeTimers({ now: new Date("2026-11-26T10:30:00Z") });
    const first = records.map((data) => classify(data));
    vi.setSystemTime(new Date("2031-01-01T00:00:00Z"));
    const again = records.map((data) => classify(new Uint8Array(data)));
    expect(again).toEqual(first);
    expect(first.map((o) => o.kind)).toEqual(["processed", "processed", "rejected", "rejected"]);
  });
});
