import type { DeadLetterReason, FieldError } from "../validation/outcome.ts";

export const DEAD_LETTER_VERSION = 1;

/** The stream coordinates of a record: where to find it again. */
export interface RecordSource {
  readonly stream_arn: string;
  readonly shard_id: string;
  readonly sequence_number: string;
  readonly partition_key: string;
  /** ISO-8601 arrival in the stream. */
  readonly approximate_arrival: string;
}

/**
 * A rejected record as stored under `dlq/`: why, where exactly, and the original bytes, so that
 * triage can repair and redrive it without asking the producer.
 */
export interface DeadLetter {
  readonly dead_letter_version: number;
  readonly reason: DeadLetterReason;
  readonly message: string;
  readonly errors: readonly FieldError[];
  readonly event_id: string | null;
  /** The record's bytes exactly as received, base64 (they may not even be UTF-8). */
  readonly original_base64: string;
  readonly source: RecordSource;
}
