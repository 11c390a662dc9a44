import { Cron } from "croner";
import { InvalidScheduleExpressionError } from "./errors.ts";
import type { Schedule } from "./schedule-expression.ts";

export interface FireTimeOptions {
  /**
   * Where a `rate` counts from: the rule's creation (AWS fires it one interval later, and every
   * interval after), or a Scheduler schedule's start date. Required for `rate`.
   */
  readonly anchor?: Date;
  /** IANA zone `cron` and `at` are read in (Scheduler's `ScheduleExpressionTimezone`); default UTC. */
  readonly timezone?: string;
}

/**
 * The next `count` times (strictly after `after`) the schedule fires. `cron` is evaluated by croner
 * in the given zone (UTC by default) after AWS's own validation; `rate` fires at anchor + k·interval;
 * `at` fires once.
 */
export function nextFireTimes(schedule: Schedule, after: Date, count: number, options: FireTimeOptions = {}): Date[] {
  if (count <= 0) return [];
  const timezone = options.timezone ?? "UTC";
  switch (schedule.kind) {
    case "cron": {
      const cron = new Cron(schedule.cronerPattern, {
        mode: "7-part",
        alternativeWeekdays: true,
        sloppyRanges: true,
        timezone,
      });
      return cron.nextRuns(count, after);
    }
    case "rate": {
      if (!options.anchor) throw new InvalidScheduleExpressionError(schedule.expression, "a rate schedule needs the time it counts from");
      const anchor = options.anchor.getTime();
      const interval = schedule.intervalMs;
      const first = Math.max(0, Math.floor((after.getTime() - anchor) / interval) + 1);
      return Array.from({ length: count }, (_, i) => new Date(anchor + (first + i) * interval));
    }
    case "at": {
      const at = zonedTimeToUtc(schedule.localTime, timezone);
      return at.getTime() > after.getTime() ? [at] : [];
    }
  }
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The instant at which the wall clock in `zone` reads `local` (`yyyy-mm-ddThh:mm:ss`). */
export function zonedTimeToUtc(local: string, zone: string): Date {
  const asUtc = Date.parse(`${local}Z`);
  // Two passes settle the offset even across a DST change.
  let guess = asUtc - offsetMs(zone, asUtc);
  guess = asUtc - offsetMs(zone, guess);
  return new Date(guess);
}

function offsetMs(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(instant / 1000) * 1000;
}
