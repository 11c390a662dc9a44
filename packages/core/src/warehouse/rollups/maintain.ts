import { attributionCandidates, creditedCandidates, isPurchase, isTouch } from "../views/attribution-rules.ts";

/*
 * The statements that fold a set of new events (the "delta") into the rollups. The load runs them
 * with its `load_new` table (exactly the rows it inserted: deduplicated against `events`, so a
 * redelivered event is never counted twice); the rebuild runs them with the events of a range of
 * days, after deleting that range. Each must come after the delta's rows are in `events` (the
 * attribution recompute reads the users' full history there) and inside the same transaction.
 *
 * `source` is a table name or a parenthesised SELECT with the `events` columns; it is read as
 * `<source> AS d`.
 *
 * The big appends are ORDER BY their sort key: a GROUP BY emits rows in hash order, and a rebuild
 * of a month inserted that way would leave every block spanning the month, so no dashboard's
 * time filter could skip any (DuckDB keeps insertion order; on Redshift the rows then land
 * nearly sorted and VACUUM SORT ONLY after a backfill finishes the job).
 */

/** The 5-minute bucket of `campaign_performance` (same arithmetic, so the buckets are identical). */
function bucketOf(column: string): string {
  return `DATEADD(minute, CAST(FLOOR(EXTRACT(MINUTE FROM ${column}) / 5.0) * 5 AS INTEGER), DATE_TRUNC('hour', ${column}))`;
}

/** An event that can move attribution credits: a purchase, or a touch of one. */
const CREDITED = `${isTouch("d")} OR (${isPurchase("d")})`;

/** Each model's credited candidates as `attribution_credits` rows. */
const CREDITED_COLUMNS = creditedCandidates((model) => `purchase_id, user_id, ${model}, purchased_at, DATE_TRUNC('day', purchased_at), channel, campaign_id, revenue`);

/**
 * Which attribution credits a delta recomputes: every purchase of each user with a credited
 * event in it (what migration 4 released, and the rebuild), or only the purchases at or after
 * each such user's earliest credited event in it (a load: the only ones a new touch or purchase
 * can change, since a touch counts for purchases at or after it). Both give the same credits.
 */
export type Recredit = "all-purchases" | "since-earliest-change";

