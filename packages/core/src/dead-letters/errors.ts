import { FreshetError } from "../errors.ts";

/** A line of a dead-letter object that is not a dead letter (truncated, edited, another format). */
export class InvalidDeadLetterError extends FreshetError {
  override readonly name = "InvalidDeadLetterError";
}

/** A repaired event that cannot be redriven (it has no usable `event_id`): a bug in a repair rule. */
export class RedriveRecordError extends FreshetError {
  override readonly name = "RedriveRecordError";
}
