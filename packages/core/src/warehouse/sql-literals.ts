import { UnsafeSqlValueError } from "./errors.ts";

/*
 * Literals spliced into Freshet's SQL. Redshift reads a backslash in a string literal as an escape
 * while DuckDB (and standard SQL) reads it literally, so no escaping of backslashes is right on
 * both: they are refused, with control characters, instead of guessed. Lake keys never hold them.
 */

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\\\u0000-\u001f\u007f]/;

/** A single-quoted SQL string literal; quotes are doubled, backslashes and control characters refused. */
export function sqlString(value: string): string {
  if (typeof value !== "string") throw new UnsafeSqlValueError(`expected a string, got ${typeof value}`);
  if (FORBIDDEN.test(value)) {
    throw new UnsafeSqlValueError(`refusing a backslash or control character in an SQL literal: ${JSON.stringify(value.slice(0, 80))}`);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** A string literal, or `NULL`. */
export function sqlNullableString(value: string | null | undefined): string {
  return value === null || value === undefined ? "NULL" : sqlString(value);
}

/** A non-negative integer literal (counts, sizes, versions), or `NULL` when allowed. */
export function sqlCount(value: number | null | undefined, what: string, nullable = false): string {
  if ((value === null || value === undefined) && nullable) return "NULL";
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new UnsafeSqlValueError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
  return String(value);
}

/**
 * A `TIMESTAMP` literal in UTC (the warehouse stores UTC in TIMESTAMP columns) from a `Date` or an
 * ISO-8601 string with an offset.
 */
export function sqlTimestamp(value: Date | string, what: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime()) || (typeof value === "string" && !/(Z|[+-]\d\d:?\d\d)$/.test(value))) {
    throw new UnsafeSqlValueError(`${what} must be a valid instant (ISO-8601 with an offset), got ${String(value)}`);
  }
  const iso = date.toISOString();
  return `CAST('${iso.slice(0, 10)} ${iso.slice(11, 23)}' AS TIMESTAMP)`;
}

/** The `TIMESTAMP` literal of a receipt window `YYYY-MM-DDTHH` (an arrival hour, UTC). */
export function sqlWindowStart(window: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d$/.test(window)) throw new UnsafeSqlValueError(`not an accounting window (YYYY-MM-DDTHH): ${JSON.stringify(window)}`);
  return sqlTimestamp(`${window}:00:00Z`, "window");
}
