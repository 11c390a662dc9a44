import { DEFAULT_MIX, generateEvents, type TrafficMix } from "./events.ts";
import { activeIncidents, applyDrops, asPageViews, extraPageViews, NO_INCIDENTS, type Incident, type IncidentPlan } from "./incidents.ts";
import { sendEvents } from "./send.ts";

export interface Traffic {
  errors(): number;
  /** The incidents under way now. */
  incidents(): Incident[];
  stop(): Promise<void>;
}

export interface TrafficOptions {
  /** Incidents staged over the traffic (default none). */
  readonly incidents?: IncidentPlan;
  /** The events' mix (default `DEFAULT_MIX`, with 6 % invalid events: a bad producer triage alerts about). */
  readonly mix?: TrafficMix;
}

/** Valid v2 events only: the raw material of a spike's extra page views. */
const VALID_ONLY: TrafficMix = { v2: 1, v1: 0, duplicates: 0, heartbeats: 0, invalid: 0 };

/**
 * Sends `ratePerSecond` synthetic events of a live product (`live` timing: a minute is complete
 * seconds after it ends), in one request every 250 ms, with the plan's incidents, until stopped.
 */
export function startTraffic(ingestUrl: string, apiKey: string, ratePerSecond: number, options: TrafficOptions = {}): Traffic {
  const plan = options.incidents ?? NO_INCIDENTS;
  const startedAt = Date.now();
  let errors = 0;
  let seed = startedAt % 1_000_000;
  let spikeSeed = 1;
  let inFlight: Promise<unknown> = Promise.resolve();
  const perTick = Math.max(1, Math.round(ratePerSecond / 4));
  const timer = setInterval(() => {
    const now = new Date();
    const active = activeIncidents(plan, now.getTime() - startedAt);
    const events = applyDrops(generateEvents(perTick, now, seed++, options.mix ?? DEFAULT_MIX, "live"), active);
    const extra = extraPageViews(active, perTick);
    const spike = extra > 0 ? asPageViews(generateEvents(extra, now, startedAt + spikeSeed++, VALID_ONLY, "live")) : [];
    inFlight = sendEvents(ingestUrl, apiKey, [...events, ...spike].map((e) => e.line)).catch(() => {
      errors += 1;
    });
  }, 250);
  return {
    errors: () => errors,
    incidents: () => activeIncidents(plan, Date.now() - startedAt),
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
