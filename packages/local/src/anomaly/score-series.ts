import {
  DEFAULT_ANOMALY_SETTINGS,
  decideAnomalies,
  expectedAt,
  METRICS,
  RandomCutForest,
  shingleFeatures,
  trainAnomalyModel,
  type AnomalySettings,
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
  /** How the model is made (default: as production, `TRAINED`). */
  readonly lifecycle?: ModelLifecycle;
}

/**
 * - `trained`: production's. `freshet anomalies train` batch-trains one forest on the last
 *   `historyMinutes` of history (core's `trainAnomalyModel`, SageMaker's hyperparameters) and
 *   the endpoint scores with it, never learning (SageMaker inference is static). Here the
 *   series' first `historyMinutes` are that history: scored 0, not decided; the rest is scored.
 * - `streaming`: a forest that scores each point, then learns it (score 0 until `outputAfter`).
 */
export type ModelLifecycle =
  | { readonly kind: "trained"; readonly historyMinutes: number; readonly seed: number }
  | { readonly kind: "streaming"; readonly model?: StreamingModel };

/** `freshet anomalies train`'s defaults: the last 24 hours, seed 1. */
export const TRAINED: ModelLifecycle = { kind: "trained", historyMinutes: 24 * 60, seed: 1 };
/** The streaming forest's seed: fixed, so a run is reproducible. */
export const STREAMING_SEED = 1;

/** What the scorer needs of a model: RandomCutForest's streaming half. */
export interface StreamingModel {
  score(point: ArrayLike<number>): number;
  update(point: ArrayLike<number>): void;
}

export interface ScoredRow {
  readonly score: number;
  readonly anomaly: boolean;
}

const UNSCORED: ScoredRow = Object.freeze({ score: 0, anomaly: false });

export class SeriesScorer {
  readonly #settings: AnomalySettings;
  readonly #metric: MetricDefinition;
  readonly #lifecycle: ModelLifecycle;
  /** The newest `shingleSize + baselineMinutes` values: all a point's features and expected value need. */
  readonly #recent: number[] = [];
  #rows = 0;
  #model: StreamingModel | undefined;
  /** Trained lifecycle: the history's features, until the model is trained on them. */
  #history: number[][] = [];
  #state: SeriesState | undefined;

  constructor(options: SeriesScorerOptions = {}) {
    this.#settings = options.settings ?? DEFAULT_ANOMALY_SETTINGS;
    this.#metric = options.metric ?? METRICS[0]!;
    this.#lifecycle = options.lifecycle ?? TRAINED;
    if (this.#lifecycle.kind === "streaming") {
      this.#model = this.#lifecycle.model ?? new RandomCutForest({ seed: STREAMING_SEED, dimensions: this.#settings.shingleSize });
    }
  }

  /** Scores the value at `at` (an ISO time, later than the previous one) and decides on it. */
  push(at: string, value: number): ScoredRow {
    const { shingleSize, baselineMinutes } = this.#settings;
    this.#rows += 1;
    this.#recent.push(value);
    if (this.#recent.length > shingleSize + baselineMinutes) this.#recent.shift();
    // Like the workflow (and training), a point counts once a full shingle and baseline precede it.
    if (this.#recent.length < shingleSize + baselineMinutes) return UNSCORED;
    const i = this.#recent.length - 1;
    const expected = expectedAt(this.#recent, i, this.#settings);
    const features = shingleFeatures(this.#recent, i, shingleSize, Math.max(expected, this.#metric.floor));
    const score = this.#lifecycle.kind === "trained" ? this.#trainedScore(features) : this.#scoreThenUpdate(features);
    if (score === undefined) return UNSCORED;
    const { decisions, state } = decideAnomalies(this.#metric, "input", [{ at, value, expected, score }], this.#state, this.#settings);
    this.#state = state;
    return { score, anomaly: decisions.some((d) => d.kind === "anomaly") };
  }

  /** Collects the history's features, trains on them once it is complete, then scores statically. */
  #trainedScore(features: number[]): number | undefined {
    const { historyMinutes, seed } = this.#lifecycle as Extract<ModelLifecycle, { kind: "trained" }>;
    if (this.#rows <= historyMinutes) {
      this.#history.push(features);
      if (this.#rows === historyMinutes) {
        this.#model = trainAnomalyModel(this.#history, this.#settings, seed);
        this.#history = [];
      }
      return undefined;
    }
    return this.#model!.score(features);
  }

  /** Streaming: score first (the point never scores against itself), then learn it. */
  #scoreThenUpdate(features: number[]): number {
    const score = this.#model!.score(features);
    this.#model!.update(features);
    return score;
  }
}
