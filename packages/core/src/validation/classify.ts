import type { PipelineConfig } from "../config.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../events/json-depth.ts";
import { reconcile } from "../events/reconcile.ts";
import { partitionOfIso, type Partition } from "../lake/partition.ts";
import { enrich } from "./enrich.ts";
import type { DeadLetterReason, FieldError, RecordOutcome } from "./outcome.ts";
import { checkBusinessRules } from "./rules.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decides one record's fate, in stages: bytes → JSON → schema (with version reconciliation) →
 * filter → business rules → enrichment. Never throws for bad input: every way a record can be
 * wrong is a typed outcome, so one bad record can never fail its batch.
 */
export function classifyRecord(
  data: Uint8Array,
  arrivedAt: Date,
  config: PipelineConfig,
  arrivedAtIso: string = arrivedAt.toISOString(),
): RecordOutcome {
  if (data.byteLength > config.maxEventBytes) {
    return reject("too_large", `event is ${data.byteLength} bytes; the limit is ${config.maxEventBytes}`);
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return reject("invalid_encoding", "event is not valid UTF-8");
  }
  // JSON.parse accepts any depth; the guard keeps hostile nesting out of every later stage.
  if (exceedsJsonDepth(data, MAX_JSON_DEPTH)) {
    return reject("too_deep", `event nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject("malformed_json", `event is not valid JSON: ${(error as Error).message}`);
  }

  const reconciled = reconcile(json);
  if (!reconciled.ok) {
    return reject(reconciled.reason, summarize(reconciled.errors), reconciled.errors, readEventId(json));
  }
  const event = reconciled.event;
  if (config.filteredEventTypes.has(event.eventType)) {
    return { kind: "filtered", eventType: event.eventType };
  }
  const violations = checkBusinessRules(event, arrivedAt, config);
  if (violations.length > 0) {
    return reject("rule_violation", summarize(violations), violations, event.eventId);
  }
  const processed = enrich(event, arrivedAtIso);
  return { kind: "processed", event: processed, partition: partitionOfEvent(event.occurredAt, processed.occurred_at) };
}

const HOUR_MS = 3_600_000;
/** Partitions by hour since the epoch; a batch's events fall in a handful of hours. */
const partitions = new Map<number, Partition>();

/**
 * The partition of an event time, one shared object per hour: the hour number decides the
 * `dt=…/hr=…` prefix of the ISO form, so the first event of an hour computes it for the rest.
 */
function partitionOfEvent(occurredAt: Date, iso: string): Partition {
  const hour = Math.floor(occurredAt.getTime() / HOUR_MS);
  let partition = partitions.get(hour);
  if (!partition) {
    if (partitions.size >= 256) partitions.clear();
    partition = Object.freeze(partitionOfIso(iso));
    partitions.set(hour, partition);
  }
  return partition;
}

function reject(
  reason: DeadLetterReason,
  message: string,
  errors: readonly FieldError[] = [],
  eventId?: string,
): RecordOutcome {
  return eventId === undefined
    ? { kind: "rejected", reason, message, errors }
    : { kind: "rejected", reason, message, errors, eventId };
}

function summarize(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.path ? `${e.path} ${e.message}` : e.message)).join("; ");
}

/** Best-effort id of an event that failed validation, for triage. */
function readEventId(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const record = json as Record<string, unknown>;
  const id = Object.hasOwn(record, "event_id") ? record.event_id : record.eventId;
  return typeof id === "string" && id.length > 0 && id.length <= 256 ? id : undefined;
}
