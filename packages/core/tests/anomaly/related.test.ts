import { describe, expect, it } from "vitest";
import {
  anomalySettings,
  decideAnomalies,
  metricById,
  relateIncidents,
  seriesKey,
  type DecidedSeries,
  type MetricDefinition,
  type ScoredPoint,
  type SeriesState,
} from "../../src/index.ts";

const conversions = metricById("conversions")!;
const rate = metricById("conversion_rate")!;
const events = metricById("events")!;
const settings = anomalySettings({ minScores: 5, cooldownMinutes: 20, recoveryPoints: 2, groupMinutes: 0 });
const T0 = Date.parse("2026-03-01T10:00:00Z");
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

const normal = (from: number, to: number): ScoredPoint[] =>
  Array.from({ length: to - from }, (_, i) => ({ at: at(from + i), value: 10, expected: 10, score: 1 + 0.05 * ((i % 5) - 2) }));
const dropped = (from: number, to: number): ScoredPoint[] =>
  Array.from({ length: to - from }, (_, i) => ({ at: at(from + i), value: 0, expected: 10, score: 5 }));

/** One run over several series, as the decider does it: each decided, then related. */
function run(series: [MetricDefinition, string, ScoredPoint[]][], states: Record<string, SeriesState>, with_ = settings) {
  const decided: DecidedSeries[] = series.map(([metric, dimension, points]) => {
    const key = seriesKey(metric.id, dimension);
    const result = decideAnomalies(metric, dimension, points, states[key], with_);
    return { key, metric, dimension, before: states[key], decisions: result.decisions.filter((d) => d.kind !== "quiet") as any, after: result.state };
  });
  const others = { ...states };
  for (const d of decided) delete others[d.key];
  const outcome = relateIncidents(decided, others, with_);
  const next = { ...states };
  for (const [key, state] of outcome.states) next[key] = state;
  return { ...outcome, states: next };
}

const label = (d: { kind: string; metric: string; dimension: string }) => `${d.kind} ${d.metric}|${d.dimension}`;

describe("relateIncidents", () => {
  const warm = run(
    [
      [conversions, "spring-sale", normal(0, 10)],
      [rate, "spring-sale", normal(0, 10)],
      [rate, "brand-search", normal(0, 10)],
      [events, "signup", normal(0, 10)],
    ],
    {},
  ).states;

  it("alerts a campaign once when its conversions and conversion rate drop together, and records both", () => {
    const { alerts, related, states } = run(
      [
        [conversions, "spring-sale", dropped(10, 12)],
        [rate, "spring-sale", dropped(10, 12)],
      ],
      warm,
    );
    expect(alerts.map(label)).toEqual(["anomaly conversions|spring-sale"]);
    expect(related.map(label)).toEqual(["anomaly conversion_rate|spring-sale"]);
    expect(states[seriesKey("conversion_rate", "spring-sale")]!.incident!.relatedTo).toBe(alerts[0]!.incidentId);
    expect(states[seriesKey("conversions", "spring-sale")]!.incident!.relatedTo).toBeUndefined();
  });

  it("folds a series that joins an incident opened in an earlier run, and keeps its recovery quiet", () => {
    const first = run([[conversions, "spring-sale", dropped(10, 12)], [rate, "spring-sale", normal(10, 12)]], warm);
    expect(first.alerts.map(label)).toEqual(["anomaly conversions|spring-sale"]);
    const second = run([[conversions, "spring-sale", dropped(12, 14)], [rate, "spring-sale", dropped(12, 14)]], first.states);
    expect(second.alerts).toEqual([]);
    expect(second.related.map(label)).toEqual(["anomaly conversion_rate|spring-sale"]);
    const third = run([[conversions, "spring-sale", normal(14, 17)], [rate, "spring-sale", normal(14, 17)]], second.states);
    expect(third.alerts.map(label)).toEqual(["recovered conversions|spring-sale"]);
    expect(third.related.map(label)).toEqual(["recovered conversion_rate|spring-sale"]);
    expect(third.states[seriesKey("conversion_rate", "spring-sale")]!.incident).toBeUndefined();
  });

  it("keeps incidents of other campaigns, other dimensions and the other direction apart", () => {
    const spiking = normal(10, 12).map((p) => ({ ...p, value: 40, score: 5 }));
    const { alerts, related } = run(
      [
        [conversions, "spring-sale", dropped(10, 12)],
        [rate, "brand-search", dropped(10, 12)],
        [events, "signup", dropped(10, 12)],
        [rate, "spring-sale", spiking],
      ],
      warm,
    );
    expect(alerts.map(label)).toEqual([
      "anomaly conversions|spring-sale",
      "anomaly conversion_rate|brand-search",
      "anomaly events|signup",
      "anomaly conversion_rate|spring-sale",
    ]);
    expect(related).toEqual([]);
  });

  it("with a grouping window, folds a same-direction anomaly of another dimension opening soon after, not one much later nor the other way", () => {
    const grouped = { ...settings, groupMinutes: 10 };
    const decideRun = (series: [MetricDefinition, string, ScoredPoint[]][], states: Record<string, SeriesState>) => run(series, states, grouped);
    const revenue = metricById("revenue")!;
    const warmer = decideRun([[revenue, "paid_social", normal(0, 10)]], warm).states;
    const first = decideRun([[conversions, "spring-sale", dropped(10, 11)], [revenue, "paid_social", normal(10, 13)]], warmer);
    expect(first.alerts.map(label)).toEqual(["anomaly conversions|spring-sale"]);
    // Three minutes later the campaign's channel dips too: part of the same incident.
    const second = decideRun([[conversions, "spring-sale", dropped(11, 14)], [revenue, "paid_social", dropped(13, 14)]], first.states);
    expect(second.alerts).toEqual([]);
    expect(second.related.map(label)).toEqual(["anomaly revenue|paid_social"]);
    // A spike is not a drop: alerted on its own.
    const spiking = normal(14, 15).map((p) => ({ ...p, value: 40, score: 5 }));
    expect(decideRun([[events, "signup", spiking]], second.states).alerts.map(label)).toEqual(["anomaly events|signup"]);
    // A drop 30 minutes after the incident opened is a new incident.
    const later = decideRun([[rate, "brand-search", [...normal(10, 40), ...dropped(40, 41)]]], second.states);
    expect(later.alerts.map(label)).toEqual(["anomaly conversion_rate|brand-search"]);
  });

  it("lets a new incident lead once the one it would have joined has recovered", () => {
    const opened = run([[conversions, "spring-sale", dropped(10, 12)]], warm);
    const recovered = run([[conversions, "spring-sale", normal(12, 15)]], opened.states);
    expect(recovered.alerts.map(label)).toEqual(["recovered conversions|spring-sale"]);
    const { alerts } = run([[rate, "spring-sale", [...normal(10, 15), ...dropped(15, 16)]]], recovered.states);
    expect(alerts.map(label)).toEqual(["anomaly conversion_rate|spring-sale"]);
  });
});
