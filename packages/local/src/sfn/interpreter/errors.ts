import { FreshetError } from "@freshet/core";

/** Base of the interpreter's own errors (not the AWS errors a state machine raises: see `StatesFailure`). */
export class InterpreterError extends FreshetError {
  override readonly name: string = "InterpreterError";
}

/** `runExecution` was given a definition that `validateDefinition` rejects. */
export class InvalidDefinitionError extends InterpreterError {
  override readonly name = "InvalidDefinitionError";
  readonly problems: readonly { state?: string; field?: string; message: string }[];
  constructor(problems: readonly { state?: string; field?: string; message: string }[], options?: ErrorOptions) {
    super(`invalid state machine definition: ${problems.map((p) => p.message).join("; ")}`, options);
    this.problems = problems;
  }
}

/**
 * A failure inside the running state machine, with AWS's error name and cause: what Retry and
 * Catch match on, what `$states.errorOutput` holds, what ExecutionFailed reports.
 * `location` is set for failures of the interpreter's own evaluation (AWS logs those as an
 * EvaluationFailed event naming the field).
 * Control flow, not a fault: the ASL error name is `error` (`States.Timeout`, a Lambda's error
 * type, …) and the ASL Cause is `causeText`; `name` is only the JS class's and is never matched,
 * and the ES `cause` is the JS error that led here.
 */
export class StatesFailure extends FreshetError {
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
export class StateAborted extends FreshetError {
  override readonly name = "StateAborted";
  constructor(options?: { cause?: unknown }) {
    super("state aborted", options);
  }
}
