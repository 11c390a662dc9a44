import { describe, expect, it } from "vitest";
import {
  adaptiveThreshold,
  anomalySettings,
  AnomalyInputError,
  buildAnomaliesInsert,
  decideAnomalies,
  DEFAULT_ANOMALY_SETTINGS,
  describeDecision,
  metricById,
  type AnomalyDecision,
  type ScoredPoint,
  type SeriesState,
} from "../../src/index.ts";

const conversions = metricById("conversions")!;
const settings = anomalySettings({ minScores: 5, cooldownMinutes: 20, recoveryPoints: 2 });
const T0 = Date.parse("2026-03-01T10:00:00Z");
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

/** Normal minutes: scores jitter around 1, values around the expected 10. */
function normal(from: number, to: number): ScoredPoint[] {
  return Array.from({ length: to - from }, (_, i) => ({ at: at(from + i), value: 10 + ((i % 3) - 1), expected: 10, score: 1 + 0.05 * ((i % 5) - 2) }));
}
const drop = (minute: number): ScoredPoint => ({ at: at(minute), value: 1, expected: 10, score: 4 });
const spike = (minute: number): ScoredPoint => ({ at: at(minute), value: 40, expected: 10, score: 4 });

function run(points: ScoredPoint[], state?: SeriesState) {
  return decideAnomalies(conversions, "spring-sale", points, state, settings);
}

describe("decideAnomalies", () => {
  it("stays quiet on normal traffic and learns the series' scores", () => {
    const { decisions, state } = run(normal(0, 30));
    expect(decisions).toEqual([]);
    expect(state.scores).toHaveLength(30);
    expect(state.lastAt).toBe(at(29));
  });

  it("alerts a drop once, with its direction, expected and observed values and threshold", () => {
    const warm = run(normal(0, 30)).state;
    const { decisions, state } = run([drop(30), drop(31), drop(32)], warm);
    expect(decisions).toHaveLength(1);
    const d = decisions[0] as AnomalyDecision;
    expect(d).toMatchObject({ kind: "anomaly", direction: "drop", expected: 10, observed: 1, score: 4, metric: "conversions", dimension: "spring-sale" });
    expect(d.threshold).toBeCloseTo(adaptiveThreshold(warm.scores, settings), 12);
    expect(state.incident?.lastAnomalousAt).toBe(at(32));
    // The incident's scores do not raise its own bar.
    expect(state.scores).toEqual(warm.scores);
  });

  it("tells a spike from a drop by the expected value", () => {
    const warm = run(normal(0, 30)).state;
    expect(run([spike(30)], warm).decisions[0]).toMatchObject({ kind: "anomaly", direction: "spike" });
  });

  it("never alerts before the threshold has its minimum sample", () => {
    expect(run([...normal(0, 3), drop(3)]).decisions).toEqual([]);
  });

  it("ignores a high score whose change is commercially small", () => {
    const warm = run(normal(0, 30)).state;
    expect(run([{ at: at(30), value: 12, expected: 10, score: 9 }], warm).decisions).toEqual([]);
  });

  it("skips points it has already decided (overlapping runs alert once)", () => {
    const warm = run(normal(0, 30)).state;
    const first = run([drop(30)], warm);
    const again = run([...normal(25, 30), drop(30)], first.state);
    expect(first.decisions).toHaveLength(1);
    expect(again.decisions).toEqual([]);
    expect(again.state).toEqual(first.state);
  });

  it("sends one recovery notice after recoveryPoints quiet points, then holds a relapse in cooldown", () => {
    let state = run(normal(0, 30)).state;
    state = run([drop(30), drop(31)], state).state;
    const oneQuiet = run(normal(32, 33), state);
    expect(oneQuiet.decisions).toEqual([]);
    const recovered = run(normal(33, 34), oneQuiet.state);
    expect(recovered.decisions).toEqual([
      expect.objectContaining({ kind: "recovered", direction: "drop", windowStart: at(30), windowEnd: at(31), recoveredAt: at(33), peakScore: 4 }),
    ]);
    expect(recovered.state.incident).toBeUndefined();
    expect(recovered.state.cooldownUntil).toBe(at(53));
    // A relapse inside the cooldown is the same incident as far as marketing is concerned.
    expect(run([drop(40)], recovered.state).decisions).toEqual([]);
    // After it, a new incident alerts again.
    expect(run([drop(54)], recovered.state).decisions).toEqual([expect.objectContaining({ kind: "anomaly", incidentId: `conversions:spring-sale:${at(54)}` })]);
  });

  it("is deterministic and its state is plain JSON", () => {
    const points = [...normal(0, 30), drop(30), drop(31), ...normal(32, 40)];
    const a = run(points);
    const b = run([...points].reverse());
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(a.state))).toEqual(a.state);
    // Deciding in two runs gives the same as in one.
    const split = run(points.slice(20), run(points.slice(0, 20)).state);
    expect(split).toEqual(a);
  });
});

describe("adaptiveThreshold", () => {
  it("is mean + 3σ of the recent scores (SageMaker's convention) by default", () => {
    const scores = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5];
    expect(DEFAULT_ANOMALY_SETTINGS.sigmas).toBe(3);
    expect(adaptiveThreshold(scores, DEFAULT_ANOMALY_SETTINGS)).toBeCloseTo(3 + 3 * Math.sqrt(2), 12);
    expect(adaptiveThreshold(scores.slice(0, 3), DEFAULT_ANOMALY_SETTINGS)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("anomalySettings", () => {
  it("refuses settings out of bounds with a typed error", () => {
    expect(() => anomalySettings({ sigmas: -1 })).toThrow(AnomalyInputError);
    expect(() => anomalySettings({ shingleSize: 2.5 })).toThrow(/shingleSize/);
    expect(() => anomalySettings({ minScores: 500, recentScores: 100 })).toThrow(AnomalyInputError);
  });
});

describe("describeDecision", () => {
  it("says what happened in marketing's words, with structured attributes", () => {
    const warm = run(normal(0, 30)).state;
    const d = run([{ at: at(30), value: 2, expected: 10, score: 4 }], warm).decisions[0] as AnomalyDecision;
    const text = describeDecision({ ...d, windowStart: at(0), windowEnd: at(29) }, "https://dash.example/");
    expect(text.message).toMatch(/^campaign spring-sale: conversions 80 % below expected over the last 30 minutes\./);
    expect(text.subject.length).toBeLessThanOrEqual(100);
    expect(text.attributes).toMatchObject({ metric: "conversions", dimension: "spring-sale", expected: "10", observed: "2", score: "4", direction: "drop" });
    expect(text.attributes.link).toBe(`https://dash.example/views/campaign_performance?campaign=spring-sale&from=${encodeURIComponent(at(0))}`);
  });
});

describe("buildAnomaliesInsert", () => {
  it("quotes every value and refuses an unsafe dimension", () => {
    const warm = run(normal(0, 30)).state;
    const d = run([drop(30)], warm).decisions[0] as AnomalyDecision;
    expect(buildAnomaliesInsert([], at(31), "x")).toBeUndefined();
    expect(buildAnomaliesInsert([{ ...d, dimension: "o'brien" }], at(31), "exec")).toContain("'o''brien'");
    expect(() => buildAnomaliesInsert([{ ...d, dimension: "a\\b" }], at(31), "exec")).toThrow(/backslash/);
  });
});
