/** The mock synthesis could not run or `sst.config.ts` failed under it. */
export class SynthError extends Error {
  override readonly name = "SynthError";
}

/** A helper found no (or more than one) recorded resource where exactly one was expected. */
export class ResourceLookupError extends Error {
  override readonly name = "ResourceLookupError";
}
