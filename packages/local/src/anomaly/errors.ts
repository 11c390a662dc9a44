import { FreshetError } from "@freshet/core";

/** A series CSV Freshet cannot score: a missing column, a value that is not a number, time going backwards. */
export class SeriesCsvError extends FreshetError {
  override readonly name = "SeriesCsvError";
  /** The 1-based line of the input the error is about (1 is the header). */
  readonly line: number;
  constructor(message: string, line: number, options?: ErrorOptions) {
    super(`line ${line}: ${message}`, options);
    this.line = line;
  }
}

/** A SageMaker training job ended without a model (Failed or Stopped), or never ended in time. */
export class TrainingJobError extends FreshetError {
  override readonly name = "TrainingJobError";
}
