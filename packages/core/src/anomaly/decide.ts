import type { MetricDefinition } from "./metrics.ts";
import type { AnomalySettings } from "./settings.ts";

/** A point the model scored: its minute, observed and expected values and RCF score. */
export interface ScoredPoint {
  readonly at: string;
  readonly value: number;
  readonly expected: number;
  readonly score: number;
}

/** An incident in progress: one alert when it opened, one recovery notice when it closes. */
export interface OpenIncident {
  readonly id: string;
  readonly openedAt: string;
  readonly direction: "drop" | "spike";
  readonly expected: number;
  readonly observed: number;
  readonly peakScore: number;
  readonly lastAnomalousAt: string;
  /** Non-anomalous points in a row since the last anomalous one. */
  readonly quietPoints: number;
  /**
   * The incident of another series this one is part of (`relateIncidents`): the same campaign,
   * channel or event type moving the same way is one incident, alerted once.
   */
  readonly relatedTo?: string;
}

/** Everything a series remembers between runs (JSON, in the lake). */
export interface SeriesState {
  readonly version: 1;
  /** Recent scores of non-anomalous points, oldest first: the threshold's sample. */
  readonly scores: readonly number[];
  /** The newest minute decided: points at or before it are not decided again (runs overlap). */
  readonly lastAt?: string;
  readonly incident?: OpenIncident;
  /** Until then, an anomaly does not open a new incident (the previous one just recovered). */
  readonly cooldownUntil?: string;
}

/** What an incident's alert and its recovery notice both say. */
interface IncidentFacts {
  readonly incidentId: string;
  readonly metric: string;
  readonly dimension: string;
  readonly direction: "drop" | "spike";
  readonly expected: number;
  readonly observed: number;
  readonly score: number;
  readonly threshold: number;
}

export interface AnomalyDecision extends IncidentFacts {
  readonly kind: "anomaly";
  /** The minutes the incident covers so far: [windowStart, windowEnd] (inclusive minute starts). */
  readonly windowStart: string;
  readonly windowEnd: string;
}

export interface RecoveredDecision extends IncidentFacts {
  readonly kind: "recovered";
  /** First and last anomalous minutes of the incident. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly recoveredAt: string;
  readonly peakScore: number;
}

export type Decision = { readonly kind: "quiet" } | AnomalyDecision | RecoveredDecision;

export const EMPTY_SERIES_STATE: SeriesState = Object.freeze({ version: 1, scores: [] });

/** mean + sigmas·σ (population σ) of the sample; +∞ until it has `minScores` scores. */
export function adaptiveThreshold(scores: readonly number[], settings: Pick<AnomalySettings, "sigmas" | "minScores">): number {
  if (scores.length < settings.minScores) return Number.POSITIVE_INFINITY;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const variance = scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length;
  return mean + settings.sigmas * Math.sqrt(variance);
}

/** (observed − expected) / max(expected, floor): −0.8 is "80 % below expected". */
export function relativeChange(observed: number, expected: number, floor: number): number {
  return (observed - expected) / Math.max(Math.abs(expected), floor);
}

/**
 * One series' newly scored points (any order; those already decided are skipped) and its state →
 * the decisions and the next state. A point is anomalous when its score exceeds the series'
 * adaptive threshold (SageMaker's convention: mean + 3σ of recent scores) and it is at least
 * `minRelativeChange` away from its expected value; the direction is the sign of that change.
 * The first anomalous point opens an incident (one `anomaly` decision); further anomalous points
 * extend it silently; `recoveryPoints` quiet points in a row close it (one `recovered`
 * decision) and start a cooldown during which a relapse is not alerted (flapping is one
 * incident). The threshold's sample learns from usual points only: a point `minRelativeChange`
 * away from its expected value stays out of it, alerted or not (before `minScores` nothing is
 * alerted), so an incident, or a start-up, cannot raise the bar. Pure: the same inputs always
 * give the same result.
 */
export function decideAnomalies(
  metric: MetricDefinition,
  dimension: string,
  points: readonly ScoredPoint[],
  state: SeriesState | undefined,
  settings: AnomalySettings,
): { decisions: Decision[]; state: SeriesState } {
  let current: SeriesState = state ?? EMPTY_SERIES_STATE;
  const decisions: Decision[] = [];
  const fresh = [...points].sort((a, b) => a.at.localeCompare(b.at)).filter((p) => current.lastAt === undefined || p.at > current.lastAt);
  for (const point of fresh) {
    const threshold = adaptiveThreshold(current.scores, settings);
    const change = relativeChange(point.value, point.expected, metric.floor);
    const unusual = Math.abs(change) >= settings.minRelativeChange;
    const anomalous = point.score > threshold && unusual;
    const step = anomalous ? onAnomalous(metric, dimension, point, change, threshold, current) : onQuiet(metric, dimension, point, threshold, current, settings);
    if (step.decision) decisions.push(step.decision);
    current = {
      ...step.state,
      scores: anomalous || unusual ? current.scores : [...current.scores, point.score].slice(-settings.recentScores),
      lastAt: point.at,
    };
  }
  return { decisions, state: current };
}

type Step = { decision?: Decision; state: SeriesState };

function onAnomalous(metric: MetricDefinition, dimension: string, p: ScoredPoint, change: number, threshold: number, s: SeriesState): Step {
  if (s.incident) {
    const incident = { ...s.incident, lastAnomalousAt: p.at, quietPoints: 0, peakScore: Math.max(s.incident.peakScore, p.score) };
    return { state: { ...s, incident } };
  }
  if (s.cooldownUntil !== undefined && p.at < s.cooldownUntil) return { state: s };
  const direction = change < 0 ? "drop" : "spike";
  const incident: OpenIncident = {
    id: `${metric.id}:${dimension}:${p.at}`,
    openedAt: p.at,
    direction,
    expected: p.expected,
    observed: p.value,
    peakScore: p.score,
    lastAnomalousAt: p.at,
    quietPoints: 0,
  };
  const decision: AnomalyDecision = {
    kind: "anomaly",
    incidentId: incident.id,
    metric: metric.id,
    dimension,
    direction,
    expected: p.expected,
    observed: p.value,
    score: p.score,
    threshold,
    windowStart: p.at,
    windowEnd: p.at,
  };
  const { cooldownUntil: _, ...rest } = s;
  return { decision, state: { ...rest, incident } };
}

function onQuiet(metric: MetricDefinition, dimension: string, p: ScoredPoint, threshold: number, s: SeriesState, settings: AnomalySettings): Step {
  if (!s.incident) return { state: s };
  const quietPoints = s.incident.quietPoints + 1;
  if (quietPoints < settings.recoveryPoints) return { state: { ...s, incident: { ...s.incident, quietPoints } } };
  const i = s.incident;
  const decision: RecoveredDecision = {
    kind: "recovered",
    incidentId: i.id,
    metric: metric.id,
    dimension,
    direction: i.direction,
    expected: p.expected,
    observed: p.value,
    score: p.score,
    threshold,
    windowStart: i.openedAt,
    windowEnd: i.lastAnomalousAt,
    recoveredAt: p.at,
    peakScore: i.peakScore,
  };
  const { incident: _, ...rest } = s;
  return { decision, state: { ...rest, cooldownUntil: addMinutes(p.at, settings.cooldownMinutes) } };
}

const addMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
