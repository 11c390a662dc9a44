import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../events/json-depth.ts";
import { isJsonObject } from "../events/fields.ts";
import type { FieldError } from "../validation/outcome.ts";
import { RedriveRecordError } from "./errors.ts";

/**
 * Partition keys starting with this mark a redrive: a repaired event that triage puts back on the
 * stream. Ingest never produces it (an event id with this prefix is hashed instead, see
 * `partitionKeyOf`), so only a principal allowed to write the stream directly can redrive.
 */
export const REDRIVE_PARTITION_PREFIX = "freshet-redrive/";

/** A Kinesis record that redrives a repaired event (what triage PutRecords). */
export interface RedriveRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** What a redrive says about itself, kept beside the event it carries. */
export interface RedriveMarker {
  /** The repair rule's id and version. */
  readonly rule: string;
  readonly rule_version: number;
  /** The lake key of the dead-letter object the event came from. */
  readonly dead_letter_key: string;
  /** When the stream first received the event, ISO-8601. */
  readonly original_arrival: string;
}

/** A redrive record's data: `{"freshet_redrive": marker, "event": the repaired event}`. */
export interface RedriveEnvelope {
  readonly freshet_redrive: RedriveMarker;
  readonly event: Readonly<Record<string, unknown>>;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function isRedrivePartitionKey(partitionKey: string): boolean {
  return partitionKey.startsWith(REDRIVE_PARTITION_PREFIX);
}

/**
 * The record that redrives `event`. Its partition key is the reserved prefix and the event's id
 * (at most 64 characters: well within Kinesis' 256), so a redrive of the same event lands on one
 * shard, and the same dead letter always yields byte-for-byte the same record.
 */
export function redriveRecordOf(event: Readonly<Record<string, unknown>>, eventId: string, marker: RedriveMarker): RedriveRecord {
  if (eventId.length === 0 || eventId.length > 64) throw new RedriveRecordError(`cannot redrive an event whose id is ${JSON.stringify(eventId)}`);
  const envelope: RedriveEnvelope = {
    freshet_redrive: {
      rule: marker.rule,
      rule_version: marker.rule_version,
      dead_letter_key: marker.dead_letter_key,
      original_arrival: marker.original_arrival,
    },
    event,
  };
  return { partitionKey: `${REDRIVE_PARTITION_PREFIX}${eventId}`, data: encoder.encode(JSON.stringify(envelope)) };
}

export type OpenedRedrive =
  | { readonly ok: true; readonly marker: RedriveMarker; readonly event: Readonly<Record<string, unknown>>; readonly eventBytes: Uint8Array }
  | { readonly ok: false; readonly message: string; readonly errors: readonly FieldError[] };

/**
 * Reads a redrive record's data: the marker, and the event re-encoded as the bytes the
 * transformer validates like any record's. Never throws: a record that is not an envelope says why.
 */
export function openRedrive(data: Uint8Array): OpenedRedrive {
  let json: unknown;
  try {
    // The envelope adds one level around the event, whose own depth is checked when it is classified.
    if (exceedsJsonDepth(data, MAX_JSON_DEPTH + 1)) return notAnEnvelope("nests too deep");
    json = JSON.parse(utf8.decode(data));
  } catch (error) {
    return notAnEnvelope(`is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(json) || !isJsonObject(json.freshet_redrive) || !isJsonObject(json.event)) {
    return notAnEnvelope('must be an object with "freshet_redrive" and "event" objects');
  }
  const marker = markerOf(json.freshet_redrive);
  if (!marker) return notAnEnvelope("has an incomplete freshet_redrive marker");
  return { ok: true, marker, event: json.event, eventBytes: encoder.encode(JSON.stringify(json.event)) };
}

/** `<rule>@<version>`, what the `events.redriven_by` column holds. */
export function redrivenBy(marker: RedriveMarker): string {
  return `${marker.rule}@${marker.rule_version}`;
}

function markerOf(m: Record<string, unknown>): RedriveMarker | undefined {
  const { rule, rule_version, dead_letter_key, original_arrival } = m;
  if (typeof rule !== "string" || !/^[a-z0-9-]{1,64}$/.test(rule)) return undefined;
  if (typeof rule_version !== "number" || !Number.isSafeInteger(rule_version) || rule_version < 1) return undefined;
  if (typeof dead_letter_key !== "string" || dead_letter_key.length === 0 || dead_letter_key.length > 1024) return undefined;
  if (typeof original_arrival !== "string" || Number.isNaN(Date.parse(original_arrival))) return undefined;
  return { rule, rule_version, dead_letter_key, original_arrival };
}

function notAnEnvelope(why: string): OpenedRedrive {
  const message = `a record with a redrive partition key ${why}`;
  return { ok: false, message, errors: [{ path: "freshet_redrive", message }] };
}
