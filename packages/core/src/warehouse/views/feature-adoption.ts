/**
 * Per feature (`properties.feature` of `feature_used` events) and day of event time: uses, active
 * users and accounts, accounts using the feature for the first time that day, and the running total
 * of adopting accounts. The one SUPER navigation Freshet's SQL uses is `e.properties.feature`,
 * cast to VARCHAR (a non-string feature value casts to NULL and is left out).
 */
export const CREATE_FEATURE_ADOPTION = `CREATE OR REPLACE VIEW feature_adoption AS
WITH uses AS (
  SELECT
    CAST(e.properties.feature AS VARCHAR) AS feature,
    e.account_id,
    e.user_id,
    DATE_TRUNC('day', e.occurred_at) AS day
  FROM events AS e
  WHERE e.event_type = 'feature_used'
),
named AS (
  SELECT feature, account_id, user_id, day FROM uses WHERE feature IS NOT NULL
),
daily AS (
  SELECT feature, day, COUNT(*) AS uses, COUNT(DISTINCT user_id) AS active_users, COUNT(DISTINCT account_id) AS active_accounts
  FROM named
  GROUP BY feature, day
),
first_use AS (
  SELECT feature, account_id, MIN(day) AS first_day FROM named GROUP BY feature, account_id
),
adopted AS (
  SELECT feature, first_day AS day, COUNT(*) AS new_accounts FROM first_use GROUP BY feature, first_day
)
SELECT
  d.feature,
  d.day,
  d.uses,
  d.active_users,
  d.active_accounts,
  COALESCE(a.new_accounts, 0) AS new_accounts,
  SUM(COALESCE(a.new_accounts, 0)) OVER (PARTITION BY d.feature ORDER BY d.day ROWS UNBOUNDED PRECEDING) AS adopted_accounts
FROM daily AS d
LEFT JOIN adopted AS a ON a.feature = d.feature AND a.day = d.day`;
