import type { AnomalyDecision, RecoveredDecision, SeriesState } from "./decide.ts";
import { metricById, type MetricDefinition } from "./metrics.ts";

type Alerted = AnomalyDecision | RecoveredDecision;

/** One series' outcome of a run: its state before, its decisions (in time order) and its state after. */
export interface DecidedSeries {
  readonly key: string;
  readonly metric: MetricDefinition;
  readonly dimension: string;
  readonly before: SeriesState | undefined;
  readonly decisions: readonly Alerted[];
  readonly after: SeriesState;
}

export interface RelatedIncidents {
  /** What marketing hears: one anomaly and one recovery per incident. */
  readonly alerts: readonly Alerted[];
  /** Decisions folded into another series' incident: recorded in `anomalies`, not alerted. */
  readonly related: readonly Alerted[];
  /** Each decided series' state after the run, its open incident marked `relatedTo` when folded. */
  readonly states: ReadonlyMap<string, SeriesState>;
}

/**
 * What makes two series' incidents one: the same dimension (campaign, channel, event type) and
 * value, moving the same way. A campaign whose conversions stop also loses its conversion rate;
 * marketing needs one message about the campaign, not one per metric.
 */
export const incidentScope = (metric: MetricDefinition, dimension: string, direction: "drop" | "spike"): string =>
  `${metric.dimensionLabel}\u0000${dimension}\u0000${direction}`;

/**
 * Folds one run's decisions into incidents. An anomaly opening while another series' incident of
 * the same scope (`incidentScope`) is open, or opened earlier in this run, joins it: no alert, and
 * its recovery is not alerted either. Series are taken in `decided`'s order (the caller's metric
 * order), so within a run the first metric listed leads. `others` are the states of series not
 * decided this run, whose open incidents still lead their scope. Pure.
 */
export function relateIncidents(
  decided: readonly DecidedSeries[],
  others: Readonly<Record<string, SeriesState>>,
  metrics?: readonly MetricDefinition[],
): RelatedIncidents {
  const leaders = new Map<string, string>();
  const lead = (metric: MetricDefinition | undefined, dimension: string, state: SeriesState | undefined) => {
    const incident = state?.incident;
    if (metric && incident && incident.relatedTo === undefined) leaders.set(incidentScope(metric, dimension, incident.direction), incident.id);
  };
  for (const [key, state] of Object.entries(others)) {
    const at = key.indexOf("|");
    lead(metricById(key.slice(0, at), metrics), key.slice(at + 1), state);
  }
  for (const s of decided) lead(s.metric, s.dimension, s.before);

  const alerts: Alerted[] = [];
  const related: Alerted[] = [];
  const states = new Map<string, SeriesState>();
  for (const s of decided) {
    let relatedTo = s.before?.incident?.relatedTo;
    for (const d of s.decisions) {
      const scope = incidentScope(s.metric, s.dimension, d.direction);
      if (d.kind === "anomaly") {
        const leader = leaders.get(scope);
        relatedTo = leader !== undefined && leader !== d.incidentId ? leader : undefined;
        if (relatedTo === undefined) leaders.set(scope, d.incidentId);
      } else if (relatedTo === undefined && leaders.get(scope) === d.incidentId) {
        leaders.delete(scope);
      }
      (relatedTo === undefined ? alerts : related).push(d);
      if (d.kind === "recovered") relatedTo = undefined;
    }
    states.set(s.key, withRelation(s.after, relatedTo));
  }
  return { alerts, related, states };
}

function withRelation(state: SeriesState, relatedTo: string | undefined): SeriesState {
  if (!state.incident) return state;
  const { relatedTo: _, ...incident } = state.incident;
  return { ...state, incident: relatedTo === undefined ? incident : { ...incident, relatedTo } };
}
