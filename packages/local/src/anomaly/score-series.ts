import {
  DEFAULT_ANOMALY_SETTINGS,
  decideAnomalies,
  expectedAt,
  METRICS,
  RandomCutForest,
  shingleFeatures,
  type AnomalySettings,
  type ForestOptions,
  type MetricDefinition,
  type SeriesState,
} from "@freshet/core";

/**
 * One series through Freshet's production path, a point at a time: the workflow's features (the
 * shingle of the last `shingleSize` minutes over the median of the `baselineMinutes` before it,
 * core's `shingleFeatures`/`expectedAt`), a Random Cut Forest score, and core's `decideAnomalies`
 * with the same settings, threshold and cooldown. `anomaly` is true on the point where Freshet
 * would alert (an incident's opening), never on the points that only extend an incident.
 */
export interface SeriesScorerOptions {
  readonly settings?: AnomalySettings;
  /** The metric whose floor and identity the decider uses (default: the first of `METRICS`). */
  readonly metric?: MetricDefinition;
  /** The forest's options besides its dimension (the shingle size): defaults as the model's. */
  readonly forest?: Omit<ForestOptions, "dimensions">;
  /** The model instead of a new forest (tests observe the features it is given). */
  readonly model?: StreamingModel;
}

/** What the scorer needs of a model: RandomCutForest's streaming half. */
export interface StreamingModel {
  score(point: ArrayLike<number>): number;
  update(point: ArrayLike<number>): void;
}

export interface ScoredRow {
  readonly score: number;
  readonly anomaly: boolean;
}

/** The model's seed when none is given: fixed, so a run is reproducible. */
export const DEFAULT_FOREST_SEED = 2026;

export class SeriesScorer {
  readonly #settings: AnomalySettings;
  readonly #metric: MetricDefinition;
  readonly #model: StreamingModel;
  /** The newest `shingleSize + baselineMinutes` values: all a point's features and expected value need. */
  readonly #recent: number[] = [];
  #state: SeriesState | undefined;

  constructor(options: SeriesScorerOptions = {}) {
    this.#settings = options.settings ?? DEFAULT_ANOMALY_SETTINGS;
    this.#metric = options.metric ?? METRICS[0]!;
    this.#model = options.model ?? new RandomCutForest({ seed: DEFAULT_FOREST_SEED, ...options.forest, dimensions: this.#settings.shingleSize });
  }

  /** Scores the value at `at` (an ISO time, later than the previous one) and decides on it. */
  push(at: string, value: number): ScoredRow {
    const { shingleSize, baselineMinutes } = this.#settings;
    this.#recent.push(value);
    if (this.#recent.length > shingleSize + baselineMinutes) this.#recent.shift();
    // Like the workflow, a point is scored once a full shingle and baseline precede it.
    if (this.#recent.length < shingleSize + baselineMinutes) return { score: 0, anomaly: false };
    const i = this.#recent.length - 1;
    const expected = expectedAt(this.#recent, i, this.#settings);
    const features = shingleFeatures(this.#recent, i, shingleSize, Math.max(expected, this.#metric.floor));
    const score = this.#scoreThenUpdate(features);
    const { decisions, state } = decideAnomalies(this.#metric, "input", [{ at, value, expected, score }], this.#state, this.#settings);
    this.#state = state;
    return { score, anomaly: decisions.some((d) => d.kind === "anomaly") };
  }

  /** The model's lifecycle: streaming RCF, score first (the point never scores against itself), then learn it. */
  #scoreThenUpdate(features: number[]): number {
    const score = this.#model.score(features);
    this.#model.update(features);
    return score;
  }
}
