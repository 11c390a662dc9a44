import * as v from "valibot";
import { isEpoch, isIsoWithOffset } from "./timestamps.ts";

/** Field schemas shared by every schema version. Types only: limits are business rules. */

/** `occurred_at`: ISO-8601 with offset, or epoch seconds / milliseconds. */
export const EventTimeSchema = v.union([
  v.pipe(
    v.string(),
    v.check(isIsoWithOffset, "must be ISO-8601 with an offset (Z or ±hh:mm)"),
    v.description("ISO-8601 timestamp with offset"),
  ),
  v.pipe(v.number(), v.check(isEpoch, "must be a finite epoch in seconds or milliseconds")),
]);

/** User and account identifiers: strings, or integers some producers send. */
export const IdentifierSchema = v.union([
  v.pipe(v.string(), v.minLength(1, "must not be empty")),
  v.pipe(v.number(), v.safeInteger("must be a safe integer")),
]);

/** Optional attribution fields may be absent or null. */
export const OptionalTextSchema = v.nullish(v.string());

export const RevenueSchema = v.nullish(
  v.pipe(v.number(), v.finite("must be finite"), v.minValue(0, "must not be negative")),
);

/** True for a JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Free-form event attributes; stored as-is (SUPER in the warehouse). Not `v.record`: it accepts
 * arrays (and validates a copy of them as `{"0": …}`), so `[1, 2]` would pass as properties.
 */
export const PropertiesSchema = v.nullish(v.custom<Record<string, unknown>>(isJsonObject, "must be a JSON object"));

export const EventIdSchema = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(64, "must be at most 64 characters"),
);

export const EventTypeSchema = v.pipe(v.string(), v.minLength(1, "must not be empty"));
