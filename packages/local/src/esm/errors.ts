import { FreshetError } from "@freshet/core";

/** Base of the local event source mapping's errors. */
export class EventSourceMappingError extends FreshetError {
  override readonly name: string = "EventSourceMappingError";
}

/** An option outside the range AWS accepts for a Kinesis event source mapping. */
export class MappingConfigError extends EventSourceMappingError {
  override readonly name = "MappingConfigError";
}

/** `waitForIdle` cannot be met: the mapping was stopped, or the wait timed out. */
export class MappingNotIdleError extends EventSourceMappingError {
  override readonly name = "MappingNotIdleError";
}

/** The checkpoint file cannot be read or written. */
export class CheckpointFileError extends EventSourceMappingError {
  override readonly name = "CheckpointFileError";
}

/** The handler ran past the function timeout (Lambda reports `Sandbox.Timedout`). */
export class FunctionTimeoutError extends EventSourceMappingError {
  override readonly name = "FunctionTimeoutError";
}

/** The shard iterator outlived its five minutes: the reader asks for a new one at its position. */
export class ExpiredIteratorError extends EventSourceMappingError {
  override readonly name = "ExpiredIteratorError";
}

/**
 * The stream refused the position asked for (a checkpoint of an earlier stream of the same name):
 * the reader starts over at the mapping's starting position.
 */
export class InvalidPositionError extends EventSourceMappingError {
  override readonly name = "InvalidPositionError";
}
