import { FreshetError } from "@freshet/core";

/** Some records could not be written to the stream after every retry. */
export class StreamWriteError extends FreshetError {
  override readonly name = "StreamWriteError";
  readonly accepted: number;
  readonly failedIndexes: readonly number[];
  constructor(accepted: number, failedIndexes: readonly number[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.accepted = accepted;
    this.failedIndexes = failedIndexes;
  }
}

/** A batch's objects could not all be written to the lake; its records are reported as failed. */
export class LakeWriteError extends FreshetError {
  override readonly name = "LakeWriteError";
}

/** The request carries no API key (401) or a wrong one (403). */
export class UnauthorizedError extends FreshetError {
  override readonly name = "UnauthorizedError";
  readonly statusCode: 401 | 403;
  constructor(statusCode: 401 | 403, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}
