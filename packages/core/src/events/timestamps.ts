/**
 * Event times arrive as ISO-8601 strings with an explicit offset, or as epoch numbers in seconds
 * (legacy producers) or milliseconds (browsers). One parser for all of them, so both schema
 * versions land on the same instant.
 */

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch values below this are seconds (year 5138 in seconds), above it milliseconds. */
const SECONDS_MILLIS_BOUNDARY = 1e11;

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
  return Number.isNaN(new Date(ms).getTime()) ? undefined : Math.trunc(ms);
}

function parseIso(value: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = "0", frac = "", offset = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  utc.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0–99 to 1900–1999 (0000-02-29 too)
  // Reject dates the calendar does not have (2026-02-30) rather than rolling them over.
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined;
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  let offsetMinutes = 0;
  if (offset !== "Z") {
    const sign = offset.startsWith("-") ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const result = utc.getTime() + millis - offsetMinutes * 60_000;
  return Number.isNaN(new Date(result).getTime()) ? undefined : result;
}
