/** Base of every error Freshet's domain raises: a stable `name` and the underlying `cause`. */
export class FreshetError extends Error {
  override readonly name: string = "FreshetError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A configuration value (environment variable, stage setting) that cannot be used. */
export class ConfigError extends FreshetError {
  override readonly name = "ConfigError";
}

export type MalformedBodyReason = "malformed_json" | "invalid_encoding" | "empty_body";

/** An ingest request body that cannot be split into events; answered with 400. */
export class MalformedBodyError extends FreshetError {
  override readonly name = "MalformedBodyError";
  readonly reason: MalformedBodyReason;
  constructor(reason: MalformedBodyReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** An ingest request over a size limit; answered with 413 and nothing written. */
export class PayloadTooLargeError extends FreshetError {
  override readonly name = "PayloadTooLargeError";
  readonly limit: "body" | "event" | "count";
  readonly maxAllowed: number;
  constructor(limit: "body" | "event" | "count", maxAllowed: number, message: string) {
    super(message);
    this.limit = limit;
    this.maxAllowed = maxAllowed;
  }
}

/** A lake object was read after its plan gave its buffers back to their pool: they hold other data now. */
export class ReleasedObjectError extends FreshetError {
  override readonly name = "ReleasedObjectError";
}
