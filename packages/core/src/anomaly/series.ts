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
 * Share of the stage's usual events a minute needs to count as complete. Far below the normal
 * minute-to-minute variation of a stage's total (a few percent at hundreds of events a minute),
 * and far above 1 − `minRelativeChange` (0.5), so a minute loaded in part cannot move every
 * series by half and page marketing about the pipeline's own lag.
 */
export const COMPLETE_SHARE = 0.8;

/**
 * The minutes of [fromMinute, untilMinute) the stage's data is incomplete for: no event at all
 * (the pipeline down or not yet started), or under `COMPLETE_SHARE` of its usual events (the
 * median of the `baselineMinutes` complete minutes before), which is a minute still on its way
 * through the pipeline (a backlog, the newest minute loaded in part) far more often than a
 * business event. Both are for operators, not marketing: `prepareSeries` neither scores such
 * minutes nor counts them in a baseline, and a point whose shingle holds one waits for a later
 * run (when the minute is complete, it is scored then). The stage's total is the sum of the
 * `events` metric's rows.
 */
export function incompleteMinutes(
  rows: readonly SeriesRow[],
  window: { readonly fromMinute: number; readonly untilMinute: number },
  settings: Pick<AnomalySettings, "baselineMinutes">,
): Set<number> {
  const totals = new Map<number, number>();
  for (const r of rows) if (r.metric === "events" && r.value !== null && r.value > 0) totals.set(r.minute, (totals.get(r.minute) ?? 0) + r.value);
  const incomplete = new Set<number>();
  const complete: number[] = [];
  for (let m = window.fromMinute; m < window.untilMinute; m++) {
    const total = totals.get(m) ?? 0;
    const usual = median(complete.slice(-settings.baselineMinutes));
    if (total === 0 || total < usual * COMPLETE_SHARE) incomplete.add(m);
    else complete.push(total);
  }
  return incomplete;
}

export interface PrepareOptions {
  /**
   * Minutes the stage's data is incomplete for (`incompleteMinutes`). A point is then scored only
   * when its shingle has none and at least half its baseline minutes are complete; the expected
   * value is the median of the complete ones. Without it every minute counts (one series scored
   * on its own, as `freshet anomalies score` does).
   */
  readonly incompleteMinutes?: ReadonlySet<number>;
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
  options: PrepareOptions = {},
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
  const expectedOf = options.incompleteMinutes ? completeExpected(options.incompleteMinutes, window.fromMinute, settings) : (values: readonly number[], i: number) => expectedAt(values, i, settings);
  const prepared: PreparedSeries[] = [];
  for (const { metric, dimension, rows: seriesRows } of groups.values()) {
    const values = fillMinutes(seriesRows, metric, window.fromMinute, window.untilMinute);
    const points: PreparedPoint[] = [];
    const features: number[][] = [];
    for (let i = Math.max(first, span - settings.scoreMinutes); i < span; i++) {
      const expected = expectedOf(values, i);
      if (expected === undefined) continue;
      points.push({ at: minuteIso(window.fromMinute + i), value: values[i]!, expected });
      features.push(shingleFeatures(values, i, settings.shingleSize, Math.max(expected, metric.floor)));
    }
    if (points.length > 0) prepared.push({ metric: metric.id, dimension, points, features });
  }
  return prepared;
}

/** `expectedAt` over complete minutes only; undefined when the point cannot be scored (see `PrepareOptions`). */
function completeExpected(incomplete: ReadonlySet<number>, fromMinute: number, settings: AnomalySettings) {
  return (values: readonly number[], i: number): number | undefined => {
    const end = i - settings.shingleSize + 1;
    for (let k = end; k <= i; k++) if (incomplete.has(fromMinute + k)) return undefined;
    const baseline: number[] = [];
    for (let k = Math.max(0, end - settings.baselineMinutes); k < end; k++) if (!incomplete.has(fromMinute + k)) baseline.push(values[k]!);
    return baseline.length * 2 >= settings.baselineMinutes ? median(baseline) : undefined;
  };
}

/**
 * A packed series (`buildPackedSeriesSql`'s `points`) back into rows: `offset:value` pairs,
 * offsets in minutes from `fromMinute`, an empty value for NULL. Anything else is refused.
 */
export function unpackSeries(metric: string, dimension: string, points: string, fromMinute: number): SeriesRow[] {
  if (points === "") return [];
  return points.split(",").map((pair) => {
    const match = /^(-?\d+):(-?\d+(?:\.\d+)?)?$/.exec(pair);
    if (!match) throw new AnomalyInputError(`not a packed series point: ${JSON.stringify(pair.slice(0, 80))} (${metric}/${dimension})`);
    return { metric, dimension, minute: fromMinute + Number(match[1]), value: match[2] === undefined ? null : Number(match[2]) };
  });
}

/** The key of one series: in the state object and the lake. */
export const seriesKey = (metric: string, dimension: string): string => `${metric}|${dimension}`;

/** All series' features as one `text/csv` body, one shingled point a line, series after series. */
export function featuresCsv(series: readonly PreparedSeries[]): string {
  return series.flatMap((s) => s.features.map((f) => f.join(","))).join("\n");
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
