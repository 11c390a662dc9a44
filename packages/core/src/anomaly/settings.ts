import { AnomalyInputError } from "./errors.ts";

/**
 * How series are shaped and anomalies decided. Defaults are documented choices, not tuned on any
 * data: the threshold is SageMaker's convention for RCF (mean + 3σ of recent scores).
 */
export interface AnomalySettings {
  /** Consecutive minutes per shingled point given to the model (the model's feature dimension). */
  shingleSize: number;
  /** Threshold = mean + sigmas × σ of the series' recent (non-anomalous) scores. */
  sigmas: number;
  /** How many recent scores the threshold is computed from (per series). */
  recentScores: number;
  /** Scores a series needs before it can alert at all (its threshold is not yet meaningful). */
  minScores: number;
  /** After an incident recovers, a new one on the same series is not alerted for this long. */
  cooldownMinutes: number;
  /** Quiet points in a row that close an incident (and send the recovery notice). */
  recoveryPoints: number;
  /**
   * Minutes before the point whose median is its expected value. The same median scales the
   * model's features, so the model sees "relative to the recent level", whatever the metric.
   */
  baselineMinutes: number;
  /** Minutes (newest first) scored each run; the decider skips those a series has already seen. */
  scoreMinutes: number;
  /**
   * A business filter on top of the score: |observed − expected| / expected must reach this
   * (0.5 = 50 %), so a statistically unusual but commercially irrelevant wiggle does not page marketing.
   */
  minRelativeChange: number;
  /**
   * An anomaly opening within this many minutes of another open incident moving the same way is
   * part of it (`relateIncidents`): one alert for an event and its knock-on effects. 0: only the
   * same campaign, channel or event type is grouped.
   */
  groupMinutes: number;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = Object.freeze({
  shingleSize: 4,
  sigmas: 3,
  recentScores: 120,
  minScores: 20,
  cooldownMinutes: 30,
  recoveryPoints: 3,
  baselineMinutes: 30,
  scoreMinutes: 15,
  minRelativeChange: 0.5,
  groupMinutes: 10,
});

const BOUNDS: Record<keyof AnomalySettings, [number, number, boolean]> = {
  shingleSize: [1, 60, true],
  sigmas: [0.5, 10, false],
  recentScores: [5, 10_000, true],
  minScores: [1, 10_000, true],
  cooldownMinutes: [0, 1440, true],
  recoveryPoints: [1, 120, true],
  baselineMinutes: [3, 720, true],
  scoreMinutes: [1, 240, true],
  minRelativeChange: [0, 100, false],
  groupMinutes: [0, 240, true],
};

/** Defaults overridden by `overrides`; anything out of bounds is an `AnomalyInputError`. */
export function anomalySettings(overrides: Partial<AnomalySettings> = {}): AnomalySettings {
  const settings = { ...DEFAULT_ANOMALY_SETTINGS, ...overrides };
  for (const [key, [min, max, integer]] of Object.entries(BOUNDS) as [keyof AnomalySettings, [number, number, boolean]][]) {
    const value = settings[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new AnomalyInputError(`anomaly setting ${key} must be ${integer ? "an integer " : "a number "}in [${min}, ${max}], got ${JSON.stringify(value)}`);
    }
  }
  if (settings.minScores > settings.recentScores) throw new AnomalyInputError("minScores cannot exceed recentScores");
  return Object.freeze(settings);
}

/** Minutes of history one run reads: the scored minutes, each with its shingle and baseline before it. */
export function seriesWindowMinutes(s: AnomalySettings): number {
  return s.scoreMinutes + s.shingleSize - 1 + s.baselineMinutes;
}

/** The lake object holding every series' `SeriesState` (one object: one read and one write per run). */
export const ANOMALY_STATE_KEY = "anomaly/state/series.json";
export const ANOMALY_STATE_PREFIX = "anomaly/state/";
