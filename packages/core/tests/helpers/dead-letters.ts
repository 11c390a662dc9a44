/**
 * Dead letters as the transformer writes them: a bad event is classified by the transformer's own
 * validation and the rejection wrapped with its original bytes and stream coordinates.
 */
import { classifyRecord, DEAD_LETTER_VERSION, DEFAULT_PIPELINE_CONFIG, type DeadLetter } from "@freshet/core";
import { ARRIVAL, bytes } from "./factories.ts";

export const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/freshet-events";
export const DEAD_LETTER_KEY = "dlq/dt=2026-11-26/reason=schema_violation/shardId-000000000000-1-2.ndjson.gz";

/** The dead letter the transformer writes for `event` (a value, or text taken as the exact bytes). */
export function aDeadLetterOf(event: unknown, options: { partitionKey?: string; arrival?: Date } = {}): DeadLetter {
  const data = bytes(event);
  const arrival = options.arrival ?? ARRIVAL;
  const outcome = classifyRecord(data, arrival, DEFAULT_PIPELINE_CONFIG);
  if (outcome.kind !== "rejected") throw new Error(`expected a rejection, got ${outcome.kind}`);
  return {
    dead_letter_version: DEAD_LETTER_VERSION,
    reason: outcome.reason,
    message: outcome.message,
    errors: outcome.errors,
    event_id: outcome.eventId ?? null,
    original_base64: Buffer.from(data).toString("base64"),
    source: {
      stream_arn: STREAM_ARN,
      shard_id: "shardId-000000000000",
      sequence_number: "49650000000000000000000000000000000000000000000000000001",
      partition_key: options.partitionKey ?? "evt-0001",
      approximate_arrival: arrival.toISOString(),
    },
  };
}
