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
import type { EventV2 } from "./v2.ts";

/**
 * Schema v1, still sent by legacy producers: camelCase names, `type` for the event type and
 * `timestamp` in unix seconds.
 */
export const EventV1Schema = v.strictObject({
  schema_version: v.optional(v.picklist([1, "1"])),
  eventId: EventIdSchema,
  type: EventTypeSchema,
  timestamp: EventTimeSchema,
  userId: IdentifierSchema,
  accountId: IdentifierSchema,
  campaignId: OptionalTextSchema,
  adGroupId: OptionalTextSchema,
  adId: OptionalTextSchema,
  keyword: OptionalTextSchema,
  channel: OptionalTextSchema,
  revenue: RevenueSchema,
  currency: OptionalTextSchema,
  properties: PropertiesSchema,
});

export type EventV1 = v.InferOutput<typeof EventV1Schema>;

/** Field names of v1 that v2 spells differently: the whole compatibility mapping, as data. */
export const V1_TO_V2_FIELDS = {
  eventId: "event_id",
  type: "event_type",
  timestamp: "occurred_at",
  userId: "user_id",
  accountId: "account_id",
  campaignId: "campaign_id",
  adGroupId: "ad_group_id",
  adId: "ad_id",
  keyword: "keyword",
  channel: "channel",
  revenue: "revenue",
  currency: "currency",
  properties: "properties",
} as const satisfies Record<Exclude<keyof EventV1, "schema_version">, keyof EventV2>;

const V1_TO_V2_ENTRIES = Object.entries(V1_TO_V2_FIELDS);

/** Upgrades a validated v1 event to the v2 shape. Paths in later errors then use v2 names. */
export function upgradeV1(event: EventV1): EventV2 {
  const out: Record<string, unknown> = { schema_version: 2 };
  for (const [from, to] of V1_TO_V2_ENTRIES) {
    const value = event[from as keyof EventV1];
    if (value !== undefined) out[to] = value;
  }
  return out as EventV2;
}
