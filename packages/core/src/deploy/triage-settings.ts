import { ConfigError } from "../errors.ts";

/**
 * Dead-letter triage's settings: one source for `stacks/config.ts` (per stage, into the triage
 * functions' environment) and the local platform.
 */
export interface TriageSettings {
  /** How long an execution started by a landed dead letter waits before listing (the debounce). */
  readonly debounceSeconds: number;
  /** Most dead-letter objects one execution triages; the rest wait for the next. */
  readonly maxObjectsPerRun: number;
  /**
   * Quarantined dead letters in one execution from which OpsAlerts is told. Invalid events are
   * routine (every producer sends some), so a handful is not an incident.
   */
  readonly alertThreshold: number;
  /** After an alert, further ones wait this long: one incident, one alert. */
  readonly alertCooldownMinutes: number;
  /**
   * How many days before today the hourly sweep and `freshet dlq redrive` list, whatever the
   * watermark says (an execution started by a landing dead letter lists from yesterday). It must
   * cover the latest a dead letter can land in its `dt=` partition: the stream's retention (a
   * batch is written when the transformer finally takes it, its `dt` is the day it arrived).
   */
  readonly sweepLookbackDays: number;
}

/** Days before today every Find lists, whatever the watermark says: a batch that arrived before midnight may be written after it. */
export const TRIAGE_RECENT_DAYS = 1;

export const DEFAULT_TRIAGE_SETTINGS: TriageSettings = { debounceSeconds: 60, maxObjectsPerRun: 200, alertThreshold: 100, alertCooldownMinutes: 60, sweepLookbackDays: 7 };

/** The triage functions' environment variables for these settings. */
export function triageEnvironment(s: TriageSettings): Record<string, string> {
  return {
    FRESHET_TRIAGE_DEBOUNCE_SECONDS: String(s.debounceSeconds),
    FRESHET_TRIAGE_MAX_OBJECTS: String(s.maxObjectsPerRun),
    FRESHET_TRIAGE_ALERT_THRESHOLD: String(s.alertThreshold),
    FRESHET_TRIAGE_ALERT_COOLDOWN_MINUTES: String(s.alertCooldownMinutes),
    FRESHET_TRIAGE_SWEEP_LOOKBACK_DAYS: String(s.sweepLookbackDays),
  };
}

/** The settings from that environment; an unset variable keeps its default, a bad one is a `ConfigError`. */
export function triageSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): TriageSettings {
  const d = DEFAULT_TRIAGE_SETTINGS;
  const read = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    return value;
  };
  return {
    debounceSeconds: read("FRESHET_TRIAGE_DEBOUNCE_SECONDS", d.debounceSeconds, 0),
    maxObjectsPerRun: read("FRESHET_TRIAGE_MAX_OBJECTS", d.maxObjectsPerRun, 1),
    alertThreshold: read("FRESHET_TRIAGE_ALERT_THRESHOLD", d.alertThreshold, 0),
    alertCooldownMinutes: read("FRESHET_TRIAGE_ALERT_COOLDOWN_MINUTES", d.alertCooldownMinutes, 0),
    sweepLookbackDays: read("FRESHET_TRIAGE_SWEEP_LOOKBACK_DAYS", d.sweepLookbackDays, TRIAGE_RECENT_DAYS),
  };
}
