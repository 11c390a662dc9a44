/** Version of the processed (lake and warehouse) shape below; bump it with a migration. */
export const PROCESSED_SCHEMA_VERSION = 1;

/**
 * One event as written to `processed/` and loaded into the warehouse `events` table. Field names
 * are the column names (snake_case), so the warehouse COPY maps them with `JSON 'auto'`.
 */
export interface ProcessedEvent {
  readonly event_id: string;
  readonly event_type: string;
  /** Event time, ISO-8601 UTC with milliseconds. Decides the partition. */
  readonly occurred_at: string;
  /** When the stream received the event, ISO-8601 UTC. */
  readonly received_at: string;
  readonly user_id: string;
  readonly account_id: string;
  readonly campaign_id: string | null;
  readonly ad_group_id: string | null;
  readonly ad_id: string | null;
  readonly keyword: string | null;
  /** Normalised marketing channel (see `validation/channel.ts`). */
  readonly channel: string;
  readonly revenue: number | null;
  readonly currency: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  /** The producer's schema version the event arrived in. */
  readonly source_schema_version: number;
  /** Version of this processed shape. */
  readonly schema_version: number;
  /** Only on a redriven event: the repair rule that fixed it, `<rule>@<version>`. */
  readonly redriven_by?: string;
  /** Only on a redriven event: the lake key of the dead-letter object it was repaired from. */
  readonly redriven_from?: string;
}

/** The fields only a redriven event carries (columns added by a later migration than `events`). */
export type RedriveField = "redriven_by" | "redriven_from";
