import { checkNumber, describeRule, isRecord, type FieldReader, type NumberRule } from "./field-reader.ts";
import { CATCHER_FIELDS, JSONPATH_FIELDS, MAX_ASL_INTEGER, MAX_DELAY_SECONDS, RETRIER_FIELDS } from "./field-rules.ts";
import type { Catcher, Retrier } from "./types.ts";

/**
 * Retry and Catch, with the rules of the AWS developer guide ("Handling errors in Step Functions
 * workflows"): defaults IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0, JitterStrategy NONE;
 * `States.ALL` must appear alone in its ErrorEquals and only in the last retrier or catcher.
 */

const INTERVAL: NumberRule = { min: 1, max: MAX_ASL_INTEGER, integer: true };
const ATTEMPTS: NumberRule = { min: 0, max: MAX_ASL_INTEGER, integer: true };
const BACKOFF: NumberRule = { min: 1, max: MAX_ASL_INTEGER, integer: false };
const MAX_DELAY: NumberRule = { min: 1, max: MAX_DELAY_SECONDS, integer: true };

function errorEquals(reader: FieldReader, value: unknown, location: string, isLast: boolean): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((e) => typeof e === "string" && e.length > 0)) {
    reader.problem(location, "must be a non-empty array of error names");
    return [];
  }
  const names = value as string[];
  if (names.includes("States.ALL")) {
    if (names.length > 1) reader.problem(location, "'States.ALL' must appear alone in ErrorEquals");
    if (!isLast) reader.problem(location, "'States.ALL' must be in the last retrier or catcher");
  }
  return names;
}

function unknownFields(reader: FieldReader, raw: Record<string, unknown>, allowed: ReadonlySet<string>, location: string): void {
  for (const key of Object.keys(raw)) {
    if (allowed.has(key)) continue;
    const hint = JSONPATH_FIELDS[key];
    reader.problem(`${location}/${key}`, hint ? `is a JSONPath field, not available in JSONata states: ${hint}` : "is not a field of a retrier or catcher");
  }
}

function number(reader: FieldReader, raw: Record<string, unknown>, field: string, location: string, rule: NumberRule, fallback: number): number {
  const value = raw[field];
  if (value === undefined) return fallback;
  if (checkNumber(value, rule)) return value;
  reader.problem(`${location}/${field}`, `must be ${describeRule(rule)}, got ${JSON.stringify(value)}`);
  return fallback;
}

export function compileRetry(reader: FieldReader): Retrier[] {
  const value = reader.raw.Retry;
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    reader.problem("Retry", "must be an array of retriers");
    return [];
  }
  const retriers: Retrier[] = [];
  value.forEach((raw, i) => {
    const location = `Retry/${i}`;
    if (!isRecord(raw)) {
      reader.problem(location, "must be an object");
      return;
    }
    unknownFields(reader, raw, RETRIER_FIELDS, location);
    const jitter = raw.JitterStrategy ?? "NONE";
    if (jitter !== "FULL" && jitter !== "NONE") reader.problem(`${location}/JitterStrategy`, `must be "FULL" or "NONE", got ${JSON.stringify(jitter)}`);
    const maxDelay = raw.MaxDelaySeconds === undefined ? undefined : number(reader, raw, "MaxDelaySeconds", location, MAX_DELAY, MAX_DELAY_SECONDS);
    retriers.push({
      errorEquals: errorEquals(reader, raw.ErrorEquals, `${location}/ErrorEquals`, i === value.length - 1),
      intervalSeconds: number(reader, raw, "IntervalSeconds", location, INTERVAL, 1),
      maxAttempts: number(reader, raw, "MaxAttempts", location, ATTEMPTS, 3),
      backoffRate: number(reader, raw, "BackoffRate", location, BACKOFF, 2),
      maxDelaySeconds: maxDelay,
      jitterStrategy: jitter === "FULL" ? "FULL" : "NONE",
    });
  });
  return retriers;
}

export function compileCatch(reader: FieldReader): Catcher[] {
  const value = reader.raw.Catch;
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    reader.problem("Catch", "must be an array of catchers");
    return [];
  }
  const catchers: Catcher[] = [];
  value.forEach((raw, i) => {
    const location = `Catch/${i}`;
    if (!isRecord(raw)) {
      reader.problem(location, "must be an object");
      return;
    }
    unknownFields(reader, raw, CATCHER_FIELDS, location);
    const next = reader.target(raw.Next, `${location}/Next`);
    catchers.push({
      errorEquals: errorEquals(reader, raw.ErrorEquals, `${location}/ErrorEquals`, i === value.length - 1),
      next: next ?? "",
      output: reader.template(raw.Output, `${location}/Output`),
      assign: reader.assign(raw.Assign, `${location}/Assign`),
    });
  });
  return catchers;
}
