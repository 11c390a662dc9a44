import { FreshetError } from "@freshet/core";

/** `npm run loadtest` was given arguments it cannot run with (exit 2, with the usage). */
export class LoadtestUsageError extends FreshetError {
  override readonly name = "LoadtestUsageError";
}
