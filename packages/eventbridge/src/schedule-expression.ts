import { checkCronFields } from "./cron-fields.ts";
import { CronFieldError, InvalidScheduleExpressionError } from "./errors.ts";

/**
 * EventBridge schedule expressions. Rules take `rate(value unit)` and `cron(six fields)`;
 * EventBridge Scheduler also takes the one-time `at(yyyy-mm-ddThh:mm:ss)`.
 */
export type Schedule = RateSchedule | CronSchedule | AtSchedule;

export interface RateSchedule {
  readonly kind: "rate";
  readonly expression: string;
  readonly value: number;
  readonly unit: "second" | "minute" | "hour" | "day";
  readonly intervalMs: number;
}

export interface CronSchedule {
  readonly kind: "cron";
  readonly expression: string;
  /** The six fields as written. */
  readonly fields: readonly string[];
  /** The seven-part pattern croner evaluates (`0 ` + normalised fields). */
  readonly cronerPattern: string;
}

export interface AtSchedule {
  readonly kind: "at";
  readonly expression: string;
  /** The wall-clock time as written, `yyyy-mm-ddThh:mm:ss`, read in the schedule's time zone. */
  readonly localTime: string;
}

export interface ParseScheduleOptions {
  /** Accept `at(…)` (EventBridge Scheduler); rules do not. */
  readonly allowAt?: boolean;
  /**
   * Accept `rate(N second(s))`: a local-only extension AWS never accepts, so that tests and demos
   * of the local platform can run a 5-minute workflow every few seconds.
   */
  readonly allowSeconds?: boolean;
}

const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Parses and validates `expr` as AWS does, throwing `InvalidScheduleExpressionError` with the
 * rule it breaks: `rate(1 minutes)` (plural for 1), `rate(5 minute)`, `rate(0 minutes)`, units in
 * upper case, extra spaces, `cron(0 1 * * * *)` (both day fields set), out-of-range values…
 */
export function parseScheduleExpression(expr: string, options: ParseScheduleOptions = {}): Schedule {
  const rate = /^rate\((.*)\)$/s.exec(expr);
  if (rate) return parseRate(expr, rate[1]!, options.allowSeconds === true);
  const cron = /^cron\((.*)\)$/s.exec(expr);
  if (cron) return parseCron(expr, cron[1]!);
  const at = /^at\((.*)\)$/s.exec(expr);
  if (at) {
    if (!options.allowAt) throw new InvalidScheduleExpressionError(expr, "at() is only for EventBridge Scheduler schedules");
    return parseAt(expr, at[1]!);
  }
  throw new InvalidScheduleExpressionError(expr, "expected rate(value unit) or cron(fields)");
}

function parseRate(expr: string, body: string, allowSeconds: boolean): RateSchedule {
  const match = (allowSeconds ? /^(\d+) (seconds?|minutes?|hours?|days?)$/ : /^(\d+) (minutes?|hours?|days?)$/).exec(body);
  if (!match) throw new InvalidScheduleExpressionError(expr, "expected rate(value unit), unit minute(s), hour(s) or day(s)");
  const value = Number(match[1]);
  const word = match[2]!;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidScheduleExpressionError(expr, "the value must be a positive integer");
  const plural = word.endsWith("s");
  if (value === 1 && plural) throw new InvalidScheduleExpressionError(expr, `a value of 1 takes the singular unit (${word.slice(0, -1)})`);
  if (value !== 1 && !plural) throw new InvalidScheduleExpressionError(expr, `a value above 1 takes the plural unit (${word}s)`);
  const unit = (plural ? word.slice(0, -1) : word) as RateSchedule["unit"];
  return { kind: "rate", expression: expr, value, unit, intervalMs: value * UNIT_MS[unit] };
}

function parseCron(expr: string, body: string): CronSchedule {
  const fields = body.split(" ");
  try {
    const normalised = checkCronFields(fields);
    return { kind: "cron", expression: expr, fields, cronerPattern: `0 ${normalised.join(" ")}` };
  } catch (error) {
    if (error instanceof CronFieldError) throw new InvalidScheduleExpressionError(expr, error.message, { cause: error });
    throw error;
  }
}

function parseAt(expr: string, body: string): AtSchedule {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) throw new InvalidScheduleExpressionError(expr, "expected at(yyyy-mm-ddThh:mm:ss)");
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const real =
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
  if (!real) throw new InvalidScheduleExpressionError(expr, `${body} is not a date and time`);
  return { kind: "at", expression: expr, localTime: body };
}
