import type { S3Client } from "@aws-sdk/client-s3";
import {
  ANOMALY_STATE_KEY,
  anomalySettings,
  buildAnomaliesInsert,
  decideAnomalies,
  relateIncidents,
  type DecidedSeries,
  describeDecision,
  metricById,
  seriesKey,
  type AnomalyDecision,
  type AnomalySettings,
  type RecoveredDecision,
  type SeriesState,
} from "@freshet/core";
import { AnomalyStateConflictError, AnomalyStepInputError } from "../errors.ts";
import { putJsonIf, readObjectIfExists } from "../load/s3-objects.ts";
import type { AnomalyAlert, DecideInput, DecideOutput } from "./types.ts";

/** SageMaker RCF's response, `{"scores":[{"score":x},…]}`, as numbers in request order. */
export function parseScores(body: unknown): number[] {
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new AnomalyStepInputError(`the endpoint's response is not JSON: ${body.slice(0, 200)}`, { cause: error });
    }
  }
  const scores = (parsed as { scores?: unknown } | null)?.scores;
  if (!Array.isArray(scores)) throw new AnomalyStepInputError("the endpoint's response has no scores array");
  return scores.map((s, i) => {
    const score = (s as { score?: unknown } | null)?.score;
    if (typeof score !== "number" || !Number.isFinite(score)) throw new AnomalyStepInputError(`score ${i} is not a finite number`);
    return score;
  });
}

/** Every series' state and the version it was read at (undefined: no state yet). */
export interface VersionedStates {
  readonly states: Record<string, SeriesState>;
  readonly version: string | undefined;
}

/**
 * Where series states live. `write` succeeds only if the states are still at `version` (a run
 * started by the next load may have decided since) and answers false otherwise.
 */
export type StateStore = {
  read(): Promise<VersionedStates>;
  write(states: Record<string, SeriesState>, version: string | undefined): Promise<boolean>;
};

/**
 * Every series' state in one lake object, written with S3's conditional writes: `If-Match` the
 * ETag read, or `If-None-Match: *` for the first state. Two runs overlapping (every load starts
 * one) cannot both decide the same minute and alert twice.
 */
export function lakeStateStore(s3: S3Client, bucket: string): StateStore {
  return {
    async read() {
      const object = await readObjectIfExists(s3, bucket, ANOMALY_STATE_KEY);
      return object ? { states: JSON.parse(object.text) as Record<string, SeriesState>, version: object.etag } : { states: {}, version: undefined };
    },
    // False: another run wrote first (412) or is writing (409): re-read and decide again.
    write: (states, version) => putJsonIf(s3, bucket, ANOMALY_STATE_KEY, states, version),
  };
}

/** Attempts at read → decide → conditional write before giving up (each conflict means another run decided). */
const STATE_ATTEMPTS = 5;

/**
 * Scores back onto their points, each series decided against its state, the states written back
 * before the alerts go out (a retried execution must not alert twice: the points are then
 * "already decided"), and the alerts and the `anomalies` INSERT returned for the workflow to send.
 * Series moving together (one campaign's conversions and conversion rate) are one incident and
 * one alert (`relateIncidents`); every decision is recorded.
 */
export async function decide(input: DecideInput, store: StateStore): Promise<DecideOutput> {
  const settings = anomalySettings(input.settings);
  const scores = parseScores(input.body);
  const expected = input.series.reduce((n, s) => n + s.points.length, 0);
  if (scores.length !== expected) throw new AnomalyStepInputError(`the endpoint returned ${scores.length} scores for ${expected} points`);
  for (let attempt = 1; attempt <= STATE_ATTEMPTS; attempt++) {
    const { states, version } = await store.read();
    const outcome = decideAll(input, scores, states, settings);
    if (await store.write(outcome.states, version)) {
      return {
        alerts: outcome.alerts.map((d) => alertOf(d, input)),
        insertSql: buildAnomaliesInsert(outcome.recorded, input.detectedAt, input.executionId) ?? null,
        decided: expected,
      };
    }
  }
  throw new AnomalyStateConflictError(`the anomaly state changed under this run ${STATE_ATTEMPTS} times in a row (${ANOMALY_STATE_KEY})`);
}

/** One attempt: the scores onto their series, each decided against `states`, incidents related. */
function decideAll(input: DecideInput, scores: readonly number[], states: Record<string, SeriesState>, settings: AnomalySettings) {
  // Scores are in the request's order; series are then decided by their metric's rank, so the
  // metric marketing acts on leads an incident that several metrics share.
  let offset = 0;
  const scored = input.series.map((s) => {
    const points = s.points.map((p, i) => ({ ...p, score: scores[offset + i]! }));
    offset += s.points.length;
    const metric = metricById(s.metric);
    if (!metric) throw new AnomalyStepInputError(`unknown metric ${JSON.stringify(s.metric)}`);
    return { metric, dimension: s.dimension, points, order: metric.rank };
  });
  scored.sort((a, b) => a.order - b.order || (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0));
  const decided: DecidedSeries[] = scored.map(({ metric, dimension, points }) => {
    const key = seriesKey(metric.id, dimension);
    const result = decideAnomalies(metric, dimension, points, states[key], settings);
    const decisions = result.decisions.filter((d): d is AnomalyDecision | RecoveredDecision => d.kind !== "quiet");
    return { key, metric, dimension, before: states[key], decisions, after: result.state };
  });
  const others = { ...states };
  for (const s of decided) delete others[s.key];
  const incidents = relateIncidents(decided, others, settings);
  for (const [key, state] of incidents.states) states[key] = state;
  const recorded = [...incidents.alerts, ...incidents.related];
  return { states, alerts: incidents.alerts, recorded };
}

function alertOf(d: AnomalyDecision | RecoveredDecision, input: DecideInput): AnomalyAlert {
  const text = describeDecision(d, input.dashboardUrl ?? "");
  return { ...text, detail: { ...d, threshold: Number.isFinite(d.threshold) ? d.threshold : null, link: text.attributes.link, detectedAt: input.detectedAt } };
}
