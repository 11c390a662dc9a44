import { createHash } from "node:crypto";
import type { IngestLimits } from "../config.ts";
import { MalformedBodyError, PayloadTooLargeError } from "../errors.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../events/json-depth.ts";
import { isRedrivePartitionKey } from "../dead-letters/redrive.ts";
import { countArrayElements, countNdjsonLines, exceedsEventCount } from "./count-events.ts";

/** One event ready for the stream: its bytes and the partition key that places it on a shard. */
export interface IngestRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
}

const NDJSON_TYPES = ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines"];
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits a POSTed body into stream records. A JSON array (or a single object) is re-encoded
 * element by element; NDJSON lines travel as the exact bytes sent, so a malformed line still
 * reaches the transformer and becomes a dead letter instead of failing its neighbours.
 * Validation is the transformer's job: here only what makes the request unusable is refused.
 */
export function splitBody(body: Buffer, contentType: string | undefined, limits: IngestLimits): IngestRecord[] {
  if (body.byteLength > limits.maxBodyBytes) {
    throw new PayloadTooLargeError("body", limits.maxBodyBytes, `body is ${body.byteLength} bytes; the limit is ${limits.maxBodyBytes}`);
  }
  const firstByte = body.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (firstByte === undefined) throw new MalformedBodyError("empty_body", "the body holds no events");

  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const ndjson = NDJSON_TYPES.includes(type) || (firstByte !== 0x5b && firstByte !== 0x7b);
  const records = ndjson ? splitNdjson(body, limits.maxEvents) : splitJson(body, firstByte === 0x5b, limits.maxEvents);
  records.forEach((record, index) => {
    if (record.data.byteLength > limits.maxEventBytes) {
      throw new PayloadTooLargeError(
        "event",
        limits.maxEventBytes,
        `event ${index} is ${record.data.byteLength} bytes; the limit is ${limits.maxEventBytes}`,
      );
    }
  });
  return records;
}

/** Counted before anything is parsed or copied: refusing a count bomb must not cost its records. */
function refuseOverCount(body: Buffer, isArray: boolean, maxEvents: number): void {
  if (!exceedsEventCount(body, isArray, maxEvents)) return;
  const count = isArray ? countArrayElements(body) : countNdjsonLines(body);
  throw new PayloadTooLargeError("count", maxEvents, `${count} events in one request; the limit is ${maxEvents}`);
}

function splitJson(body: Buffer, isArray: boolean, maxEvents: number): IngestRecord[] {
  if (isArray) refuseOverCount(body, true, maxEvents);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (cause) {
    throw new MalformedBodyError("invalid_encoding", "the body is not valid UTF-8", { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    if (!isArray && text.includes("\n")) return splitNdjson(body, maxEvents); // NDJSON sent as application/json
    throw new MalformedBodyError("malformed_json", `the body is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  // Re-encoding below recurses; an array adds one level around its events.
  if (exceedsJsonDepth(body, isArray ? MAX_JSON_DEPTH + 1 : MAX_JSON_DEPTH)) {
    throw new MalformedBodyError("malformed_json", `an event nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  return events.map((event) => {
    const data = Buffer.from(JSON.stringify(event) ?? "null");
    return { data, partitionKey: partitionKeyOf(event, data) };
  });
}

function splitNdjson(body: Buffer, maxEvents: number): IngestRecord[] {
  refuseOverCount(body, false, maxEvents);
  const records: IngestRecord[] = [];
  let start = 0;
  while (start < body.byteLength) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.byteLength;
    let line = body.subarray(start, end);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    start = end + 1;
    if (line.every((b) => b === 0x20 || b === 0x09)) continue;
    const data = Buffer.from(line); // own copy: the request buffer is not kept alive by records
    records.push({ data, partitionKey: partitionKeyOf(tryParse(data), data) });
  }
  if (records.length === 0) throw new MalformedBodyError("empty_body", "the body holds no events");
  return records;
}

function tryParse(data: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(data));
  } catch {
    return undefined; // the transformer dead-letters it with the precise reason
  }
}

/**
 * The event's id when it has one (producer retries then share a shard, and order per event is
 * kept), otherwise a digest of its bytes: deterministic, so a client retry lands the same way.
 * Never a key in triage's reserved redrive prefix: an id that starts with it is digested too (hex
 * has no "/"), so a producer cannot pass an event off as a redrive.
 */
export function partitionKeyOf(event: unknown, data: Buffer): string {
  if (typeof event === "object" && event !== null) {
    const record = event as Record<string, unknown>;
    const id = Object.hasOwn(record, "event_id") ? record.event_id : record.eventId;
    if (typeof id === "string" && id.length > 0 && id.length <= 256 && !isRedrivePartitionKey(id)) return id;
  }
  return createHash("sha256").update(data).digest("hex").slice(0, 32);
}
