import { attributionCandidates, creditedCandidates } from "./attribution-rules.ts";

/**
 * Purchase revenue per day of purchase, channel and campaign, under two models:
 * `first_touch` credits the user's earliest campaign touch at or before the purchase,
 * `last_touch` the latest one (a purchase carrying a campaign is its own last touch). A touch is
 * any event with a campaign_id. A purchase with no touch is credited to its own channel with no
 * campaign in both models. Ties on time break by campaign_id, channel, event_id: deterministic.
 * The rules are attribution-rules.ts's, shared with the credits the loads maintain.
 */
export const CREATE_REVENUE_ATTRIBUTION = `CREATE OR REPLACE VIEW revenue_attribution AS
WITH ${attributionCandidates()},
credited AS (
${creditedCandidates((model) => `${model} AS model, purchased_at, revenue, channel, campaign_id`, "  ")}
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
