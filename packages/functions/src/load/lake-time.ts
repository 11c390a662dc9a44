import { partitionOf, windowLabel } from "@freshet/core";

/*
 * Day and hour arithmetic over the lake's UTC partitions (`dt=YYYY-MM-DD/hr=HH`): processed
 * objects sit under their events' day and hour, receipts under their batch's arrival hour.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) of the day `days` before `now`. */
export function dayBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The days of a lookback, oldest first: from `lookbackDays` before `now` through the day after
 * it (the transformer accepts events a little in the future: clock skew).
 */
export function daysOfLookback(now: Date, lookbackDays: number): string[] {
  return Array.from({ length: lookbackDays + 2 }, (_, i) => dayBefore(now, lookbackDays - i));
}

/** From the day before `first` (`YYYY-MM-DD`) through the day after `now`, as `YYYY-MM-DD`. */
export function daysAround(first: string, now: Date): string[] {
  const days: string[] = [];
  const last = now.getTime() + DAY_MS;
  for (let t = Date.parse(`${first}T00:00:00Z`) - DAY_MS; t <= last; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** `YYYY-MM-DDTHH` (UTC): the receipts' accounting window of an instant. */
export function hourOf(instant: Date): string {
  return windowLabel(partitionOf(instant));
}

/** The hours `from`..`to` (`YYYY-MM-DDTHH`, inclusive). */
export function hoursFrom(from: string, to: string): string[] {
  const hours: string[] = [];
  for (let t = Date.parse(`${from}:00:00Z`); t <= Date.parse(`${to}:00:00Z`); t += HOUR_MS) hours.push(hourOf(new Date(t)));
  return hours;
}

export function previousHour(hour: string): string {
  return hourOf(new Date(Date.parse(`${hour}:00:00Z`) - HOUR_MS));
}

/** `receipts/dt=YYYY-MM-DD/hr=HH/<batchId>.json` → `YYYY-MM-DDTHH`. */
export function hourOfReceiptKey(key: string): string {
  const match = /dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\//.exec(key);
  return match ? windowLabel({ dt: match[1]!, hr: match[2]! }) : "0000-00-00T00";
}
