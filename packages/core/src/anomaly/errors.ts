import { FreshetError } from "../errors.ts";

/** Anomaly settings outside their bounds, or a series/score input the decider cannot use. */
export class AnomalyInputError extends FreshetError {
  override readonly name = "AnomalyInputError";
}
