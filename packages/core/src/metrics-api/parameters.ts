import { parseEventTime } from "../events/timestamps.ts";
import { MetricsQueryError } from "./errors.ts";

/** A time bucket the metrics API groups rows by. */
export type Bucket = "minute" | "hour" | "day";
export const BUCKETS: readonly Bucket[] = ["minute", "hour", "day"];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The longest `from`..`to` span per bucket: bounds the rows a query can make the warehouse group. */
export const MAX_SPAN_MS: Readonly<Record<Bucket, number>> = { minute: DAY_MS, hour: 31 * DAY_MS, day: 366 * DAY_MS };
const UNIT_MS: Readonly<Record<Bucket, number>> = { minute: 60_000, hour: HOUR_MS, day: DAY_MS };

/** Without `from`: the last hour. */
export const DEFAULT_RANGE_MS = HOUR_MS;
export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;
/** `campaign` and `channel` values: the warehouse's own columns are longer, real names far shorter. */
export const MAX_FILTER_CHARS = 128;
/** `/v1/anomalies` without `since`: the last day; never further back than the longest range. */
export const DEFAULT_ANOMALIES_SINCE_MS = DAY_MS;

export type QueryParameters = Readonly<Record<string, string | undefined>> | null | undefined;

/** What a view is asked for, validated: instants in UTC, `from` floored to the bucket, `to` exclusive. */
export interface MetricsQuery {
  readonly from: Date;
  readonly to: Date;
  readonly bucket: Bucket;
  readonly campaign?: string;
  readonly channel?: string;
  readonly limit: number;
}

/** What a view accepts (`view-catalog.ts`): its buckets (the first is the default) and filters. */
export interface ViewParameters {
  readonly buckets: readonly Bucket[];
  readonly filters: readonly ("campaign" | "channel")[];
}

const METRICS_PARAMETERS = ["from", "to", "bucket", "campaign", "channel", "limit"] as const;

/**
 * Parses `GET /v1/metrics/{view}`'s query string for a view: every value is checked here, before
 * any SQL, and each refusal names its parameter and reason (`MetricsQueryError`).
 */
export function parseMetricsQuery(params: QueryParameters, view: ViewParameters, now: Date): MetricsQuery {
  const p = known(params, METRICS_PARAMETERS);
  for (const filter of ["campaign", "channel"] as const) {
    if (p[filter] !== undefined && !view.filters.includes(filter)) {
      throw new MetricsQueryError("unsupported_parameter", filter, `this view cannot be filtered by ${filter}; it takes ${view.filters.join(", ") || "no filter"}`);
    }
  }
  const bucket = bucketOf(p.bucket, view.buckets);
  const to = p.to === undefined ? now : instant(p.to, "to");
  const from = floorTo(p.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_MS) : instant(p.from, "from"), bucket);
  if (from.getTime() >= to.getTime()) throw new MetricsQueryError("empty_range", "from", `from (${from.toISOString()}, floored to the ${bucket}) must be before to (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_SPAN_MS[bucket]) {
    throw new MetricsQueryError("range_too_long", "to", `from..to spans more than ${MAX_SPAN_MS[bucket] / HOUR_MS} hours, the most a ${bucket} bucket allows`);
  }
  return {
    from,
    to,
    bucket,
    limit: limitOf(p.limit),
    ...(p.campaign === undefined ? {} : { campaign: filterValue(p.campaign, "campaign") }),
    ...(p.channel === undefined ? {} : { channel: filterValue(p.channel, "channel") }),
  };
}

/** `GET /v1/anomalies`: `since` (default a day ago, at most 366 days back) and `limit`. */
export function parseAnomaliesQuery(params: QueryParameters, now: Date): { since: Date; limit: number } {
  const p = known(params, ["since", "limit"]);
  const since = p.since === undefined ? new Date(now.getTime() - DEFAULT_ANOMALIES_SINCE_MS) : instant(p.since, "since");
  if (now.getTime() - since.getTime() > MAX_SPAN_MS.day) throw new MetricsQueryError("range_too_long", "since", "since may be at most 366 days ago");
  return { since, limit: limitOf(p.limit) };
}

/** `GET /v1/freshness` takes no parameters. */
export function parseFreshnessQuery(params: QueryParameters): void {
  known(params, []);
}

function known<const K extends string>(params: QueryParameters, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (!(names as readonly string[]).includes(name)) {
      throw new MetricsQueryError("unknown_parameter", name, `unknown parameter ${JSON.stringify(name.slice(0, 64))}; this route takes ${names.join(", ") || "none"}`);
    }
    if (value !== undefined) out[name as K] = value;
  }
  return out;
}

/** ISO-8601 with `Z` or an offset (the instant is then taken in UTC); a bare date is midnight UTC. */
function instant(value: string, name: string): Date {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const date = text.length <= 40 ? parseEventTime(text) : undefined;
  if (date === undefined || Math.abs(date.getTime()) > 253_402_300_799_000) {
    throw new MetricsQueryError("invalid_timestamp", name, `${name} must be an ISO-8601 instant with Z or an offset, e.g. 2026-01-01T00:00:00Z`);
  }
  return date;
}

function bucketOf(value: string | undefined, allowed: readonly Bucket[]): Bucket {
  if (value === undefined) return allowed[0]!;
  if (!(BUCKETS as readonly string[]).includes(value)) throw new MetricsQueryError("invalid_bucket", "bucket", `bucket must be one of ${BUCKETS.join(", ")}`);
  if (!allowed.includes(value as Bucket)) throw new MetricsQueryError("unsupported_bucket", "bucket", `this view has buckets ${allowed.join(", ")} only`);
  return value as Bucket;
}

function floorTo(date: Date, bucket: Bucket): Date {
  return new Date(Math.floor(date.getTime() / UNIT_MS[bucket]) * UNIT_MS[bucket]);
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw new MetricsQueryError("invalid_limit", "limit", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return n;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Any text up to 128 characters (it is bound, never spliced), but not empty and no control characters. */
function filterValue(value: string, name: string): string {
  if (value.length === 0 || value.length > MAX_FILTER_CHARS || CONTROL.test(value)) {
    throw new MetricsQueryError("invalid_string", name, `${name} must be 1 to ${MAX_FILTER_CHARS} characters without control characters`);
  }
  return value;
}