/** Statements for the additive and per-period rollups, in order (15). */
export function maintainRollups(source: string, recredit: Recredit = "all-purchases"): string[] {
  return [
    // Campaign: additive measures per load, grouped to the view's grain plus the user.
    `INSERT INTO campaign_rollup (bucket_start, campaign_id, ad_group_id, ad_id, keyword, user_id, events, clicks, trials, signups, purchases, revenue)
SELECT
  ${bucketOf("d.occurred_at")},
  d.campaign_id,
  d.ad_group_id,
  d.ad_id,
  d.keyword,
  d.user_id,
  COUNT(*),
  SUM(CASE WHEN d.event_type = 'ad_click' THEN 1 ELSE 0 END),
  SUM(CASE WHEN d.event_type = 'trial_started' THEN 1 ELSE 0 END),
  SUM(CASE WHEN d.event_type = 'signup' THEN 1 ELSE 0 END),
  SUM(CASE WHEN d.event_type = 'purchase' THEN 1 ELSE 0 END),
  COALESCE(SUM(CASE WHEN d.event_type = 'purchase' THEN d.revenue END), 0)
FROM ${source} AS d
WHERE d.campaign_id IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1`,
    // Engagement: who was active per hour, then recount just the hours and days the delta touched.
    `INSERT INTO user_activity_hourly (hour_start, day_start, user_id, account_id, events)
SELECT DATE_TRUNC('hour', d.occurred_at), DATE_TRUNC('day', d.occurred_at), d.user_id, d.account_id, COUNT(*)
FROM ${source} AS d
GROUP BY 1, 2, 3, 4
ORDER BY 1`,
    `DELETE FROM engagement_periods
WHERE (grain = 'hour' AND period_start IN (SELECT DATE_TRUNC('hour', d.occurred_at) FROM ${source} AS d))
  OR (grain = 'day' AND period_start IN (SELECT DATE_TRUNC('day', d.occurred_at) FROM ${source} AS d))`,
    `INSERT INTO engagement_periods (grain, period_start, active_users, active_accounts, events)
SELECT 'hour', a.hour_start, COUNT(DISTINCT a.user_id), COUNT(DISTINCT a.account_id), SUM(a.events)
FROM user_activity_hourly AS a
WHERE a.hour_start IN (SELECT DATE_TRUNC('hour', d.occurred_at) FROM ${source} AS d)
GROUP BY a.hour_start
UNION ALL
SELECT 'day', a.day_start, COUNT(DISTINCT a.user_id), COUNT(DISTINCT a.account_id), SUM(a.events)
FROM user_activity_hourly AS a
WHERE a.day_start IN (SELECT DATE_TRUNC('day', d.occurred_at) FROM ${source} AS d)
GROUP BY a.day_start`,
    // Features: the delta's named uses once (the SUPER navigation is the costly part), then
    // append, recount the touched (feature, day) pairs, and move first uses.
    `CREATE TEMPORARY TABLE rollup_feature_delta (
  day TIMESTAMP NOT NULL,
  feature VARCHAR(256) NOT NULL,
  account_id VARCHAR(512) NOT NULL,
  user_id VARCHAR(512) NOT NULL,
  uses BIGINT NOT NULL
)`,
    `INSERT INTO rollup_feature_delta (day, feature, account_id, user_id, uses)
SELECT day, feature, account_id, user_id, COUNT(*)
FROM (
  SELECT DATE_TRUNC('day', d.occurred_at) AS day, CAST(d.properties.feature AS VARCHAR) AS feature, d.account_id, d.user_id
  FROM ${source} AS d
  WHERE d.event_type = 'feature_used'
) AS u
WHERE feature IS NOT NULL
GROUP BY day, feature, account_id, user_id`,
    `INSERT INTO feature_usage_daily (day, feature, account_id, user_id, uses)
SELECT day, feature, account_id, user_id, uses FROM rollup_feature_delta ORDER BY day`,
    // Days whose counts change: the delta's, and the old first day of every adoption it moves earlier.
    `CREATE TEMPORARY TABLE rollup_feature_days (
  feature VARCHAR(256) NOT NULL,
  day TIMESTAMP NOT NULL
)`,
    `INSERT INTO rollup_feature_days (feature, day)
SELECT feature, day FROM rollup_feature_delta
UNION
SELECT f.feature, f.first_day
FROM feature_first_use AS f
JOIN (SELECT feature, account_id, MIN(day) AS first_day FROM rollup_feature_delta GROUP BY feature, account_id) AS n
  ON n.feature = f.feature AND n.account_id = f.account_id AND n.first_day < f.first_day`,
    `UPDATE feature_first_use
SET first_day = n.first_day
FROM (SELECT feature, account_id, MIN(day) AS first_day FROM rollup_feature_delta GROUP BY feature, account_id) AS n
WHERE feature_first_use.feature = n.feature
  AND feature_first_use.account_id = n.account_id
  AND n.first_day < feature_first_use.first_day`,
    `INSERT INTO feature_first_use (feature, account_id, first_day)
SELECT n.feature, n.account_id, MIN(n.day)
FROM rollup_feature_delta AS n
WHERE NOT EXISTS (SELECT 1 FROM feature_first_use AS f WHERE f.feature = n.feature AND f.account_id = n.account_id)
GROUP BY n.feature, n.account_id`,
    `DELETE FROM feature_daily
WHERE EXISTS (SELECT 1 FROM rollup_feature_days AS t WHERE t.feature = feature_daily.feature AND t.day = feature_daily.day)`,
    recountFeatureDays("rollup_feature_days"),
    ...(recredit === "all-purchases" ? recreditUsers(source) : recreditSinceEarliestChange(source)),
  ];
}

