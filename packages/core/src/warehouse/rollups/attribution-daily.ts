import { DB_ROLES } from "../db-roles.ts";
import { fromFirstChangedDay } from "./maintain.ts";

/*
 * `revenue_attribution` summed per (model, day, channel, campaign) and kept, so that the dashboard
 * reads a few thousand summary rows a month instead of grouping every credit of its range (a
 * million credits a month at the bench's scale: that grouping was most of the dashboard's time).
 * The view's measures, a count and a sum, are additive, so the summary answers any range of days.
 *
 * Credits are deleted and re-inserted per user (rollups/maintain.ts), which a running sum cannot
 * follow; so a load recounts whole days from `attribution_credits` instead: every day from the
 * first one its credited events can change. A load's credited events are mostly its newest, so
 * that is today's credits; a touch a week late recounts the week.
 */

/** Grain of the view: one row per group it returns. Small (days × models × channels × campaigns): DISTSTYLE ALL. */
export const CREATE_ATTRIBUTION_DAILY = `CREATE TABLE IF NOT EXISTS attribution_daily (
  model VARCHAR(16) NOT NULL,
  day TIMESTAMP NOT NULL,
  channel VARCHAR(32) NOT NULL,
  campaign_id VARCHAR(512),
  purchases BIGINT NOT NULL,
  revenue DECIMAL(38,4) NOT NULL
)
DISTSTYLE ALL
SORTKEY (day)`;

/** Counts the credits of the days `where` keeps (a condition on `day`, or none: every day). */
function countCredits(where?: string): string {
  return `INSERT INTO attribution_daily (model, day, channel, campaign_id, purchases, revenue)
SELECT model, day, channel, campaign_id, COUNT(*), SUM(revenue)
FROM attribution_credits${where ? `\nWHERE ${where}` : ""}
GROUP BY model, day, channel, campaign_id
ORDER BY day`;
}

/** Recounts every day from `attribution_credits` (the migration's backfill, the end of a rollup rebuild). */
export const REFRESH_ATTRIBUTION_DAILY: readonly string[] = ["DELETE FROM attribution_daily", countCredits()];

/**
 * The load's statements, after its credits are recomputed: recount every day from the first a
 * credited event of `source` (the load's new rows) can change. A credit recomputed for such an
 * event is of a purchase at or after it, so on its day or later; without one (no purchase or
 * touch in the load) the bound is NULL and both statements touch nothing.
 */
export function recountAttributionDays(source: string): string[] {
  const changed = fromFirstChangedDay(source, "day");
  return [`DELETE FROM attribution_daily WHERE ${changed}`, countCredits(changed)];
}

/**
 * `revenue_attribution` over the summary: same columns, types and rows as over the credits (see
 * rollups/views.ts for why `model` stays a UNION ALL of literals and the count is cast).
 */
export const CREATE_REVENUE_ATTRIBUTION_FROM_DAILY = `CREATE OR REPLACE VIEW revenue_attribution AS
WITH credited AS (
  SELECT 'first_touch' AS model, day, channel, campaign_id, purchases, revenue FROM attribution_daily WHERE model = 'first_touch'
  UNION ALL
  SELECT 'last_touch' AS model, day, channel, campaign_id, purchases, revenue FROM attribution_daily WHERE model = 'last_touch'
)
SELECT
  model,
  day,
  channel,
  campaign_id,
  CAST(SUM(purchases) AS BIGINT) AS purchases,
  SUM(revenue) AS revenue
FROM credited
GROUP BY 1, 2, 3, 4`;

/** Migration 10: the table, backfilled; the loader recounts it (DELETE's WHERE reads it: SELECT); the view re-pointed. */
export const ATTRIBUTION_DAILY_MIGRATION_STATEMENTS: readonly string[] = [
  CREATE_ATTRIBUTION_DAILY,
  ...REFRESH_ATTRIBUTION_DAILY,
  `GRANT SELECT, INSERT, DELETE ON TABLE attribution_daily TO ROLE ${DB_ROLES.loader}`,
  CREATE_REVENUE_ATTRIBUTION_FROM_DAILY,
];
