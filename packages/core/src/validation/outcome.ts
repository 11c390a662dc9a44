import type { ProcessedEvent } from "../events/processed.ts";
import type { Partition } from "../lake/partition.ts";

/** One reason a field failed, addressed by its dot path in the producer's payload. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Why a record became a dead letter. Stable codes: they name S3 prefixes and metrics. */
export const DEAD_LETTER_REASONS = [
  "malformed_json",
  "invalid_encoding",
  "too_large",
  "too_deep",
  "unsupported_version",
  "schema_violation",
  "rule_violation",
] as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** What the validation stages decided for one record. */
export type RecordOutcome =
  | { readonly kind: "processed"; readonly event: ProcessedEvent; readonly partition: Partition }
  | { readonly kind: "filtered"; readonly eventType: string }
  | {
      readonly kind: "rejected";
      readonly reason: DeadLetterReason;
      readonly message: string;
      readonly errors: readonly FieldError[];
      /** The event's id when it could be read, to help triage find producer retries. */
      readonly eventId?: string;
    };
