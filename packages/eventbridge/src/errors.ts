import { FreshetError } from "../errors.ts";

/**
 * An event pattern EventBridge would refuse (`InvalidEventPatternException`). `reason` is the
 * parser's own text, location included where AWS gives one; `message` is AWS's full message,
 * `Event pattern is not valid. Reason: <reason>`.
 */
export class InvalidEventPatternError extends FreshetError {
  override readonly name = "InvalidEventPatternError";
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Event pattern is not valid. Reason: ${reason}`, options);
    this.reason = reason;
  }
}

/** A `rate(…)`, `cron(…)` or `at(…)` expression AWS would refuse, with the rule it breaks. */
export class InvalidScheduleExpressionError extends FreshetError {
  override readonly name = "InvalidScheduleExpressionError";
  readonly expression: string;
  constructor(expression: string, problem: string, options?: { cause?: unknown }) {
    super(`Invalid schedule expression ${JSON.stringify(expression)}: ${problem}`, options);
    this.expression = expression;
  }
}

/**
 * A syntax or rule error found while reading a pattern, with the parser position AWS reports
 * (`\n at [Source: …; line: L, column: C]`). Internal: surfaces as `InvalidEventPatternError`.
 */
export class PatternSyntaxError extends FreshetError {
  override readonly name = "PatternSyntaxError";
}
