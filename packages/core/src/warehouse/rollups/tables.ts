/*
 * Rollup tables the dashboard views read instead of aggregating all of `events`. Each load
 * maintains them from the rows it inserted (`maintainRollups`); `buildRollupRebuildStatements`
 * rebuilds them from `events` for a range of days. Time-ranged dashboard queries then scan a
 * small, time-sorted table: SORTKEY on the time column everywhere, so zone maps prune.
 *
 * Distinct counts (users, accounts) are not additive across loads, so the rollups keep the
 * user (and account) in their grain where a view counts them distinctly, and small per-period
 * summary tables (`engagement_periods`, `feature_daily`) hold the distinct counts, recomputed
 * by each load for just the periods it touched.
 */

/**
 * Campaign funnel per load delta, grain (5-minute bucket, campaign, ad group, ad, keyword, user):
 * additive measures summed by the view; the user stays in the grain because the view's `users` is
 * COUNT(DISTINCT user_id) per bucket, which per-load partial counts could not give. A load appends
 * its own rows (no merge): a late event for an old bucket only adds a row. DISTKEY(user_id): the
 * distinct count per group then needs no redistribution, and user_id spreads evenly.
 */
export const CREATE_CAMPAIGN_ROLLUP = `CREATE TABLE IF NOT EXISTS campaign_rollup (
  bucket_start TIMESTAMP NOT NULL,
  campaign_id VARCHAR(512) NOT NULL,
  ad_group_id VARCHAR(512),
  ad_id VARCHAR(512),
  keyword VARCHAR(1024),
  user_id VARCHAR(512) NOT NULL,
  events BIGINT NOT NULL,
  clicks BIGINT NOT NULL,
  trials BIGINT NOT NULL,
  signups BIGINT NOT NULL,
  purchases BIGINT NOT NULL,
  revenue DECIMAL(38,4) NOT NULL
)
DISTSTYLE KEY
DISTKEY (user_id)
SORTKEY (bucket_start)`;

/**
 * Who was active when: events per (hour, user, account) per load delta. The source of the hourly
 * and daily distinct counts; `day_start` is stored so a day's recount is an equality on a column
 * (prunable), not an expression. DISTKEY(user_id) as for the campaign rollup.
 */
export const CREATE_USER_ACTIVITY_HOURLY = `CREATE TABLE IF NOT EXISTS user_activity_hourly (
  hour_start TIMESTAMP NOT NULL,
  day_start TIMESTAMP NOT NULL,
  user_id VARCHAR(512) NOT NULL,
  account_id VARCHAR(512) NOT NULL,
  events BIGINT NOT NULL
)
DISTSTYLE KEY
DISTKEY (user_id)
SORTKEY (hour_start)`;

/**
 * One row per (grain, period): what `user_engagement` returns, recounted from
 * `user_activity_hourly` for each hour and day a load touches. ~750 rows a month: DISTSTYLE ALL,
 * so a dashboard's read never moves data.
 */
export const CREATE_ENGAGEMENT_PERIODS = `CREATE TABLE IF NOT EXISTS engagement_periods (
  grain VARCHAR(8) NOT NULL,
  period_start TIMESTAMP NOT NULL,
  active_users BIGINT NOT NULL,
  active_accounts BIGINT NOT NULL,
  events BIGINT NOT NULL,
  PRIMARY KEY (grain, period_start)
)
DISTSTYLE ALL
SORTKEY (period_start)`;

/**
 * Feature uses per (day, feature, account, user) per load delta: the source of the daily distinct
 * counts and of first uses. DISTKEY(account_id): first use is per (feature, account).
 */
export const CREATE_FEATURE_USAGE_DAILY = `CREATE TABLE IF NOT EXISTS feature_usage_daily (
  day TIMESTAMP NOT NULL,
  feature VARCHAR(256) NOT NULL,
  account_id VARCHAR(512) NOT NULL,
  user_id VARCHAR(512) NOT NULL,
  uses BIGINT NOT NULL
)
DISTSTYLE KEY
DISTKEY (account_id)
SORTKEY (day)`;

/**
 * Per (feature, day): uses, distinct users/accounts and accounts adopting the feature that day,
 * recounted for the days a load touches (and the old first day of an adoption a late use moved
 * earlier). ~12 features × days: DISTSTYLE ALL.
 */
export const CREATE_FEATURE_DAILY = `CREATE TABLE IF NOT EXISTS feature_daily (
  feature VARCHAR(256) NOT NULL,
  day TIMESTAMP NOT NULL,
  uses BIGINT NOT NULL,
  active_users BIGINT NOT NULL,
  active_accounts BIGINT NOT NULL,
  new_accounts BIGINT NOT NULL,
  PRIMARY KEY (feature, day)
)
DISTSTYLE ALL
SORTKEY (day)`;

/**
 * The first day each account used each feature: one row per (feature, account), inserted when a
 * pair is new and moved earlier when a late event predates it. Bounded by accounts × features.
 */
export const CREATE_FEATURE_FIRST_USE = `CREATE TABLE IF NOT EXISTS feature_first_use (
  feature VARCHAR(256) NOT NULL,
  account_id VARCHAR(512) NOT NULL,
  first_day TIMESTAMP NOT NULL,
  PRIMARY KEY (feature, account_id)
)
DISTSTYLE KEY
DISTKEY (account_id)
SORTKEY (first_day)`;

/**
 * One row per purchase and model: who gets the credit. A load deletes and recomputes the rows of
 * every user with a purchase or a touch in its delta, so a late touch re-credits earlier purchases.
 * DISTKEY(user_id), like `events`: that per-user delete and recompute stays slice-local.
 */
export const CREATE_ATTRIBUTION_CREDITS = `CREATE TABLE IF NOT EXISTS attribution_credits (
  purchase_id VARCHAR(256) NOT NULL,
  user_id VARCHAR(512) NOT NULL,
  model VARCHAR(16) NOT NULL,
  purchased_at TIMESTAMP NOT NULL,
  day TIMESTAMP NOT NULL,
  channel VARCHAR(32) NOT NULL,
  campaign_id VARCHAR(512),
  revenue DECIMAL(18,4) NOT NULL
)
DISTSTYLE KEY
DISTKEY (user_id)
SORTKEY (day)`;

export const CREATE_ROLLUP_TABLES: readonly string[] = [
  CREATE_CAMPAIGN_ROLLUP,
  CREATE_USER_ACTIVITY_HOURLY,
  CREATE_ENGAGEMENT_PERIODS,
  CREATE_FEATURE_USAGE_DAILY,
  CREATE_FEATURE_DAILY,
  CREATE_FEATURE_FIRST_USE,
  CREATE_ATTRIBUTION_CREDITS,
];
