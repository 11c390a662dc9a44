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
  /**
   * When series of several metrics move in one incident, the lowest rank leads it and is the one
   * alerted: what marketing acts on (a campaign's conversions) before raw event counts.
   */
  readonly rank: number;
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
    rank: 4,
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
    rank: 1,
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
    rank: 2,
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
    rank: 3,
  },
] satisfies MetricDefinition[]);

/** The series query's Data API parameters: the window's bounds, `YYYY-MM-DD HH:MM:SS` or ISO, UTC. */
export const SERIES_PARAMETERS = { from: "window_from", until: "window_until" } as const;

/** Columns of the series query, in order: metric id, dimension, minute (Unix minutes), value. */
export const SERIES_COLUMNS = ["metric", "dimension", "minute", "value"] as const;

export function metricById(id: string, metrics: readonly MetricDefinition[] = METRICS): MetricDefinition | undefined {
  return metrics.find((m) => m.id === id);
}

/** Each metric's per-minute rows in the window, one SELECT per metric, UNION ALL (no ORDER BY). */
function seriesUnion(metrics: readonly MetricDefinition[]): string {
  const minute = "CAST(EXTRACT(EPOCH FROM DATE_TRUNC('minute', occurred_at)) AS BIGINT) / 60";
  return metrics
    .map(
      (m) => `SELECT '${m.id}' AS metric, CAST(${m.dimensionSql} AS VARCHAR(512)) AS dimension, ${minute} AS minute, ${m.valueSql} AS value
FROM events
WHERE occurred_at >= CAST(:${SERIES_PARAMETERS.from} AS TIMESTAMP) AND occurred_at < CAST(:${SERIES_PARAMETERS.until} AS TIMESTAMP) AND ${m.dimensionSql} IS NOT NULL AND (${m.filterSql})
GROUP BY 2, 3`,
    )
    .join("\nUNION ALL\n");
}

/**
 * One statement returning every metric's per-minute rows in [:window_from, :window_until)
 * (`SERIES_PARAMETERS`, Data API parameters), only minutes with events, one row per minute
 * (`SERIES_COLUMNS`): what training reads over hours of history.
 */
export function buildSeriesSql(metrics: readonly MetricDefinition[] = METRICS): string {
  return `${seriesUnion(metrics)}\nORDER BY 1, 2, 3`;
}

/** Columns of the packed series query: metric id, dimension, `offset:value,…` (`unpackSeries`). */
export const PACKED_SERIES_COLUMNS = ["metric", "dimension", "points"] as const;

/**
 * The same rows packed one row per series: `points` lists `<minute − window start>:<value>`
 * (value with 6 decimals, empty when NULL), in minute order. What the scoring workflow reads: a
 * Step Functions state holds 256 KiB, and a row per minute of every series would not fit for a
 * stage with many campaigns (~120 bytes a minute as Data API records against ~13 packed).
 * LISTAGG's 64 KiB per value bounds a series at ~5,000 minutes, far above a scoring window.
 */
export function buildPackedSeriesSql(metrics: readonly MetricDefinition[] = METRICS): string {
  const start = `CAST(EXTRACT(EPOCH FROM CAST(:${SERIES_PARAMETERS.from} AS TIMESTAMP)) AS BIGINT) / 60`;
  return `SELECT metric, dimension,
  LISTAGG(CAST(minute - ${start} AS VARCHAR(12)) || ':' || COALESCE(CAST(CAST(value AS DECIMAL(24,6)) AS VARCHAR(32)), ''), ',') WITHIN GROUP (ORDER BY minute) AS points
FROM (
${seriesUnion(metrics)}
) AS series
GROUP BY metric, dimension
ORDER BY metric, dimension`;
}
