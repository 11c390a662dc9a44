/**
 * Event times arrive as ISO-8601 strings with an explicit offset, or as epoch numbers in seconds
 * (legacy producers) or milliseconds (browsers). One parser for all of them, so both schema
 * versions land on the same instant.
 */

import { civilFromDays, daysFromCivil, daysInMonth } from "./calendar.ts";

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch values below this are seconds (year 5138 in seconds), above it milliseconds. */
const SECONDS_MILLIS_BOUNDARY = 1e11;
const DAY_MS = 86_400_000;
/** The largest distance from the epoch a JavaScript Date can represent. */
const MAX_DATE_MS = 8.64e15;

/** True for an ISO-8601 timestamp that names its offset and a real calendar date. */
export function isIsoWithOffset(value: string): boolean {
  return parseIso(value) !== undefined;
}

/** True for an epoch number we can interpret (finite, within JavaScript's date range). */
export function isEpoch(value: number): boolean {
  return epochToMillis(value) !== undefined;
}

/** The instant an `occurred_at`/`timestamp` value names, or `undefined` when it names none. */
export function parseEventTime(value: string | number): Date | undefined {
  const ms = typeof value === "number" ? epochToMillis(value) : parseIso(value);
  return ms === undefined ? undefined : new Date(ms);
}

function epochToMillis(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const ms = Math.abs(value) < SECONDS_MILLIS_BOUNDARY ? value * 1000 : value;
  return Math.abs(ms) <= MAX_DATE_MS ? Math.trunc(ms) : undefined;
}

// The schema check and the canonical mapping both parse the same `occurred_at`, one right after
// the other, and enrichment then formats it: remembering the last answer halves the parsing, and
// a canonical input is its own formatted form.
let lastIso: string | undefined;
let lastMillis: number | undefined;
let lastIsCanonical = false;

function parseIso(value: string): number | undefined {
  if (value === lastIso) return lastMillis;
  const canonical = hasCanonicalForm(value);
  const ms = canonical ? canonicalMillis(value) : parseIsoByPattern(value);
  lastIso = value;
  lastMillis = ms;
  lastIsCanonical = canonical && ms !== undefined;
  return ms;
}

function parseIsoByPattern(value: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = "0", frac = "", offset = "Z"] = m;
  let offsetMinutes = 0;
  if (offset !== "Z") {
    const sign = offset.startsWith("-") ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  return utcMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), millis, offsetMinutes);
}

/** The form `Date.toISOString` writes and most producers send: `0` marks a digit. */
const CANONICAL_SHAPE = "0000-00-00T00:00:00.000Z";

/** True for `YYYY-MM-DDTHH:MM:SS.sssZ` (a subset of what the pattern accepts), checked char by char. */
function hasCanonicalForm(value: string): boolean {
  if (value.length !== CANONICAL_SHAPE.length) return false;
  for (let i = 0; i < CANONICAL_SHAPE.length; i++) {
    const c = value.charCodeAt(i);
    const shape = CANONICAL_SHAPE.charCodeAt(i);
    if (shape === 0x30 ? c < 0x30 || c > 0x39 : c !== shape) return false;
  }
  return true;
}

/** What the pattern path would compute for a canonical timestamp, without a regex or substrings. */
function canonicalMillis(value: string): number | undefined {
  return utcMillis(
    digits(value, 0, 4),
    digits(value, 5, 2),
    digits(value, 8, 2),
    digits(value, 11, 2),
    digits(value, 14, 2),
    digits(value, 17, 2),
    digits(value, 20, 3),
    0,
  );
}

function digits(value: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (value.charCodeAt(i) - 0x30);
  return n;
}

/** Epoch milliseconds of a calendar date and time at an offset, or `undefined` if it does not exist. */
function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): number | undefined {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Reject dates the calendar does not have (2026-02-30) rather than rolling them over.
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const result =
    daysFromCivil(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offsetMinutes * 60_000;
  return Math.abs(result) <= MAX_DATE_MS ? result : undefined;
}

const ZERO = 0x30;
/** Char codes of a two-digit number's digits. */
const tens = (n: number): number => ZERO + Math.floor(n / 10);
const units = (n: number): number => ZERO + (n % 10);

/**
 * `Date.prototype.toISOString`, computed in JavaScript for years 0000–9999: the built-in costs
 * about three times as much, once per processed event. Other years keep the built-in's `±YYYYYY`.
 * Built as one flat string from char codes: JSON.stringify copies that as it is, where a
 * concatenation would first have to be flattened.
 */
export function formatIsoUtc(instant: Date): string {
  const ms = instant.getTime();
  if (ms === lastMillis && lastIsCanonical && lastIso !== undefined) return lastIso;
  const days = Math.floor(ms / DAY_MS);
  const { year, month, day } = civilFromDays(days);
  if (year < 0 || year > 9999) return instant.toISOString();
  let rest = ms - days * DAY_MS;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const millis = rest - second * 1000;
  const century = Math.floor(year / 100);
  return String.fromCharCode(
    tens(century), units(century), tens(year % 100), units(year % 100), 0x2d /* - */,
    tens(month), units(month), 0x2d /* - */,
    tens(day), units(day), 0x54 /* T */,
    tens(hour), units(hour), 0x3a /* : */,
    tens(minute), units(minute), 0x3a /* : */,
    tens(second), units(second), 0x2e /* . */,
    ZERO + Math.floor(millis / 100), tens(millis % 100), units(millis), 0x5a /* Z */,
  );
}
