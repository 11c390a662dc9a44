/**
 * Purchase revenue per day of purchase, channel and campaign, under two models:
 * `first_touch` credits the user's earliest campaign touch at or before the purchase,
 * `last_touch` the latest one (a purchase carrying a campaign is its own last touch). A touch is
 * any event with a campaign_id. A purchase with no touch is credited to its own channel with no
 * campaign in both models. Ties on time break by campaign_id, channel, event_id: deterministic.
 */
export const CREATE_REVENUE_ATTRIBUTION = `CREATE OR REPLACE VIEW revenue_attribution AS
WITH purchases AS (
  SELECT event_id, user_id, occurred_at, revenue, channel
  FROM events
  WHERE event_type = 'purchase' AND revenue IS NOT NULL
),
touches AS (
  SELECT event_id, user_id, occurred_at, channel, campaign_id
  FROM events
  WHERE campaign_id IS NOT NULL
),
candidates AS (
  SELECT
    p.event_id AS purchase_id,
    p.occurred_at AS purchased_at,
    p.revenue,
    COALESCE(t.channel, p.channel) AS channel,
    t.campaign_id,
    ROW_NUMBER() OVER (PARTITION BY p.event_id ORDER BY t.occurred_at ASC, t.campaign_id ASC, t.channel ASC, t.event_id ASC) AS first_rank,
    ROW_NUMBER() OVER (PARTITION BY p.event_id ORDER BY t.occurred_at DESC, t.campaign_id DESC, t.channel DESC, t.event_id DESC) AS last_rank
  FROM purchases AS p
  LEFT JOIN touches AS t ON t.user_id = p.user_id AND t.occurred_at <= p.occurred_at
),
credited AS (
  SELECT 'first_touch' AS model, purchased_at, revenue, channel, campaign_id FROM candidates WHERE first_rank = 1
  UNION ALL
  SELECT 'last_touch' AS model, purchased_at, revenue, channel, campaign_id FROM candidates WHERE last_rank = 1
)
SELECT
  model,
  DATE_TRUNC('day', purchased_at) AS day,
  channel,
  campaign_id,
  COUNT(*) AS purchases,
  SUM(revenue) AS revenue
FROM credited
GROUP BY 1, 2, 3, 4`;
