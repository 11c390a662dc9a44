import { FreshetError } from "@freshet/core";

/** A function run in worker threads could not be invoked: its environment crashed or was closed. */
export class LambdaWorkerError extends FreshetError {
  override readonly name = "LambdaWorkerError";
}
