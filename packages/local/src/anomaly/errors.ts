import { FreshetError } from "@freshet/core";

/** A SageMaker training job ended without a model (Failed or Stopped), or never ended in time. */
export class TrainingJobError extends FreshetError {
  override readonly name = "TrainingJobError";
}
