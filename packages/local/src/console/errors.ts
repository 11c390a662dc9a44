import { FreshetError } from "@freshet/core";

/** The console's API has no such route (or no such dashboard view): answered 404. */
export class ConsoleRouteNotFoundError extends FreshetError {
  override readonly name = "ConsoleRouteNotFoundError";
}
