import { FreshetError } from "@freshet/core";

/** The mock synthesis could not run or `sst.config.ts` failed under it. */
export class SynthError extends FreshetError {
  override readonly name = "SynthError";
}

/** A helper found no (or more than one) recorded resource where exactly one was expected. */
export class ResourceLookupError extends FreshetError {
  override readonly name = "ResourceLookupError";
}
