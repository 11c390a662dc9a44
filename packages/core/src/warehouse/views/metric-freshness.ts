/** The load interval assumed before any load has recorded its own (`loads.interval_seconds`). */
export const DEFAULT_LOAD_INTERVAL_SECONDS = 300;

/** How many recent arrival hours (this one included) the in-flight share is measured over. */
export const IN_FLIGHT_WINDOW_HOURS = 2;

/**
 * Each metric's newest event among the rows of the table it is selected FROM, one column per
 * metric: over `events` in the original view, over a load's new rows to maintain `newest_events`.
 */
export const NEWEST_EVENT_PER_METRIC = `    MAX(CASE WHEN campaign_id IS NOT NULL THEN occurred_at END) AS campaign_performance,
    MAX(occurred_at) AS user_engagement,
    MAX(CASE WHEN event_type = 'feature_used' THEN occurred_at END) AS feature_adoption,
    MAX(CASE WHEN event_type = 'purchase' AND revenue IS NOT NULL THEN occurred_at END) AS revenue_attribution`;

/**
 * Per dashboard metric: the newest loaded event it is built from, its age, the last successful
 * load, and a confidence score in [0, 1]:
 *
 *   I          = interval_seconds of the latest successful load (default 300)
 *   age        = seconds from newest_event_at to now
 *   timeliness = clamp((3·I − age) / (2·I), 0, 1)   1 while age ≤ I, 0.5 at 2·I, 0 from 3·I:
 *                data one interval old is as fresh as the schedule allows; each missed load halves it
 *   in_flight_share = (processed − loaded − duplicates) / processed over the last
 *                ${IN_FLIGHT_WINDOW_HOURS} arrival hours of event_accounting (0 when nothing was processed)
 *   completeness = 1 − clamp(in_flight_share, 0, 1)
 *   confidence = round(timeliness · completeness, 3); NULL age (no event yet) gives 0.
 *
 * Quiet metrics (no purchase for an hour) score low on timeliness: the dashboard cannot tell quiet
 * from stale, and the score says so rather than pretending.
 *
 * The view's SQL given `newest`, a SELECT of one row with a column per metric (its newest event
 * time): the original aggregates all of `events` (migration 2); migration 9 reads the one row of
 * `newest_events` that each load maintains, so a dashboard's request no longer scans `events`.
 */
export function metricFreshnessView(newest: string): string {
  return `CREATE OR REPLACE VIEW metric_freshness AS
WITH newest AS (
  ${newest}
),
per_metric AS (
  SELECT 'campaign_performance' AS metric, campaign_performance AS newest_event_at FROM newest
  UNION ALL
  SELECT 'user_engagement' AS metric, user_engagement AS newest_event_at FROM newest
  UNION ALL
  SELECT 'feature_adoption' AS metric, feature_adoption AS newest_event_at FROM newest
  UNION ALL
  SELECT 'revenue_attribution' AS metric, revenue_attribution AS newest_event_at FROM newest
),
last_load AS (
  SELECT MAX(finished_at) AS last_load_at FROM loads WHERE status = 'loaded'
),
schedule AS (
  SELECT COALESCE(MAX(l.interval_seconds), ${DEFAULT_LOAD_INTERVAL_SECONDS}) AS interval_seconds
  FROM loads AS l
  JOIN last_load AS ll ON l.finished_at = ll.last_load_at
  WHERE l.status = 'loaded'
),
flow AS (
  SELECT
    COALESCE(SUM(processed), 0) AS processed,
    COALESCE(SUM(processed - loaded - duplicates), 0) AS in_flight
  FROM event_accounting
  WHERE window_start >= DATEADD(hour, -${IN_FLIGHT_WINDOW_HOURS - 1}, DATE_TRUNC('hour', GETDATE()))
),
scored AS (
  SELECT
    m.metric,
    m.newest_event_at,
    DATEDIFF(second, m.newest_event_at, GETDATE()) AS age_seconds,
    ll.last_load_at,
    s.interval_seconds,
    CASE WHEN f.processed > 0
      THEN LEAST(1.0, GREATEST(0.0, CAST(f.in_flight AS DOUBLE PRECISION) / f.processed))
      ELSE 0.0
    END AS in_flight_share
  FROM per_metric AS m
  CROSS JOIN last_load AS ll
  CROSS JOIN schedule AS s
  CROSS JOIN flow AS f
)
SELECT
  metric,
  newest_event_at,
  age_seconds,
  last_load_at,
  interval_seconds,
  in_flight_share,
  CASE WHEN age_seconds IS NULL THEN 0.0
    ELSE ROUND(CAST(
      LEAST(1.0, GREATEST(0.0, (3.0 * interval_seconds - age_seconds) / (2.0 * interval_seconds))) * (1.0 - in_flight_share)
      AS DECIMAL(12, 6)), 3)
  END AS confidence
FROM scored`;
}

/** The original view (migration 2): each metric's newest event from all of `events`. */
export const CREATE_METRIC_FRESHNESS = metricFreshnessView(`SELECT
${NEWEST_EVENT_PER_METRIC}
  FROM events`);
