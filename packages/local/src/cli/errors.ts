import { FreshetError } from "@freshet/core";

/** `freshet audit` was given options it cannot use (a time that is not ISO-8601, `--from` after `--to`). */
export class UsageError extends FreshetError {
  override readonly name = "UsageError";
}

/** The audit statement did not finish: its DescribeStatement status and error. */
export class AuditQueryError extends FreshetError {
  override readonly name = "AuditQueryError";
}

/** `freshet executions`: a mistake of the operator's (exit code 2 with usage) or a lookup that found nothing (1). */
export class CommandError extends FreshetError {
  override readonly name = "CommandError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
