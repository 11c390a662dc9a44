import { fieldName, withField, type RepairRule } from "../repair-rule.ts";

/**
 * Epoch magnitudes around today: milliseconds are ~1.8e12, microseconds ~1.8e15, nanoseconds
 * ~1.8e18. Core reads anything from 1e11 up as milliseconds, so a microsecond stamp lands tens of
 * thousands of years ahead (a rule violation) and a nanosecond one beyond Date's range (a schema
 * violation). Values from 1e14 (microseconds: 1973; as milliseconds: the year 5138) are never
 * plausible milliseconds.
 */
const MICROS_FROM = 1e14;
const NANOS_FROM = 1e17;
/** Beyond the nanoseconds of the year 2286 nothing is a timestamp: the rule does not guess. */
const NANOS_UP_TO = 1e19;

/** `occurred_at` (v1: `timestamp`) in epoch micro- or nanoseconds → epoch milliseconds. */
export const epochSubMillisecond: RepairRule = {
  id: "epoch-sub-millisecond",
  version: 1,
  description:
    "occurred_at (v1: timestamp) sent as epoch microseconds or nanoseconds, read today as a time far in the future, becomes epoch milliseconds (truncated)",
  repair(raw) {
    const field = fieldName(raw, "occurred_at", "timestamp");
    const value = raw[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < MICROS_FROM || value >= NANOS_UP_TO) return undefined;
    const millis = value >= NANOS_FROM ? Math.trunc(value / 1e6) : Math.trunc(value / 1e3);
    return withField(raw, field, millis);
  },
};
