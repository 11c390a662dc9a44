/**
 * A Wait state's `Timestamp`: AWS accepts an "ISO-8601 extended offset date-time" — uppercase `T`,
 * seconds, optional fraction (up to nanoseconds), then `Z` or `±hh:mm` — and rejects a missing
 * zone, a space for `T`, day-first dates and out-of-range fields.
 */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds, or undefined when AWS would refuse the string. */
export function parseAslTimestamp(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  const millis = m[7] ? Number(m[7].padEnd(3, "0").slice(0, 3)) : 0;
  let offsetMinutes = 0;
  const zone = m[8]!;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [h, min] = zone.slice(1).split(":").map(Number) as [number, number];
    if (h > 23 || min > 59) return undefined;
    offsetMinutes = sign * (h * 60 + min);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * 60_000;
}
