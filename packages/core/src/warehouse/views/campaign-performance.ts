/**
 * Campaign → ad group → ad → keyword, per 5-minute bucket of event time. Only events that carry a
 * campaign count (the drill-down starts at a campaign). Freshet's event types have no impression,
 * so the funnel is clicks → trials/signups → purchases; revenue is summed in the events' currency
 * (producers send one currency). Buckets: the hour plus whole 5-minute steps (FLOOR, not integer
 * division, so the arithmetic is the same on every engine).
 */
export const CREATE_CAMPAIGN_PERFORMANCE = `CREATE OR REPLACE VIEW campaign_performance AS
SELECT
  DATEADD(minute, CAST(FLOOR(EXTRACT(MINUTE FROM occurred_at) / 5.0) * 5 AS INTEGER), DATE_TRUNC('hour', occurred_at)) AS bucket_start,
  campaign_id,
  ad_group_id,
  ad_id,
  keyword,
  COUNT(*) AS events,
  SUM(CASE WHEN event_type = 'ad_click' THEN 1 ELSE 0 END) AS clicks,
  SUM(CASE WHEN event_type = 'trial_started' THEN 1 ELSE 0 END) AS trials,
  SUM(CASE WHEN event_type = 'signup' THEN 1 ELSE 0 END) AS signups,
  SUM(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS purchases,
  COALESCE(SUM(CASE WHEN event_type = 'purchase' THEN revenue END), 0) AS revenue,
  COUNT(DISTINCT user_id) AS users
FROM events
WHERE campaign_id IS NOT NULL
GROUP BY 1, 2, 3, 4, 5`;
