import { AnomalyInputError } from "./errors.ts";
import { metricById, type MetricDefinition } from "./metrics.ts";
import type { AnomalySettings } from "./settings.ts";

/** One row of the series query (`SERIES_COLUMNS`). */
export interface SeriesRow {
  readonly metric: string;
  readonly dimension: string;
  /** Unix minutes (minutes since 1970-01-01T00:00Z). */
  readonly minute: number;
  readonly value: number | null;
}

/** A point to score: the minute, its observed value and the value the series was expected to have. */
export interface PreparedPoint {
  readonly at: string;
  readonly value: number;
  readonly expected: number;
}

/** One series ready for the model: its points to score and, per point, the shingled features. */
export interface PreparedSeries {
  readonly metric: string;
  readonly dimension: string;
  readonly points: readonly PreparedPoint[];
  readonly features: readonly (readonly number[])[];
}

export const minuteIso = (minute: number): string => new Date(minute * 60_000).toISOString();

/** The median of `values` (0 when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A metric's values for every minute of [from, until): minutes without a row are filled as the
 * metric says (0, or the previous value; before any value, the first one).
 */
export function fillMinutes(rows: readonly SeriesRow[], metric: MetricDefinition, fromMinute: number, untilMinute: number): number[] {
  const byMinute = new Map<number, number>();
  for (const r of rows) if (r.value !== null && Number.isFinite(r.value)) byMinute.set(r.minute, r.value);
  const values: number[] = [];
  let previous = metric.fill === "previous" ? firstValue(byMinute, fromMinute, untilMinute) : 0;
  for (let m = fromMinute; m < untilMinute; m++) {
    const v = byMinute.get(m);
    if (v !== undefined) previous = v;
    values.push(v ?? (metric.fill === "zero" ? 0 : previous));
  }
  return values;
}

function firstValue(byMinute: Map<number, number>, from: number, until: number): number {
  for (let m = from; m < until; m++) if (byMinute.has(m)) return byMinute.get(m)!;
  return 0;
}

/**
 * Model features of the point ending at `values[i]`: its shingle (the last `shingleSize`
 * minutes), each divided by the series' level (`max(expected, floor)`). Scale-free, so one model
 * serves every metric and dimension, and the model sees "how this minute compares with the
 * recent level": ~1 normally, ~0 for a drop to nothing, ≫1 for a spike. Training uses the same
 * function on history.
 */
export function shingleFeatures(values: readonly number[], i: number, shingleSize: number, level: number): number[] {
  const features: number[] = [];
  for (let k = i - shingleSize + 1; k <= i; k++) features.push(round6(values[k]! / level));
  return features;
}

/**
 * The expected value at `values[i]`: the median of the `baselineMinutes` before its shingle.
 * Defined this way (not the forest's own reconstruction, which SageMaker's RCF does not return)
 * so the direction of an anomaly is a plain comparison marketing can check on the dashboard, and
 * the shingle under suspicion never pulls its own baseline.
 */
export function expectedAt(values: readonly number[], i: number, settings: Pick<AnomalySettings, "shingleSize" | "baselineMinutes">): number {
  const end = i - settings.shingleSize + 1;
  return median(values.slice(Math.max(0, end - settings.baselineMinutes), end));
}

/**
 * Rows of the series query for [fromMinute, untilMinute) → every series' newest `scoreMinutes`
 * points that have a full shingle and baseline before them, with their features.
 */
export function prepareSeries(
  rows: readonly SeriesRow[],
  window: { readonly fromMinute: number; readonly untilMinute: number },
  settings: AnomalySettings,
  metrics?: readonly MetricDefinition[],
): PreparedSeries[] {
  const groups = new Map<string, { metric: MetricDefinition; dimension: string; rows: SeriesRow[] }>();
  for (const row of rows) {
    const metric = metricById(row.metric, metrics);
    if (!metric) throw new AnomalyInputError(`series row of unknown metric ${JSON.stringify(row.metric)}`);
    const key = seriesKey(row.metric, row.dimension);
    const group = groups.get(key) ?? { metric, dimension: row.dimension, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  const first = settings.shingleSize - 1 + settings.baselineMinutes;
  const span = window.untilMinute - window.fromMinute;
  const prepared: PreparedSeries[] = [];
  for (const { metric, dimension, rows: seriesRows } of groups.values()) {
    const values = fillMinutes(seriesRows, metric, window.fromMinute, window.untilMinute);
    const points: PreparedPoint[] = [];
    const features: number[][] = [];
    for (let i = Math.max(first, span - settings.scoreMinutes); i < span; i++) {
      const expected = expectedAt(values, i, settings);
      points.push({ at: minuteIso(window.fromMinute + i), value: values[i]!, expected });
      features.push(shingleFeatures(values, i, settings.shingleSize, Math.max(expected, metric.floor)));
    }
    if (points.length > 0) prepared.push({ metric: metric.id, dimension, points, features });
  }
  return prepared;
}

/** The key of one series: in the state object and the lake. */
export const seriesKey = (metric: string, dimension: string): string => `${metric}|${dimension}`;

/** All series' features as one `text/csv` body, one shingled point a line, series after series. */
export function featuresCsv(series: readonly PreparedSeries[]): string {
  return series.flatMap((s) => s.features.map((f) => f.join(","))).join("\n");
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
