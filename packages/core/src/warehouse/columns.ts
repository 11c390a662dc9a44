import type { ProcessedEvent, RedriveField } from "../events/processed.ts";

/**
 * The `events` columns that come from the lake, in table order, with their Redshift types. Keyed
 * by `ProcessedEvent`, so a field added to the processed shape fails typechecking here until it
 * has a column (and a migration). Timestamps are `TIMESTAMP` holding UTC: the lake writes UTC with
 * `Z`, and a zone-less type compares directly with `GETDATE()` (UTC on Redshift) and on DuckDB.
 * VARCHAR lengths are bytes in Redshift: sized for multi-byte UTF-8, not characters.
 */
export const EVENT_COLUMN_TYPES = {
  event_id: "VARCHAR(256) NOT NULL",
  event_type: "VARCHAR(256) NOT NULL",
  occurred_at: "TIMESTAMP NOT NULL",
  received_at: "TIMESTAMP NOT NULL",
  user_id: "VARCHAR(512) NOT NULL",
  account_id: "VARCHAR(512) NOT NULL",
  campaign_id: "VARCHAR(512)",
  ad_group_id: "VARCHAR(512)",
  ad_id: "VARCHAR(512)",
  keyword: "VARCHAR(1024)",
  channel: "VARCHAR(32) NOT NULL",
  revenue: "DECIMAL(18,4)",
  currency: "VARCHAR(16)",
  properties: "SUPER",
  source_schema_version: "SMALLINT NOT NULL",
  schema_version: "SMALLINT NOT NULL",
} as const satisfies Record<Exclude<keyof ProcessedEvent, RedriveField>, string>;

/**
 * The redrive marker's columns, added to `events` by a later migration (ALTER TABLE appends them
 * after the load columns): NULL on every event that was not a repaired dead letter. Apart from
 * `EVENT_COLUMN_TYPES` because `events`' released CREATE TABLE is built from that.
 */
export const REDRIVE_COLUMN_TYPES = {
  redriven_by: "VARCHAR(128)",
  redriven_from: "VARCHAR(1024)",
} as const satisfies Record<RedriveField, string>;

export type EventColumn = keyof typeof EVENT_COLUMN_TYPES | keyof typeof REDRIVE_COLUMN_TYPES;

/** Lake columns: what COPY fills and what the load copies from staging (by name, so their order in the table does not matter). */
export const EVENT_COLUMNS = [...Object.keys(EVENT_COLUMN_TYPES), ...Object.keys(REDRIVE_COLUMN_TYPES)] as readonly EventColumn[];

/**
 * Columns the load sets. Nullable on purpose: the staging table is `(LIKE events)` and COPY leaves
 * them empty there; every row the load inserts into `events` has both.
 */
export const LOAD_COLUMN_TYPES = {
  loaded_at: "TIMESTAMP",
  load_id: "VARCHAR(128)",
} as const;

/**
 * The `loads` table's columns, one row per load transaction, in table order. The load's
 * `load_summary` is declared from them and its last statement returns them (`LOAD_SUMMARY_COLUMNS`).
 */
export const LOADS_TABLE_COLUMN_TYPES = {
  load_id: "VARCHAR(128) NOT NULL",
  manifest_url: "VARCHAR(2048) NOT NULL",
  status: "VARCHAR(16) NOT NULL",
  objects: "INTEGER NOT NULL",
  rows_staged: "BIGINT NOT NULL",
  rows_inserted: "BIGINT NOT NULL",
  duplicates_skipped: "BIGINT NOT NULL",
  newest_occurred_at: "TIMESTAMP",
  interval_seconds: "INTEGER NOT NULL",
  started_at: "TIMESTAMP NOT NULL",
  finished_at: "TIMESTAMP NOT NULL",
} as const;

export type LoadsTableColumn = keyof typeof LOADS_TABLE_COLUMN_TYPES;

/** A table's column definitions, one per line (`  name TYPE`), for its CREATE TABLE. */
export function columnDefinitions(types: Readonly<Record<string, string>>): string {
  return Object.entries(types)
    .map(([name, type]) => `  ${name} ${type}`)
    .join(",\n");
}
