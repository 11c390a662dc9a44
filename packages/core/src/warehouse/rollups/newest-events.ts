import { DB_ROLES } from "../db-roles.ts";
import { metricFreshnessView, NEWEST_EVENT_PER_METRIC } from "../views/metric-freshness.ts";

/*
 * Each dashboard metric's newest loaded event, kept in one row so that `metric_freshness` (read
 * by every metrics API answer) no longer aggregates all of `events`: over 10 million rows that
 * scan was most of every answer's time. Events are never deleted, so the newest only moves
 * forward: each load raises it from its own new rows, in its transaction; a rollup rebuild (after
 * a bulk insert that bypassed the load) recomputes it from `events`.
 */

const METRIC_COLUMNS = ["campaign_performance", "user_engagement", "feature_adoption", "revenue_attribution"] as const;

/** One row, a column per metric; NULL until the metric has an event. Tiny: DISTSTYLE ALL. */
export const CREATE_NEWEST_EVENTS = `CREATE TABLE IF NOT EXISTS newest_events (
${METRIC_COLUMNS.map((c) => `  ${c} TIMESTAMP`).join(",\n")}
)
DISTSTYLE ALL`;

/** Recomputes the row from all of `events` (migration 9's backfill, the end of a rollup rebuild). */
export const REFRESH_NEWEST_EVENTS: readonly string[] = [
  "DELETE FROM newest_events",
  `INSERT INTO newest_events (${METRIC_COLUMNS.join(", ")})
SELECT
${NEWEST_EVENT_PER_METRIC}
FROM events`,
];

/**
 * The load's statement: raises each metric's newest to its newest in `source` (the load's new
 * rows). GREATEST skips NULLs on Redshift and DuckDB alike, so a metric the load has no event for
 * keeps its time, and a first event replaces the NULL.
 */
export function raiseNewestEvents(source: string): string {
  return `UPDATE newest_events
SET ${METRIC_COLUMNS.map((c) => `${c} = GREATEST(newest_events.${c}, d.${c})`).join(",\n  ")}
FROM (
  SELECT
${NEWEST_EVENT_PER_METRIC}
  FROM ${source}
) AS d`;
}

/** `metric_freshness` over `newest_events`: same columns, types and rows as the original over `events`. */
export const CREATE_METRIC_FRESHNESS_FROM_NEWEST_EVENTS = metricFreshnessView(`SELECT ${METRIC_COLUMNS.join(", ")}
  FROM newest_events`);

/** Migration 9: the table, backfilled; the loader raises it (UPDATE reads it: SELECT); the view re-pointed. */
export const NEWEST_EVENTS_MIGRATION_STATEMENTS: readonly string[] = [
  CREATE_NEWEST_EVENTS,
  ...REFRESH_NEWEST_EVENTS,
  `GRANT SELECT, UPDATE ON TABLE newest_events TO ROLE ${DB_ROLES.loader}`,
  CREATE_METRIC_FRESHNESS_FROM_NEWEST_EVENTS,
];
