import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_INGEST_LIMITS,
  MalformedBodyError,
  MAX_JSON_DEPTH,
  PayloadTooLargeError,
  REDRIVE_PARTITION_PREFIX,
  isRedrivePartitionKey,
  splitBody,
  type IngestLimits,
} from "@freshet/core";
import { anEventV1, anEventV2 } from "./helpers/factories.ts";

const split = (body: string | Buffer, contentType?: string, limits: IngestLimits = DEFAULT_INGEST_LIMITS) =>
  splitBody(typeof body === "string" ? Buffer.from(body) : body, contentType, limits);
const texts = (records: ReturnType<typeof split>) => records.map((r) => r.data.toString("utf8"));
const digest = (data: Buffer | string) => createHash("sha256").update(data).digest("hex").slice(0, 32);

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function malformed(run: () => unknown): MalformedBodyError {
  const error = thrown(run);
  expect(error).toBeInstanceOf(MalformedBodyError);
  expect((error as Error).name).toBe("MalformedBodyError");
  return error as MalformedBodyError;
}

function tooLarge(run: () => unknown): PayloadTooLargeError {
  const error = thrown(run);
  expect(error).toBeInstanceOf(PayloadTooLargeError);
  expect((error as Error).name).toBe("PayloadTooLargeError");
  return error as PayloadTooLargeError;
}

const a = anEventV2({ event_id: "evt-a" });
const b = anEventV1({ eventId: "evt-b" });

describe("splitBody: JSON", () => {
  it("splits an array into one compact record per event, keyed by event id", () => {
    const records = split(JSON.stringify([a, b], null, 2), "application/json");
    expect(texts(records)).toEqual([JSON.stringify(a), JSON.stringify(b)]);
    expect(records.map((r) => r.partitionKey)).toEqual(["evt-a", "evt-b"]);
  });

  it("takes a single object, compact or pretty-printed, as one event", () => {
    expect(texts(split(JSON.stringify(a)))).toEqual([JSON.stringify(a)]);
    expect(texts(split(`\n  ${JSON.stringify(a, null, 4)}\n`, "application/json; charset=utf-8"))).toEqual([JSON.stringify(a)]);
  });

  it("passes non-object array elements on for the transformer to dead-letter", () => {
    const records = split('[1, "x", null, []]');
    expect(texts(records)).toEqual(["1", '"x"', "null", "[]"]);
    expect(records[2]?.partitionKey).toBe(digest("null"));
  });

  it("refuses a malformed array or object as a whole", () => {
    expect(malformed(() => split('[{"event_id":"a"},')).reason).toBe("malformed_json");
    expect(malformed(() => split('{"event_id": nope}')).reason).toBe("malformed_json");
  });

  it("refuses invalid UTF-8 in a JSON array", () => {
    const body = Buffer.concat([Buffer.from('[{"event_id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]')]);
    const error = malformed(() => split(body, "application/json"));
    expect(error.reason).toBe("invalid_encoding");
    expect(error.message).toBe("the body is not valid UTF-8");
  });

  it("refuses an event nested beyond the depth limit instead of crashing on re-encoding", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const error = malformed(() => split(`[{"event_id":"x","properties":{"a":${deep}}}]`, "application/json"));
    expect(error.reason).toBe("malformed_json");
    expect(error.message).toBe(`an event nests deeper than ${MAX_JSON_DEPTH} levels`);
    // Exactly at the limit inside an array (which adds a level) is still split.
    const atLimit = `[${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}]`;
    expect(split(atLimit)).toHaveLength(1);
    expect(() => split(`[${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}]`)).toThrow(MalformedBodyError);
  });
});

describe("splitBody: NDJSON", () => {
  const lineA = JSON.stringify(a);
  const lineB = `{ "eventId" : "evt-b", "type": "click" }`; // spacing kept: lines travel as sent

  it.each(["application/x-ndjson", "application/ndjson", "application/jsonl", "Application/X-NDJSON; charset=utf-8"])(
    "splits lines with content type %s, keeping each line's exact bytes",
    (type) => {
      const records = split(`${lineA}\n${lineB}\n`, type);
      expect(texts(records)).toEqual([lineA, lineB]);
      expect(records.map((r) => r.partitionKey)).toEqual(["evt-a", "evt-b"]);
    },
  );

  it("handles CRLF, blank and whitespace-only lines, and a missing final newline", () => {
    const records = split(`\r\n${lineA}\r\n\r\n   \t\r\n${lineB}`, "application/x-ndjson");
    expect(texts(records)).toEqual([lineA, lineB]);
  });

  it("recognises NDJSON sent as application/json or without a content type", () => {
    expect(texts(split(`${lineA}\n${lineB}\n`, "application/json"))).toEqual([lineA, lineB]);
    expect(texts(split(`${lineA}\n${lineB}\n`))).toEqual([lineA, lineB]);
  });

  it("keeps a malformed line as its exact bytes, keyed by their digest, beside good lines", () => {
    const bad = '{"event_id": "evt-x", "event_type": ';
    const records = split(`${lineA}\n${bad}\n${lineB}\n`, "application/x-ndjson");
    expect(texts(records)).toEqual([lineA, bad, lineB]);
    expect(records[1]?.partitionKey).toBe(digest(bad));
  });

  it("keeps a line of invalid UTF-8 as its bytes", () => {
    const bad = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const body = Buffer.concat([Buffer.from(`${lineA}\n`), bad, Buffer.from(`\n${lineB}\n`)]);
    const records = split(body, "application/x-ndjson");
    expect(records).toHaveLength(3);
    expect(records[1]?.data).toEqual(bad);
    expect(records[1]?.partitionKey).toBe(digest(bad));
  });

  it("passes an over-deep line on as bytes: the transformer dead-letters it as too_deep", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(texts(split(`${lineA}\n${deep}\n`, "application/x-ndjson"))).toEqual([lineA, deep]);
  });

  it("gives every record its own copy of the bytes", () => {
    const body = Buffer.from(`${lineA}\n${lineB}\n`);
    const records = split(body, "application/x-ndjson");
    body.fill(0x20);
    expect(texts(records)).toEqual([lineA, lineB]);
  });
});

