import { ConfigError } from "./errors.ts";

/** Settings of the validation stages, shared by the transformer and its tests. */
export interface PipelineConfig {
  /** Events whose `occurred_at` is older than this (relative to arrival) are rule violations. */
  readonly maxEventAgeMs: number;
  /** Clock skew tolerated for events stamped in the future (relative to arrival). */
  readonly maxFutureSkewMs: number;
  /** Largest accepted event, in bytes of its JSON encoding. */
  readonly maxEventBytes: number;
  /** Event types that are counted and dropped before storage (liveness pings). */
  readonly filteredEventTypes: ReadonlySet<string>;
  /** Upper bound of a single event's revenue, to catch unit errors (cents sent as dollars ×100). */
  readonly maxRevenue: number;
  /** Deepest nesting allowed inside `properties` (the warehouse stores it as SUPER). */
  readonly maxPropertiesDepth: number;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  maxEventAgeMs: 7 * 24 * 3600 * 1000,
  maxFutureSkewMs: 5 * 60 * 1000,
  maxEventBytes: 256 * 1024,
  filteredEventTypes: new Set(["heartbeat", "health_check"]),
  maxRevenue: 1_000_000,
  maxPropertiesDepth: 32,
};

/** Limits the ingest route enforces before anything reaches the stream. */
export interface IngestLimits {
  /** Largest request body (API Gateway allows 10 MB; Lambda's synchronous payload is 6 MB). */
  readonly maxBodyBytes: number;
  /** Largest single event, in bytes; the stream itself caps a record at 1 MiB. */
  readonly maxEventBytes: number;
  /** Most events in one request. */
  readonly maxEvents: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxEventBytes: DEFAULT_PIPELINE_CONFIG.maxEventBytes,
  maxEvents: 10_000,
};

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the transformer's settings from environment variables set by `stacks/ingest.ts`. */
export function pipelineConfigFromEnv(env: Env): PipelineConfig {
  const d = DEFAULT_PIPELINE_CONFIG;
  const types = env.FRESHET_FILTERED_EVENT_TYPES;
  return {
    ...d,
    maxEventAgeMs: positive(env, "FRESHET_MAX_EVENT_AGE_DAYS", d.maxEventAgeMs / 86_400_000) * 86_400_000,
    maxEventBytes: positive(env, "FRESHET_MAX_EVENT_BYTES", d.maxEventBytes),
    filteredEventTypes:
      types === undefined
        ? d.filteredEventTypes
        : new Set(types.split(",").map((t) => t.trim()).filter((t) => t.length > 0)),
  };
}

/** Reads the ingest route's limits from environment variables. */
export function ingestLimitsFromEnv(env: Env): IngestLimits {
  const d = DEFAULT_INGEST_LIMITS;
  return {
    maxBodyBytes: positive(env, "FRESHET_MAX_BODY_BYTES", d.maxBodyBytes),
    maxEventBytes: positive(env, "FRESHET_MAX_EVENT_BYTES", d.maxEventBytes),
    maxEvents: positive(env, "FRESHET_MAX_EVENTS_PER_REQUEST", d.maxEvents),
  };
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive number, got "${raw}"`);
  }
  return value;
}