/**
 * Attribution: recompute every purchase of every user with a purchase or a touch in the delta
 * (a late touch moves credits of purchases loaded before), from their whole history in events.
 */
function recreditUsers(source: string): string[] {
  return [
    `DELETE FROM attribution_credits
WHERE user_id IN (SELECT d.user_id FROM ${source} AS d WHERE ${CREDITED})`,
    `INSERT INTO attribution_credits (purchase_id, user_id, model, purchased_at, day, channel, campaign_id, revenue)
${creditsFor(`SELECT d.user_id FROM ${source} AS d WHERE ${CREDITED}`)}`,
  ];
}

/**
 * Attribution: recompute only the purchases a credited event of the delta can change, those of
 * its user at or after it: a user's history of purchases grows with every load, while a load's
 * events are mostly its newest. Their touches still come from the user's whole history.
 */
function recreditSinceEarliestChange(source: string): string[] {
  return [
    // The day bound is implied by the EXISTS, but on the credits' sort key: blocks of earlier days are skipped.
    `DELETE FROM attribution_credits
WHERE ${fromFirstChangedDay(source, "attribution_credits.day")}
  AND EXISTS (SELECT 1 FROM ${source} AS d WHERE d.user_id = attribution_credits.user_id AND d.occurred_at <= attribution_credits.purchased_at AND (${CREDITED}))`,
    `INSERT INTO attribution_credits (purchase_id, user_id, model, purchased_at, day, channel, campaign_id, revenue)
WITH users AS (
  SELECT d.user_id, MIN(d.occurred_at) AS since FROM ${source} AS d WHERE ${CREDITED} GROUP BY d.user_id
),
${attributionCandidates("users", "since")}
${CREDITED_COLUMNS}
ORDER BY 5`,
  ];
}

/**
 * `<day> >= ` the first day whose attribution credits a delta can change: the day of its earliest
 * credited event, since a credit it changes is of a purchase at or after that event (NULL, so
 * false, without one). Bounds the load's re-credit and its recount of `attribution_daily`.
 */
export function fromFirstChangedDay(source: string, day: string): string {
  return `${day} >= (SELECT MIN(DATE_TRUNC('day', d.occurred_at)) FROM ${source} AS d WHERE ${CREDITED})`;
}

/**
 * Inserts `feature_daily` rows recounted from `feature_usage_daily` and `feature_first_use`: for the
 * (feature, day) pairs in table `touched`, or every pair when it is undefined.
 */
export function recountFeatureDays(touched?: string): string {
  const only = (alias: string, day: string) =>
    touched ? `\n  WHERE ${alias}.${day} IN (SELECT day FROM ${touched})\n    AND EXISTS (SELECT 1 FROM ${touched} AS t WHERE t.feature = ${alias}.feature AND t.day = ${alias}.${day})` : "";
  return `INSERT INTO feature_daily (feature, day, uses, active_users, active_accounts, new_accounts)
SELECT u.feature, u.day, u.uses, u.active_users, u.active_accounts, COALESCE(n.new_accounts, 0)
FROM (
  SELECT f.feature, f.day, SUM(f.uses) AS uses, COUNT(DISTINCT f.user_id) AS active_users, COUNT(DISTINCT f.account_id) AS active_accounts
  FROM feature_usage_daily AS f${only("f", "day")}
  GROUP BY f.feature, f.day
) AS u
LEFT JOIN (
  SELECT a.feature, a.first_day, COUNT(*) AS new_accounts
  FROM feature_first_use AS a${only("a", "first_day")}
  GROUP BY a.feature, a.first_day
) AS n ON n.feature = u.feature AND n.first_day = u.day`;
}

/**
 * The credits of every purchase of the users `userIds` selects, under the rules of
 * `revenue_attribution` (views/attribution-rules.ts), from those users' whole history in `events`.
 */
function creditsFor(userIds: string): string {
  return `WITH users AS (
  SELECT DISTINCT user_id FROM (${userIds}) AS s
),
${attributionCandidates("users")}
${CREDITED_COLUMNS}
ORDER BY 5`;
}

