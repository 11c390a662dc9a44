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

/** An open incident that was alerted (leads its scope, and others may join it). */
interface Leader {
  readonly id: string;
  readonly scope: string;
  readonly direction: "drop" | "spike";
  readonly openedAt: number;
}

/**
 * Folds one run's decisions into incidents, so marketing hears once per incident:
 * - an anomaly opening while another series' incident of the same scope (`incidentScope`) is
 *   open joins it (one campaign's conversions and conversion rate);
 * - so does one opening within `groupMinutes` of the opening of another open incident moving the
 *   same way (a campaign's conversions stop, and the revenue of the channels it sold through
 *   dips with them): the knock-on effects of one event, as an alert grouping window does.
 * A joined series is not alerted, nor is its recovery. Series are taken in `decided`'s order (the
 * caller's metric order), so within a run the first metric listed leads. `others` are the states
 * of series not decided this run, whose open incidents still lead. Pure.
 */
export function relateIncidents(
  decided: readonly DecidedSeries[],
  others: Readonly<Record<string, SeriesState>>,
  options: { readonly groupMinutes: number },
  metrics?: readonly MetricDefinition[],
): RelatedIncidents {
  const leaders = new Map<string, Leader>();
  const lead = (metric: MetricDefinition | undefined, dimension: string, state: SeriesState | undefined) => {
    const incident = state?.incident;
    if (!metric || !incident || incident.relatedTo !== undefined) return;
    const scope = incidentScope(metric, dimension, incident.direction);
    leaders.set(incident.id, { id: incident.id, scope, direction: incident.direction, openedAt: Date.parse(incident.openedAt) });
  };
  for (const [key, state] of Object.entries(others)) {
    const at = key.indexOf("|");
    lead(metricById(key.slice(0, at), metrics), key.slice(at + 1), state);
  }
  for (const s of decided) lead(s.metric, s.dimension, s.before);
  const window = options.groupMinutes * 60_000;
  const leaderFor = (scope: string, direction: "drop" | "spike", openedAt: number): Leader | undefined => {
    const all = [...leaders.values()];
    return all.find((l) => l.scope === scope) ?? (window > 0 ? all.find((l) => l.direction === direction && Math.abs(openedAt - l.openedAt) <= window) : undefined);
  };

  const alerts: Alerted[] = [];
  const related: Alerted[] = [];
  const states = new Map<string, SeriesState>();
  for (const s of decided) {
    let relatedTo = s.before?.incident?.relatedTo;
    for (const d of s.decisions) {
      const scope = incidentScope(s.metric, s.dimension, d.direction);
      if (d.kind === "anomaly") {
        const leader = leaderFor(scope, d.direction, Date.parse(d.windowStart));
        relatedTo = leader !== undefined && leader.id !== d.incidentId ? leader.id : undefined;
        if (relatedTo === undefined) leaders.set(d.incidentId, { id: d.incidentId, scope, direction: d.direction, openedAt: Date.parse(d.windowStart) });
      } else if (relatedTo === undefined) {
        leaders.delete(d.incidentId);
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
