/**
 * Business metrics scored for anomalies, as data: a new metric is a new entry here, not code.
 * Each is a per-minute series per dimension value, aggregated from `events` (SORTKEY occurred_at,
 * so the run's window of an hour or so prunes to a few blocks). The rollups are 5-minute buckets,
 * too coarse for per-minute series, so the series read `events` directly.
 */
export interface MetricDefinition {
  /** Stable id: the series key, the `anomalies.metric` column, the SNS `metric` attribute. */
  readonly id: string;
  /** What marketing reads in an alert ("conversions"). */
  readonly description: string;
  /** What a dimension value is called in an alert ("campaign"). */
  readonly dimensionLabel: string;
  /** SQL expression of the dimension (a column of `events`). */
  readonly dimensionSql: string;
  /** SQL aggregate of one minute's value (DOUBLE PRECISION). */
  readonly valueSql: string;
  /** SQL condition on the rows aggregated (besides the window). */
  readonly filterSql: string;
  /** A minute with no row: 0 for counts and sums; the previous value for ratios (undefined without a denominator). */
  readonly fill: "zero" | "previous";
  /** Smallest level a relative change or a feature is measured against (no ÷0 on a quiet series). */
  readonly floor: number;
  /** The dashboard view an alert links to. */
  readonly view: string;
}

const CONVERSION = "event_type IN ('signup', 'purchase')";

export const METRICS: readonly MetricDefinition[] = Object.freeze([
  {
    id: "events",
    description: "events",
    dimensionLabel: "event type",
    dimensionSql: "event_type",
    valueSql: "CAST(COUNT(*) AS DOUBLE PRECISION)",
    filterSql: "TRUE",
    fill: "zero",
    floor: 1,
    view: "metric_freshness",
  },
  {
    id: "conversions",
    description: "conversions",
    dimensionLabel: "campaign",
    dimensionSql: "campaign_id",
    valueSql: `CAST(SUM(CASE WHEN ${CONVERSION} THEN 1 ELSE 0 END) AS DOUBLE PRECISION)`,
    filterSql: "campaign_id IS NOT NULL",
    fill: "zero",
    floor: 1,
    view: "campaign_performance",
  },
  {
    id: "conversion_rate",
    description: "conversion rate",
    dimensionLabel: "campaign",
    dimensionSql: "campaign_id",
    valueSql: `CAST(SUM(CASE WHEN ${CONVERSION} THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / NULLIF(SUM(CASE WHEN event_type = 'ad_click' THEN 1 ELSE 0 END), 0)`,
    filterSql: "campaign_id IS NOT NULL",
    fill: "previous",
    floor: 0.01,
    view: "campaign_performance",
  },
  {
    id: "revenue",
    description: "revenue",
    dimensionLabel: "channel",
    dimensionSql: "channel",
    valueSql: "CAST(COALESCE(SUM(CASE WHEN event_type = 'purchase' THEN revenue END), 0) AS DOUBLE PRECISION)",
    filterSql: "TRUE",
    fill: "zero",
    floor: 1,
    view: "revenue_attribution",
  },
] satisfies MetricDefinition[]);

/** Columns of the series query, in order: metric id, dimension, minute (Unix minutes), value. */
export const SERIES_COLUMNS = ["metric", "dimension", "minute", "value"] as const;

export function metricById(id: string, metrics: readonly MetricDefinition[] = METRICS): MetricDefinition | undefined {
  return metrics.find((m) => m.id === id);
}

/**
 * One statement returning every metric's per-minute rows in [:window_from, :window_until) (Data API
 * parameters, ISO timestamps), only minutes with events: the decider fills the gaps, so the
 * result stays small (Step Functions passes it in a 256 KiB state).
 */
export function buildSeriesSql(metrics: readonly MetricDefinition[] = METRICS): string {
  const minute = "CAST(EXTRACT(EPOCH FROM DATE_TRUNC('minute', occurred_at)) AS BIGINT) / 60";
  return metrics
    .map(
      (m) => `SELECT '${m.id}' AS metric, CAST(${m.dimensionSql} AS VARCHAR(512)) AS dimension, ${minute} AS minute, ${m.valueSql} AS value
FROM events
WHERE occurred_at >= CAST(:window_from AS TIMESTAMP) AND occurred_at < CAST(:window_until AS TIMESTAMP) AND ${m.dimensionSql} IS NOT NULL AND (${m.filterSql})
GROUP BY 2, 3`,
    )
    .join("\nUNION ALL\n")
    .concat("\nORDER BY 1, 2, 3");
}
