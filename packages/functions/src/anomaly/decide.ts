import type { S3Client } from "@aws-sdk/client-s3";
import {
  ANOMALY_STATE_KEY,
  anomalySettings,
  buildAnomaliesInsert,
  decideAnomalies,
  describeDecision,
  metricById,
  seriesKey,
  type AnomalyDecision,
  type RecoveredDecision,
  type SeriesState,
} from "@freshet/core";
import { AnomalyStepInputError } from "../errors.ts";
import { putJson, readTextIfExists } from "../load/s3-objects.ts";
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

export type StateStore = { read(): Promise<Record<string, SeriesState>>; write(states: Record<string, SeriesState>): Promise<void> };

/** Every series' state in one lake object. */
export function lakeStateStore(s3: S3Client, bucket: string): StateStore {
  return {
    async read() {
      const text = await readTextIfExists(s3, bucket, ANOMALY_STATE_KEY);
      return text ? (JSON.parse(text) as Record<string, SeriesState>) : {};
    },
    write: (states) => putJson(s3, bucket, ANOMALY_STATE_KEY, states),
  };
}

/**
 * Scores back onto their points, each series decided against its state, the states written back
 * before the alerts go out (a retried execution must not alert twice: the points are then
 * "already decided"), and the alerts and the `anomalies` INSERT returned for the workflow to send.
 */
export async function decide(input: DecideInput, store: StateStore): Promise<DecideOutput> {
  const settings = anomalySettings(input.settings);
  const scores = parseScores(input.body);
  const expected = input.series.reduce((n, s) => n + s.points.length, 0);
  if (scores.length !== expected) throw new AnomalyStepInputError(`the endpoint returned ${scores.length} scores for ${expected} points`);
  const states = await store.read();
  const decisions: (AnomalyDecision | RecoveredDecision)[] = [];
  let offset = 0;
  for (const s of input.series) {
    const metric = metricById(s.metric);
    if (!metric) throw new AnomalyStepInputError(`unknown metric ${JSON.stringify(s.metric)}`);
    const points = s.points.map((p, i) => ({ ...p, score: scores[offset + i]! }));
    offset += s.points.length;
    const key = seriesKey(s.metric, s.dimension);
    const result = decideAnomalies(metric, s.dimension, points, states[key], settings);
    states[key] = result.state;
    for (const d of result.decisions) if (d.kind !== "quiet") decisions.push(d);
  }
  await store.write(states);
  return {
    alerts: decisions.map((d) => alertOf(d, input)),
    insertSql: buildAnomaliesInsert(decisions, input.detectedAt, input.executionId) ?? null,
    decided: expected,
  };
}

function alertOf(d: AnomalyDecision | RecoveredDecision, input: DecideInput): AnomalyAlert {
  const text = describeDecision(d, input.dashboardUrl ?? "");
  return { ...text, detail: { ...d, threshold: Number.isFinite(d.threshold) ? d.threshold : null, link: text.attributes.link, detectedAt: input.detectedAt } };
}
