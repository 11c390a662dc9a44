/**
 * AWS's EventBridge language: event patterns (as PutRule validates them and the bus matches them)
 * and schedule expressions (as EventBridge and EventBridge Scheduler validate and fire them).
 */
export { EventBridgeLanguageError, InvalidEventPatternError, InvalidScheduleExpressionError } from "./errors.ts";
export { compileEventPattern, validatePattern, MAX_PATTERN_BRANCHES, type CompiledEventPattern } from "./compile-pattern.ts";
export { matchesPattern, eventMatcher } from "./match-pattern.ts";
export { parseEventJson } from "./event-fields.ts";
export type { Matcher, EventLeaf } from "./matchers.ts";
export { MAX_WILDCARD_COMPLEXITY } from "./wildcard-complexity.ts";
export {
  parseScheduleExpression,
  type Schedule,
  type RateSchedule,
  type CronSchedule,
  type AtSchedule,
  type ParseScheduleOptions,
} from "./schedule-expression.ts";
export { nextFireTimes, isTimeZone, zonedTimeToUtc, type FireTimeOptions } from "./next-fire.ts";
