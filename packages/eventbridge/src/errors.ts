/**
 * Errors of the EventBridge language. Two are public, AWS's own refusals
 * (`InvalidEventPatternError`, `InvalidScheduleExpressionError`); the others are raised while
 * reading a pattern or a cron expression and surface as one of those two, as their `cause`.
 */

/** Base of every error this package raises: a stable `name` and the underlying `cause`. */
export class EventBridgeLanguageError extends Error {
  override readonly name: string = "EventBridgeLanguageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * An event pattern EventBridge would refuse (`InvalidEventPatternException`). `reason` is the
 * parser's own text, location included where AWS gives one; `message` is AWS's full message,
 * `Event pattern is not valid. Reason: <reason>`.
 */
export class InvalidEventPatternError extends EventBridgeLanguageError {
  override readonly name = "InvalidEventPatternError";
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Event pattern is not valid. Reason: ${reason}`, options);
    this.reason = reason;
  }
}

/** A `rate(…)`, `cron(…)` or `at(…)` expression AWS would refuse, with the rule it breaks. */
export class InvalidScheduleExpressionError extends EventBridgeLanguageError {
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
export class PatternSyntaxError extends EventBridgeLanguageError {
  override readonly name = "PatternSyntaxError";
}

/** A problem found outside the parser (a number or address that cannot be used): no position in AWS's text. */
export class PatternValueError extends EventBridgeLanguageError {
  override readonly name = "PatternValueError";
}

/** The problem with a CIDR or IP literal in a pattern; reported without a parser position. */
export class IpLiteralError extends EventBridgeLanguageError {
  override readonly name = "IpLiteralError";
}

/** A `wildcard` value AWS refuses (two consecutive `*`, an unknown escape); the parser adds the position. */
export class WildcardSyntaxError extends EventBridgeLanguageError {
  override readonly name = "WildcardSyntaxError";
}

/** A cron field breaking AWS's rules; surfaces as `InvalidScheduleExpressionError`. */
export class CronFieldError extends EventBridgeLanguageError {
  override readonly name = "CronFieldError";
}
