import type { AnomalyDecision, RecoveredDecision } from "./decide.ts";
import { relativeChange } from "./decide.ts";
import { metricById, type MetricDefinition } from "./metrics.ts";
import { AnomalyInputError } from "./errors.ts";

/** What marketing receives for one decision: SNS subject, message and message attributes. */
export interface AlertText {
  readonly subject: string;
  readonly message: string;
  /** SNS MessageAttributes (String values): metric, dimension, expected, observed, score, window, link. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** SNS subjects: ASCII-printable, at most 100 characters. */
const SUBJECT_MAX = 100;

/**
 * "campaign spring-sale: conversions 80 % below expected over the last 30 minutes" and its
 * recovery notice. `dashboardUrl` (the stage's dashboard, optional) prefixes the view's link.
 */
export function describeDecision(decision: AnomalyDecision | RecoveredDecision, dashboardUrl = "", metrics?: readonly MetricDefinition[]): AlertText {
  const metric = metricById(decision.metric, metrics);
  if (!metric) throw new AnomalyInputError(`decision of unknown metric ${JSON.stringify(decision.metric)}`);
  const minutes = Math.round((Date.parse(decision.windowEnd) - Date.parse(decision.windowStart)) / 60_000) + 1;
  const where = `${metric.dimensionLabel} ${decision.dimension}`;
  const link = `${dashboardUrl.replace(/\/$/, "")}/views/${metric.view}?${encodeURIComponent(metric.dimensionLabel.replace(/ /g, "_"))}=${encodeURIComponent(decision.dimension)}&from=${encodeURIComponent(decision.windowStart)}`;
  const change = relativeChange(decision.observed, decision.expected, metric.floor);
  const amount = `${Math.round(Math.abs(change) * 100)} % ${change < 0 ? "below" : "above"} expected`;
  const over = `over the last ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const headline =
    decision.kind === "anomaly"
      ? `${where}: ${metric.description} ${amount} ${over}`
      : `${where}: ${metric.description} back to normal (the ${decision.direction} lasted ${minutes} minute${minutes === 1 ? "" : "s"})`;
  const detail =
    decision.kind === "anomaly"
      ? `Observed ${fmt(decision.observed)} per minute against an expected ${fmt(decision.expected)} (the median of the preceding half hour), from ${decision.windowStart}. Anomaly score ${fmt(decision.score)} over this series' threshold ${fmt(decision.threshold)}.`
      : `The ${decision.direction} ran from ${decision.windowStart} to ${decision.windowEnd} (peak score ${fmt(decision.peakScore)}); at ${decision.recoveredAt} ${metric.description} was ${fmt(decision.observed)} against an expected ${fmt(decision.expected)}.`;
  return {
    subject: asciiSubject(`Freshet ${decision.kind === "anomaly" ? "anomaly" : "recovered"}: ${headline}`),
    message: `${headline}.\n\n${detail}\n\nDashboard: ${link}\nIncident: ${decision.incidentId}`,
    attributes: {
      kind: decision.kind,
      metric: metric.id,
      dimension: decision.dimension,
      direction: decision.direction,
      expected: fmt(decision.expected),
      observed: fmt(decision.observed),
      score: fmt(decision.score),
      window: `${decision.windowStart}/${decision.windowEnd}`,
      link,
    },
  };
}

const fmt = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x));

function asciiSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 1)}~`;
}
