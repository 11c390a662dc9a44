import { FreshetError, type HttpError } from "@freshet/core";

/**
 * Some records could not be written to the stream after every retry. Answered with 503, exposed
 * although it is a server error: the client needs `failed_indexes` to resend just those events.
 */
export class StreamWriteError extends FreshetError implements HttpError {
  override readonly name = "StreamWriteError";
  readonly statusCode = 503;
  readonly expose = true;
  readonly logMessage = "records not accepted by the stream";
  readonly accepted: number;
  readonly failedIndexes: readonly number[];
  constructor(accepted: number, failedIndexes: readonly number[], message: string, options?: ErrorOptions) {
    super(message, options);
    this.accepted = accepted;
    this.failedIndexes = failedIndexes;
  }

  get responseBody() {
    return { error: "stream_unavailable", message: this.message, accepted: this.accepted, failed_indexes: this.failedIndexes };
  }
}

/** A batch's objects could not all be written to the lake; its records are reported as failed. */
export class LakeWriteError extends FreshetError {
  override readonly name = "LakeWriteError";
}

/** The request carries no API key (401) or a wrong one (403). */
export class UnauthorizedError extends FreshetError implements HttpError {
  override readonly name = "UnauthorizedError";
  readonly statusCode: 401 | 403;
  readonly expose = true;
  constructor(statusCode: 401 | 403, message: string, options?: ErrorOptions) {
    super(message, options);
    this.statusCode = statusCode;
  }

  get responseBody() {
    return { error: this.statusCode === 401 ? "unauthorized" : "forbidden", message: this.message };
  }
}

/** The triage workflow passed its function something it cannot act on (unknown step, bad reason). */
export class TriageInputError extends FreshetError {
  override readonly name = "TriageInputError";
}

/** A dead-letter object that cannot be read as gzip NDJSON: it is quarantined whole. */
export class UnreadableDeadLettersError extends FreshetError {
  override readonly name = "UnreadableDeadLettersError";
}

/** The AnomalyScoring workflow passed its decider something it cannot use (unknown step, scores that do not match the points). */
export class AnomalyStepInputError extends FreshetError {
  override readonly name = "AnomalyStepInputError";
}

/** Other runs kept changing the anomaly state between this run's read and its conditional write. */
export class AnomalyStateConflictError extends FreshetError {
  override readonly name = "AnomalyStateConflictError";
}

/** A request reached a handler on a route it does not serve (a stack wiring mistake): 404. */
export class RouteNotFoundError extends FreshetError implements HttpError {
  override readonly name = "RouteNotFoundError";
  readonly statusCode = 404;
  readonly expose = true;

  get responseBody() {
    return { message: this.message, reason: "unknown_route" };
  }
}
