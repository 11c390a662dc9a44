import { FreshetError } from "../../errors.ts";

/** Forest options the forest cannot work with (a non-integer tree count, a negative decay, …). */
export class InvalidForestOptionsError extends FreshetError {
  override readonly name = "InvalidForestOptionsError";
}

/** A point of the wrong length or with a value that is not a finite number; the forest is left unchanged. */
export class InvalidPointError extends FreshetError {
  override readonly name = "InvalidPointError";
}

/** Serialised forest state that is not a version this code reads, or whose parts disagree. */
export class InvalidForestStateError extends FreshetError {
  override readonly name = "InvalidForestStateError";
}
