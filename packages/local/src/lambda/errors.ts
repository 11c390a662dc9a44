import { FreshetError } from "@freshet/core";

/** Options a function's environments cannot be started with. */
export class InvalidWorkerOptionError extends FreshetError {
  override readonly name = "InvalidWorkerOptionError";
}

/** A function run in worker threads could not be invoked: its environment crashed or was closed. */
export class LambdaWorkerError extends FreshetError {
  override readonly name = "LambdaWorkerError";
}
