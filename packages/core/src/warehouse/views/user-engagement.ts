/** A user's session ends after this much inactivity (the common web-analytics convention). */
export const SESSION_GAP_MINUTES = 30;

/**
 * Active users and accounts, events and events per user, per hour and per day of event time
 * (`grain` is 'hour' or 'day'; daily actives are counted per day, not summed from hours).
 * Sessions are in `user_sessions`: they need a window over each user's history, which a
 * time-filtered dashboard query on this view should not pay for.
 */
export const CREATE_USER_ENGAGEMENT = `CREATE OR REPLACE VIEW user_engagement AS
SELECT
  grain,
  period_start,
  COUNT(DISTINCT user_id) AS active_users,
  COUNT(DISTINCT account_id) AS active_accounts,
  COUNT(*) AS events,
  CAST(COUNT(*) AS DOUBLE PRECISION) / COUNT(DISTINCT user_id) AS events_per_user
FROM (
  SELECT 'hour' AS grain, DATE_TRUNC('hour', occurred_at) AS period_start, user_id, account_id FROM events
  UNION ALL
  SELECT 'day' AS grain, DATE_TRUNC('day', occurred_at) AS period_start, user_id, account_id FROM events
) AS periods
GROUP BY grain, period_start`;

/**
 * One row per session: a user's run of events with no gap over ${SESSION_GAP_MINUTES} minutes
 * (derived; producers send no session id). session_number counts a user's sessions from 1.
 */
export const CREATE_USER_SESSIONS = `CREATE OR REPLACE VIEW user_sessions AS
WITH gaps AS (
  SELECT
    user_id,
    account_id,
    occurred_at,
    CASE
      WHEN LAG(occurred_at) OVER (PARTITION BY user_id ORDER BY occurred_at) IS NULL THEN 1
      WHEN DATEDIFF(second, LAG(occurred_at) OVER (PARTITION BY user_id ORDER BY occurred_at), occurred_at) > ${SESSION_GAP_MINUTES * 60} THEN 1
      ELSE 0
    END AS starts_session
  FROM events
),
numbered AS (
  SELECT
    user_id,
    account_id,
    occurred_at,
    SUM(starts_session) OVER (PARTITION BY user_id ORDER BY occurred_at ROWS UNBOUNDED PRECEDING) AS session_number
  FROM gaps
)
SELECT
  user_id,
  session_number,
  MIN(account_id) AS account_id,
  MIN(occurred_at) AS session_start,
  MAX(occurred_at) AS session_end,
  COUNT(*) AS events
FROM numbered
GROUP BY user_id, session_number`;
