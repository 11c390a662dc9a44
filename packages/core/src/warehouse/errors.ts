import { FreshetError } from "../errors.ts";

/** A value that cannot be spliced into SQL safely, or builder input that would produce wrong SQL. */
export class UnsafeSqlValueError extends FreshetError {
  override readonly name = "UnsafeSqlValueError";
}

/**
 * Why a builder refused its input. Callers branch on it, not on the message: the planner loads
 * fewer objects when a statement is too long, and fails on anything else.
 */
export type InvalidLoadRequestReason =
  /** An id, URL, ARN, region, interval or range the builder cannot use. */
  | "invalid_field"
  /** Nothing to do: no objects and no receipts, no filter, an empty range. */
  | "empty"
  /** An object listed twice in one load. */
  | "duplicate_object"
  /** A receipt whose received ≠ processed + filtered + dead_lettered. */
  | "inconsistent_receipt"
  /** A lookup given more values (or none) than one statement takes (`MAX_KEYS_PER_LOOKUP`). */
  | "lookup_size"
  /** More statements than one BatchExecuteStatement takes. */
  | "too_many_statements"
  /** A statement longer than the Data API takes: load fewer objects or receipts at once. */
  | "statement_too_long"
  /** A load plan larger than a Step Functions state can carry: load fewer objects or receipts at once. */
  | "payload_too_large";

/** A load request (or another warehouse builder's input) the builder refuses; `reason` says why. */
export class InvalidLoadRequestError extends FreshetError {
  override readonly name = "InvalidLoadRequestError";
  readonly reason: InvalidLoadRequestReason;
  constructor(reason: InvalidLoadRequestReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * The database's `schema_migrations` disagrees with the code: an applied migration changed after it
 * ran, or the database knows a version this code does not. Migrating further would guess.
 */
export class MigrationDriftError extends FreshetError {
  override readonly name = "MigrationDriftError";
  readonly version: number;
  constructor(version: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.version = version;
  }
}
