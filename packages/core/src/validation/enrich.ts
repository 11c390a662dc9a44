import type { CanonicalEvent } from "../events/canonical.ts";
import { formatIsoUtc } from "../events/timestamps.ts";
import { PROCESSED_SCHEMA_VERSION, type ProcessedEvent } from "../events/processed.ts";
import { normalizeChannel } from "./channel.ts";

/**
 * Stage 3, enrichment: the processed row. `received_at` is the stream's arrival time, which makes
 * the output of a redelivered batch byte-for-byte the same as the first delivery.
 */
export function enrich(event: CanonicalEvent, arrivedAt: Date | string): ProcessedEvent {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    occurred_at: formatIsoUtc(event.occurredAt),
    received_at: typeof arrivedAt === "string" ? arrivedAt : arrivedAt.toISOString(),
    user_id: event.userId,
    account_id: event.accountId,
    campaign_id: event.campaignId,
    ad_group_id: event.adGroupId,
    ad_id: event.adId,
    keyword: event.keyword,
    channel: normalizeChannel(event.channel),
    revenue: event.revenue,
    currency: event.currency,
    properties: event.properties,
    source_schema_version: event.sourceSchemaVersion,
    schema_version: PROCESSED_SCHEMA_VERSION,
  };
}
