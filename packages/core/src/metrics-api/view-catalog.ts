import { sqlCount } from "../warehouse/sql-literals.ts";
import { MetricsQueryError } from "./errors.ts";
import type { Bucket, MetricsQuery, ViewParameters } from "./parameters.ts";

/** The metrics API's views, by the names scripts use. */
export const METRICS_VIEWS = ["campaign-performance", "user-engagement", "feature-adoption", "revenue-attribution"] as const;
export type MetricsViewName = (typeof METRICS_VIEWS)[number];

/** A named Data API parameter (`:name` in the SQL); values are text, cast where they are used. */
export interface SqlParameter {
  readonly name: string;
  readonly value: string;
}

/** One statement for the Data API: every value the client sent is in `parameters`, none in `sql`. */
export interface BoundQuery {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
}

export interface MetricsView extends ViewParameters {
  readonly name: MetricsViewName;
  /** Its row in `metric_freshness`. */
  readonly metric: string;
  build(query: MetricsQuery): BoundQuery;
}

/** `'YYYY-MM-DD HH:MM:SS.mmm'`: a TIMESTAMP (UTC) on Redshift and DuckDB alike, no offset to misread. */
function timestampText(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * The time range on `column` and the optional equality filters, with their parameters. An absent
 * filter is left out of the SQL rather than bound empty: the Data API refuses an empty value.
 */
function where(column: string, query: MetricsQuery, filters: Readonly<Record<string, string>>): { clause: string; parameters: SqlParameter[] } {
  const parts = [`${column} >= CAST(:from AS TIMESTAMP)`, `${column} < CAST(:to AS TIMESTAMP)`];
  const parameters: SqlParameter[] = [
    { name: "from", value: timestampText(query.from) },
    { name: "to", value: timestampText(query.to) },
  ];
  for (const [name, col] of Object.entries(filters)) {
    const value = query[name as "campaign" | "channel"];
    if (value === undefined) continue;
    parts.push(`${col} = :${name}`);
    parameters.push({ name, value });
  }
  return { clause: parts.join(" AND "), parameters };
}

/** The row limit is a validated integer (`sqlCount`), the one value not bound: LIMIT takes no parameter on every engine. */
function limit(query: MetricsQuery): string {
  return `LIMIT ${sqlCount(query.limit, "limit")}`;
}

/** campaign_totals' 5-minute buckets (campaign_performance's) as they are (`minute`: the finest grain), or truncated. */
const CAMPAIGN_BUCKET: Readonly<Record<Bucket, string>> = {
  minute: "bucket_start",
  hour: "DATE_TRUNC('hour', bucket_start)",
  day: "DATE_TRUNC('day', bucket_start)",
};

/*
 * Each view's columns, additive measures summed per bucket. Distinct counts (campaign users) are
 * not additive across buckets and are left out where the bucket regroups them. Campaign rows come
 * from `campaign_totals` (migration 9): `campaign_performance` summed to (bucket, campaign), the
 * same rows without grouping by ad and keyword and counting distinct users first.
 */
const VIEWS: Readonly<Record<MetricsViewName, MetricsView>> = {
  "campaign-performance": {
    name: "campaign-performance",
    metric: "campaign_performance",
    buckets: ["minute", "hour", "day"],
    filters: ["campaign"],
    build(query) {
      const w = where("bucket_start", query, { campaign: "campaign_id" });
      return {
        sql: `SELECT ${CAMPAIGN_BUCKET[query.bucket]} AS bucket_start, campaign_id,
  CAST(SUM(events) AS BIGINT) AS events, CAST(SUM(clicks) AS BIGINT) AS clicks, CAST(SUM(trials) AS BIGINT) AS trials,
  CAST(SUM(signups) AS BIGINT) AS signups, CAST(SUM(purchases) AS BIGINT) AS purchases, SUM(revenue) AS revenue
FROM campaign_totals
WHERE ${w.clause}
GROUP BY 1, 2
ORDER BY 1, 2
${limit(query)}`,
        parameters: w.parameters,
      };
    },
  },
  "user-engagement": {
    name: "user-engagement",
    metric: "user_engagement",
    buckets: ["hour", "day"],
    filters: [],
    build(query) {
      const w = where("period_start", query, {});
      return {
        sql: `SELECT period_start AS bucket_start, active_users, active_accounts, events, events_per_user
FROM user_engagement
WHERE grain = :grain AND ${w.clause}
ORDER BY period_start
${limit(query)}`,
        parameters: [{ name: "grain", value: query.bucket }, ...w.parameters],
      };
    },
  },
  "feature-adoption": {
    name: "feature-adoption",
    metric: "feature_adoption",
    buckets: ["day"],
    filters: [],
    build(query) {
      const w = where("day", query, {});
      return {
        sql: `SELECT day AS bucket_start, feature, uses, active_users, active_accounts, new_accounts, adopted_accounts
FROM feature_adoption
WHERE ${w.clause}
ORDER BY day, feature
${limit(query)}`,
        parameters: w.parameters,
      };
    },
  },
  "revenue-attribution": {
    name: "revenue-attribution",
    metric: "revenue_attribution",
    buckets: ["day"],
    filters: ["campaign", "channel"],
    build(query) {
      const w = where("day", query, { campaign: "campaign_id", channel: "channel" });
      return {
        sql: `SELECT day AS bucket_start, model, channel, campaign_id, purchases, revenue
FROM revenue_attribution
WHERE ${w.clause}
ORDER BY day, model, channel, campaign_id
${limit(query)}`,
        parameters: w.parameters,
      };
    },
  },
};

/** The view a path names, or 404 (`unknown_view`). */
export function metricsView(name: string | undefined): MetricsView {
  if (name !== undefined && Object.hasOwn(VIEWS, name)) return VIEWS[name as MetricsViewName];
  throw new MetricsQueryError("unknown_view", "view", `no metrics view ${JSON.stringify((name ?? "").slice(0, 64))}; the views are ${METRICS_VIEWS.join(", ")}`);
}

/** `metric_freshness`, every metric or one (`:metric`). */
export function freshnessQuery(metric?: string): BoundQuery {
  return {
    sql: `SELECT metric, newest_event_at, age_seconds, last_load_at, interval_seconds, in_flight_share, confidence
FROM metric_freshness${metric === undefined ? "" : "\nWHERE metric = :metric"}
ORDER BY metric`,
    parameters: metric === undefined ? [] : [{ name: "metric", value: metric }],
  };
}

/** The newest alerted anomalies and recoveries since an instant. */
export function anomaliesQuery(since: Date, rows: number): BoundQuery {
  return {
    sql: `SELECT incident_id, kind, metric, dimension, direction, expected, observed, score, threshold, window_start, window_end, detected_at
FROM anomalies
WHERE detected_at >= CAST(:since AS TIMESTAMP)
ORDER BY detected_at DESC, incident_id
LIMIT ${sqlCount(rows, "limit")}`,
    parameters: [{ name: "since", value: timestampText(since) }],
  };
}
