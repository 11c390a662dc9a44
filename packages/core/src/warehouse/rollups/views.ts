/*
 * The dashboard views, redefined over the rollups (migration 4): same names, same columns and
 * types, same rows as the originals over `events` (views/*.ts, kept for migration 2's checksum).
 *
 * Redshift's CREATE OR REPLACE VIEW must keep every column's name and exact type (and DROP VIEW
 * is outside the SQL Freshet may send), so each column is built to type as the original did:
 * sums of BIGINT rollup counts are cast back to BIGINT (the originals' COUNTs), and `grain` and
 * `model` stay a UNION ALL of string literals, as in the originals, rather than a stored VARCHAR.
 */

/** See views/campaign-performance.ts: the rollup holds per-load partial sums per user. */
export const CREATE_CAMPAIGN_PERFORMANCE_FROM_ROLLUP = `CREATE OR REPLACE VIEW campaign_performance AS
SELECT
  bucket_start,
  campaign_id,
  ad_group_id,
  ad_id,
  keyword,
  CAST(SUM(events) AS BIGINT) AS events,
  CAST(SUM(clicks) AS BIGINT) AS clicks,
  CAST(SUM(trials) AS BIGINT) AS trials,
  CAST(SUM(signups) AS BIGINT) AS signups,
  CAST(SUM(purchases) AS BIGINT) AS purchases,
  SUM(revenue) AS revenue,
  COUNT(DISTINCT user_id) AS users
FROM campaign_rollup
GROUP BY 1, 2, 3, 4, 5`;

/** See views/user-engagement.ts: one summary row per period, recounted by the loads. */
export const CREATE_USER_ENGAGEMENT_FROM_ROLLUP = `CREATE OR REPLACE VIEW user_engagement AS
SELECT grain, period_start, active_users, active_accounts, events, CAST(events AS DOUBLE PRECISION) / active_users AS events_per_user
FROM (
  SELECT 'hour' AS grain, period_start, active_users, active_accounts, events FROM engagement_periods WHERE grain = 'hour'
  UNION ALL
  SELECT 'day' AS grain, period_start, active_users, active_accounts, events FROM engagement_periods WHERE grain = 'day'
) AS periods`;

/** See views/feature-adoption.ts: every column but the running total is maintained in `feature_daily`. */
export const CREATE_FEATURE_ADOPTION_FROM_ROLLUP = `CREATE OR REPLACE VIEW feature_adoption AS
SELECT
  feature,
  day,
  uses,
  active_users,
  active_accounts,
  new_accounts,
  SUM(new_accounts) OVER (PARTITION BY feature ORDER BY day ROWS UNBOUNDED PRECEDING) AS adopted_accounts
FROM feature_daily`;

/**
 * See views/revenue-attribution.ts: one credit row per purchase and model. Migration 10 re-points
 * the view again, at the per-day sums of these credits (rollups/attribution-daily.ts).
 */
export const CREATE_REVENUE_ATTRIBUTION_FROM_ROLLUP = `CREATE OR REPLACE VIEW revenue_attribution AS
WITH credited AS (
  SELECT 'first_touch' AS model, day, channel, campaign_id, revenue FROM attribution_credits WHERE model = 'first_touch'
  UNION ALL
  SELECT 'last_touch' AS model, day, channel, campaign_id, revenue FROM attribution_credits WHERE model = 'last_touch'
)
SELECT
  model,
  day,
  channel,
  campaign_id,
  COUNT(*) AS purchases,
  SUM(revenue) AS revenue
FROM credited
GROUP BY 1, 2, 3, 4`;

/**
 * The metrics API's campaign view (migration 9): `campaign_performance` summed to (bucket,
 * campaign), straight from the rollup. Without the ad group/ad/keyword grain and the distinct
 * `users` the API never returns, a request sums the rollup rows of its range and campaign (the
 * filters on the grouping columns reach the rollup's scan) instead of grouping them twice and
 * counting users. It is a view rather than a grant on `campaign_rollup` so the reader never sees
 * the rollup's user ids.
 */
export const CREATE_CAMPAIGN_TOTALS = `CREATE OR REPLACE VIEW campaign_totals AS
SELECT
  bucket_start,
  campaign_id,
  CAST(SUM(events) AS BIGINT) AS events,
  CAST(SUM(clicks) AS BIGINT) AS clicks,
  CAST(SUM(trials) AS BIGINT) AS trials,
  CAST(SUM(signups) AS BIGINT) AS signups,
  CAST(SUM(purchases) AS BIGINT) AS purchases,
  SUM(revenue) AS revenue
FROM campaign_rollup
GROUP BY 1, 2`;

export const CREATE_DASHBOARD_VIEWS_FROM_ROLLUPS: readonly string[] = [
  CREATE_CAMPAIGN_PERFORMANCE_FROM_ROLLUP,
  CREATE_USER_ENGAGEMENT_FROM_ROLLUP,
  CREATE_FEATURE_ADOPTION_FROM_ROLLUP,
  CREATE_REVENUE_ATTRIBUTION_FROM_ROLLUP,
];
