import { DEFAULT_ANOMALY_SETTINGS, METRICS, decideAnomalies, prepareSeries, trainAnomalyModel, trainingFeatures, type SeriesRow } from "@freshet/core";
import { describe, expect, it } from "vitest";
import { scoreCsv } from "../../src/anomaly/score-csv.ts";
import { SeriesScorer } from "../../src/anomaly/score-series.ts";
import { seededRandom } from "../../src/traffic/random.ts";

const START_MINUTE = Date.UTC(2026, 0, 5) / 60_000;
const iso = (i: number) => new Date((START_MINUTE + i) * 60_000).toISOString();

/** A day-shaped per-minute series with 10 % noise: `minutes` long, `edit` applied per minute. */
function series(minutes: number, edit: (i: number, v: number) => number = (_, v) => v): number[] {
  const random = seededRandom(42);
  return Array.from({ length: minutes }, (_, i) => edit(i, Math.round(100 * (1 + 0.4 * Math.sin((2 * Math.PI * i) / 1440)) * (0.9 + 0.2 * random()))));
}
const csvLines = (values: readonly number[]) => ["timestamp,value", ...values.map((v, i) => `${iso(i)},${v}`)];

async function scoreValues(values: readonly number[]) {
  let out = "";
  const totals = await scoreCsv(csvLines(values), (chunk) => void (out += chunk));
  const rows = out.trimEnd().split("\n");
  return { totals, header: rows[0], rows: rows.slice(1).map((line) => line.split(",")) };
}

describe("freshet anomalies score's path", () => {
  it("gives the model exactly the workflow's features and the decider its expected values", () => {
    const values = series(200, (i, v) => (i >= 150 && i < 165 ? 0 : v));
    const seen: number[][] = [];
    const model = { score: (p: ArrayLike<number>) => (seen.push(Array.from(p)), 1), update: () => {} };
    const scorer = new SeriesScorer({ lifecycle: { kind: "streaming", model } });
    values.forEach((v, i) => scorer.push(iso(i), v));

    const metric = METRICS[0]!;
    const rows: SeriesRow[] = values.map((value, i) => ({ metric: metric.id, dimension: "input", minute: START_MINUTE + i, value }));
    const [prepared] = prepareSeries(rows, { fromMinute: START_MINUTE, untilMinute: START_MINUTE + values.length }, { ...DEFAULT_ANOMALY_SETTINGS, scoreMinutes: values.length });
    expect(seen).toEqual(prepared!.features);
  });

  it("alerts where the decider, fed the same points at once, opens incidents", () => {
    const values = series(400, (i, v) => (i >= 300 && i < 315 ? 0 : v));
    const scores = values.map((_, i) => (i === 300 || i === 301 ? 50 : 1 + (i % 7) / 10));
    let i = 0;
    const model = { score: () => scores[i + DEFAULT_ANOMALY_SETTINGS.shingleSize - 1 + DEFAULT_ANOMALY_SETTINGS.baselineMinutes]!, update: () => void (i += 1) };
    const scorer = new SeriesScorer({ lifecycle: { kind: "streaming", model } });
    const alerts = values.flatMap((v, t) => (scorer.push(iso(t), v).anomaly ? [iso(t)] : []));

    const metric = METRICS[0]!;
    const rows: SeriesRow[] = values.map((value, t) => ({ metric: metric.id, dimension: "input", minute: START_MINUTE + t, value }));
    const [prepared] = prepareSeries(rows, { fromMinute: START_MINUTE, untilMinute: START_MINUTE + values.length }, { ...DEFAULT_ANOMALY_SETTINGS, scoreMinutes: values.length });
    const first = values.length - prepared!.points.length;
    const points = prepared!.points.map((p, k) => ({ ...p, score: scores[first + k]! }));
    const { decisions } = decideAnomalies(metric, "input", points, undefined, DEFAULT_ANOMALY_SETTINGS);
    expect(alerts).toEqual([iso(300)]);
    expect(decisions.filter((d) => d.kind === "anomaly").map((d) => d.kind === "anomaly" && d.windowStart)).toEqual(alerts);
  });

  it("by default scores as production: a model trained on the first 24 hours as freshet anomalies train does, never learning", async () => {
    const values = series(1600);
    const metric = METRICS[0]!;
    const rows: SeriesRow[] = values.map((value, i) => ({ metric: metric.id, dimension: "input", minute: START_MINUTE + i, value }));
    const model = trainAnomalyModel(trainingFeatures(rows.slice(0, 1440), { fromMinute: START_MINUTE, untilMinute: START_MINUTE + 1440 }, DEFAULT_ANOMALY_SETTINGS), DEFAULT_ANOMALY_SETTINGS, 1);
    const [prepared] = prepareSeries(rows, { fromMinute: START_MINUTE, untilMinute: START_MINUTE + 1600 }, { ...DEFAULT_ANOMALY_SETTINGS, scoreMinutes: 160 });
    const expected = prepared!.features.map((f) => round6(model.score(f)));

    const { rows: out } = await scoreValues(values);
    expect(out.slice(0, 1440).every((r) => r[2] === "0" && r[3] === "0")).toBe(true);
    expect(out.slice(1440).map((r) => Number(r[2]))).toEqual(expected);
  });

  it("with the trained forest, alerts once on a drop to zero and not on a normal day, one output row per input row", async () => {
    const normal = await scoreValues(series(2000));
    expect(normal.header).toBe("timestamp,value,score,anomaly");
    expect(normal.rows).toHaveLength(2000);
    expect(normal.totals).toEqual({ rows: 2000, anomalies: 0 });

    const dropped = await scoreValues(series(2000, (i, v) => (i >= 1700 && i < 1715 ? 0 : v)));
    const alerts = dropped.rows.flatMap((r, i) => (r[3] === "1" ? [i] : []));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toBeGreaterThanOrEqual(1700);
    expect(alerts[0]).toBeLessThan(1704);
    expect(dropped.rows[1700]).toEqual([iso(1700), "0", expect.any(String), expect.any(String)]);
    expect(Number(dropped.rows[alerts[0]!]![2])).toBeGreaterThan(Number(dropped.rows[1600]![2]));
  });
});

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