describe("splitBody: empty bodies", () => {
  it.each([
    ["nothing", "", undefined],
    ["whitespace", "  \r\n\t \n", "application/json"],
    ["blank NDJSON lines", "\n\r\n \n", "application/x-ndjson"],
  ])("refuses %s with empty_body", (_why, body, type) => {
    expect(malformed(() => split(body, type)).reason).toBe("empty_body");
  });
});

describe("splitBody: limits", () => {
  const limits: IngestLimits = { maxBodyBytes: 1000, maxEventBytes: 200, maxEvents: 3 };
  const event = (i: number) => JSON.stringify({ event_id: `e${i}` });

  it("accepts a request exactly at every limit", () => {
    const padded = JSON.stringify({ event_id: "e", pad: "x".repeat(200 - 25) });
    expect(Buffer.byteLength(padded)).toBe(200);
    const body = [padded, event(1), event(2)].join("\n");
    expect(split(body, "application/x-ndjson", { ...limits, maxBodyBytes: Buffer.byteLength(body) })).toHaveLength(3);
  });

  it("refuses a body over the body limit before reading it", () => {
    const error = tooLarge(() => split(Buffer.alloc(1001, 0x20), "application/json", limits));
    expect([error.limit, error.maxAllowed]).toEqual(["body", 1000]);
    expect(error.message).toBe("body is 1001 bytes; the limit is 1000");
  });

  it("refuses more events than allowed, as JSON array or NDJSON", () => {
    const many = [0, 1, 2, 3].map(event);
    for (const [body, type] of [[`[${many.join(",")}]`, "application/json"], [many.join("\n"), "application/x-ndjson"]] as const) {
      const error = tooLarge(() => split(body, type, limits));
      expect([error.limit, error.maxAllowed, error.message]).toEqual(["count", 3, "4 events in one request; the limit is 3"]);
    }
  });

  it("refuses an event over the event limit, naming its index", () => {
    const big = JSON.stringify({ event_id: "big", pad: "é".repeat(100) }); // 100 characters, 200 bytes of padding
    const error = tooLarge(() => split([event(0), big].join("\n"), "application/x-ndjson", limits));
    expect([error.limit, error.maxAllowed]).toEqual(["event", 200]);
    expect(error.message).toBe(`event 1 is ${Buffer.byteLength(big)} bytes; the limit is 200`);
  });
});

describe("splitBody: partition keys", () => {
  it.each([
    ["event_id", { event_id: "evt-1", eventId: "ignored" }, "evt-1"],
    ["eventId (v1)", { eventId: "evt-2" }, "evt-2"],
    ["a 256-character id", { event_id: "i".repeat(256) }, "i".repeat(256)],
  ])("uses %s", (_why, event, key) => {
    expect(split(JSON.stringify(event))[0]?.partitionKey).toBe(key);
  });

  it.each([
    ["no id", { event_type: "x" }],
    ["a numeric id", { event_id: 42 }],
    ["an empty id", { event_id: "" }],
    ["an id over 256 characters", { event_id: "i".repeat(257) }],
    ["an id nested under __proto__", JSON.parse('{"__proto__":{"event_id":"spoofed"}}')],
    ["an id in triage's reserved redrive prefix", { event_id: `${REDRIVE_PARTITION_PREFIX}evt-1` }],
    ["a v1 id in the reserved prefix", { eventId: REDRIVE_PARTITION_PREFIX }],
  ])("falls back to a digest of the bytes for %s", (_why, event) => {
    const [record] = split(JSON.stringify(event));
    expect(record?.partitionKey).toBe(digest(JSON.stringify(event)));
    expect(record?.partitionKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it("never starts a key with the redrive prefix, whatever the producer sends (NDJSON and arrays alike)", () => {
    const spoof = JSON.stringify({ event_id: `${REDRIVE_PARTITION_PREFIX}x` });
    for (const records of [split(`${spoof}\n${spoof}`), split(`[${spoof}]`), split(spoof, "application/json")]) {
      for (const r of records) expect(isRedrivePartitionKey(r.partitionKey)).toBe(false);
    }
  });

  it("gives the same bytes the same key on a client retry", () => {
    const body = '{"event_type":"click"}\n{"event_type":"view"}\n';
    const keys = split(body).map((r) => r.partitionKey);
    expect(split(body).map((r) => r.partitionKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(2);
  });
});
