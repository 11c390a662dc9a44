import * as v from "valibot";
import {
  EventIdSchema,
  EventTimeSchema,
  EventTypeSchema,
  IdentifierSchema,
  OptionalTextSchema,
  PropertiesSchema,
  RevenueSchema,
} from "./fields.ts";

/**
 * Schema v2, the current producer contract: snake_case, `occurred_at` in ISO or epoch form.
 * Strict: an unknown top-level field is a schema violation (dead-lettered with its path) rather
 * than silently dropped; free-form data belongs in `properties`.
 */
export const EventV2Schema = v.strictObject({
  schema_version: v.optional(v.picklist([2, "2"])),
  event_id: EventIdSchema,
  event_type: EventTypeSchema,
  occurred_at: EventTimeSchema,
  user_id: IdentifierSchema,
  account_id: IdentifierSchema,
  campaign_id: OptionalTextSchema,
  ad_group_id: OptionalTextSchema,
  ad_id: OptionalTextSchema,
  keyword: OptionalTextSchema,
  channel: OptionalTextSchema,
  revenue: RevenueSchema,
  currency: OptionalTextSchema,
  properties: PropertiesSchema,
});

export type EventV2 = v.InferOutput<typeof EventV2Schema>;
