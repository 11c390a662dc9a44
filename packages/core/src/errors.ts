/**
 * Base of every error Freshet raises: a stable `name` and the underlying `cause` (ES2022
 * `ErrorOptions`). Each subclass declares its `name` as a literal rather than reading
 * `new.target.name`, because bundled Lambda code is minified and class names do not survive it.
 * Freshet's packages (core, functions, workflows, local, stacks) root their hierarchies here;
 * `@freshet/eventbridge`, AWS's language with no dependency on core, has a base of its own.
 */
export class FreshetError extends Error {
  override readonly name: string = "FreshetError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * An error the ingest API answers as itself, in the shape of middy's `createError`: the HTTP
 * `statusCode`, whether the client may see it (`expose`; an unexposed error is answered as a bare
 * 500) and the JSON body it is answered with.
 */
export interface HttpError {
  readonly statusCode: number;
  readonly expose: boolean;
  readonly responseBody: Readonly<Record<string, unknown>>;
  /** What the operator's log says when a server error (5xx) is answered; a generic line otherwise. */
  readonly logMessage?: string;
}

/** A configuration value (environment variable, stage setting) that cannot be used. */
export class ConfigError extends FreshetError {
  override readonly name = "ConfigError";
}

export type MalformedBodyReason = "malformed_json" | "invalid_encoding" | "empty_body";

/** An ingest request body that cannot be split into events; answered with 400 and its `reason`. */
export class MalformedBodyError extends FreshetError implements HttpError {
  override readonly name = "MalformedBodyError";
  readonly statusCode = 400;
  readonly expose = true;
  readonly reason: MalformedBodyReason;
  constructor(reason: MalformedBodyReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }

  get responseBody() {
    return { error: this.reason, message: this.message };
  }
}

/** An ingest request over a size limit; answered with 413 naming the limit, and nothing written. */
export class PayloadTooLargeError extends FreshetError implements HttpError {
  override readonly name = "PayloadTooLargeError";
  readonly statusCode = 413;
  readonly expose = true;
  readonly limit: "body" | "event" | "count";
  readonly maxAllowed: number;
  constructor(limit: "body" | "event" | "count", maxAllowed: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.limit = limit;
    this.maxAllowed = maxAllowed;
  }

  get responseBody() {
    return { error: "payload_too_large", limit: this.limit, max: this.maxAllowed, message: this.message };
  }
}

/** A lake object was read after its plan gave its buffers back to their pool: they hold other data now. */
export class ReleasedObjectError extends FreshetError {
  override readonly name = "ReleasedObjectError";
}
