/** Base of the interpreter's own errors (not the AWS errors a state machine raises: see `StatesFailure`). */
export class InterpreterError extends Error {
  override readonly name: string = "InterpreterError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `runExecution` was given a definition that `validateDefinition` rejects. */
export class InvalidDefinitionError extends InterpreterError {
  override readonly name = "InvalidDefinitionError";
  readonly problems: readonly { state?: string; field?: string; message: string }[];
  constructor(problems: readonly { state?: string; field?: string; message: string }[]) {
    super(`invalid state machine definition: ${problems.map((p) => p.message).join("; ")}`);
    this.problems = problems;
  }
}

/**
 * A failure inside the running state machine, with AWS's error name and cause: what Retry and
 * Catch match on, what `$states.errorOutput` holds, what ExecutionFailed reports.
 * `location` is set for failures of the interpreter's own evaluation (AWS logs those as an
 * EvaluationFailed event naming the field).
 */
export class StatesFailure extends Error {
  override readonly name = "StatesFailure";
  readonly error: string;
  readonly causeText: string | undefined;
  readonly location: string | undefined;
  constructor(error: string, causeText: string | undefined, options?: { location?: string; cause?: unknown }) {
    super(causeText === undefined ? error : `${error}: ${causeText}`, { cause: options?.cause });
    this.error = error;
    this.causeText = causeText;
    this.location = options?.location;
  }
}

/** Thrown through the running states when the execution (or a sibling branch) is being stopped. */
export class StateAborted extends Error {
  override readonly name = "StateAborted";
  constructor(options?: { cause?: unknown }) {
    super("state aborted", options);
  }
}
