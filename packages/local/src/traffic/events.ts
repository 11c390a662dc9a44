import { partitionOf, type DeadLetterReason, type Partition } from "@freshet/core";
import { pick, seededRandom } from "./random.ts";

/** What the pipeline must do with a generated event: the oracle of end-to-end tests. */
export type Expectation =
  | { readonly kind: "processed"; readonly eventId: string; readonly partition: Partition }
  | { readonly kind: "filtered"; readonly eventType: string }
  | { readonly kind: "dead_lettered"; readonly reason: DeadLetterReason };

export interface GeneratedEvent {
  /** One NDJSON line (no newline), exactly as a producer would send it. */
  readonly line: string;
  readonly expected: Expectation;
}

export interface TrafficMix {
  readonly v2: number;
  readonly v1: number;
  readonly duplicates: number;
  readonly heartbeats: number;
  readonly invalid: number;
}

export const DEFAULT_MIX: TrafficMix = { v2: 0.6, v1: 0.2, duplicates: 0.04, heartbeats: 0.1, invalid: 0.06 };

/**
 * When generated events happened, relative to `now`:
 * - `spread` (the default): mostly the last 5 minutes, 15 % late by up to 6 hours, so late events
 *   land in earlier partitions (what the pipeline's tests exercise);
 * - `live`: a live product, 98 % sent within 3 seconds, 2 % late by up to 6 hours (`npm start`:
 *   a minute is complete soon after it ends, so per-minute metrics can be scored then);
 * - `{ withinMs }`: uniformly within the `withinMs` before `now` (history backfilled minute by minute).
 */
export type EventTiming = "spread" | "live" | { readonly withinMs: number };

const EVENT_TYPES = ["page_view", "signup", "feature_used", "ad_click", "purchase", "trial_started"];
const CHANNELS = ["cpc", "seo", "email", "Paid-Social", "display", "referral", "direct", null];
const CAMPAIGNS = ["spring-sale", "brand-search", "retargeting", "webinar-q4"];
const FEATURES = ["dashboards", "exports", "alerts", "sso", "api"];

/**
 * Synthetic product traffic with its expected fate: valid v2 and legacy v1 events (times spread
 * over the last hours, so late events land in earlier partitions), producer duplicates,
 * heartbeats and a few invalid events of every kind. `now` anchors event times.
 */
export function generateEvents(count: number, now: Date, seed = 1, mix: TrafficMix = DEFAULT_MIX, timing: EventTiming = "spread"): GeneratedEvent[] {
  const random = seededRandom(seed);
  const valid: GeneratedEvent[] = [];
  const out: GeneratedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    let event: GeneratedEvent;
    if (roll < mix.v2) event = v2Event(random, now, `${seed}-${i}`, timing);
    else if (roll < mix.v2 + mix.v1) event = v1Event(random, now, `${seed}-${i}`, timing);
    else if (roll < mix.v2 + mix.v1 + mix.duplicates && valid.length > 0) event = pick(random, valid);
    else if (roll < mix.v2 + mix.v1 + mix.duplicates + mix.heartbeats) event = heartbeat(random, now, `${seed}-${i}`);
    else event = invalidEvent(random, now, `${seed}-${i}`);
    if (event.expected.kind === "processed") valid.push(event);
    out.push(event);
  }
  return out;
}

function eventTime(random: () => number, now: Date, timing: EventTiming): Date {
  // Two draws whatever the timing, so a seed gives the same events in every timing.
  const late = random();
  const lag = random();
  const lagMs =
    timing === "spread" ? (late < 0.85 ? lag * 5 * 60_000 : lag * 6 * 3_600_000)
    : timing === "live" ? (late < 0.98 ? lag * 3_000 : lag * 6 * 3_600_000)
    : lag * timing.withinMs;
  return new Date(now.getTime() - lagMs);
}

function v2Event(random: () => number, now: Date, id: string, timing: EventTiming): GeneratedEvent {
  const at = eventTime(random, now, timing);
  const type = pick(random, EVENT_TYPES);
  const event: Record<string, unknown> = {
    schema_version: 2,
    event_id: `v2-${id}`,
    event_type: type,
    occurred_at: random() < 0.7 ? at.toISOString() : at.getTime(),
    user_id: `user-${Math.floor(random() * 5000)}`,
    account_id: `acct-${Math.floor(random() * 300)}`,
    channel: pick(random, CHANNELS),
    properties: { feature: pick(random, FEATURES), plan: pick(random, ["free", "pro", "enterprise"]) },
  };
  if (type === "ad_click" || type === "purchase") {
    event.campaign_id = pick(random, CAMPAIGNS);
    event.ad_group_id = `${event.campaign_id}-g${Math.floor(random() * 4)}`;
    event.ad_id = `${event.ad_group_id}-a${Math.floor(random() * 6)}`;
    event.keyword = pick(random, ["analytics", "real time dashboard", "event pipeline"]);
  }
  if (type === "purchase") {
    event.revenue = Math.round(random() * 50_000) / 100;
    event.currency = "USD";
  }
  return { line: JSON.stringify(event), expected: { kind: "processed", eventId: `v2-${id}`, partition: partitionOf(at) } };
}

function v1Event(random: () => number, now: Date, id: string, timing: EventTiming): GeneratedEvent {
  const seconds = Math.floor(eventTime(random, now, timing).getTime() / 1000);
  const event = {
    eventId: `v1-${id}`,
    type: pick(random, EVENT_TYPES.slice(0, 4)),
    timestamp: seconds,
    userId: Math.floor(random() * 5000),
    accountId: `acct-${Math.floor(random() * 300)}`,
    campaignId: random() < 0.3 ? pick(random, CAMPAIGNS) : undefined,
  };
  return {
    line: JSON.stringify(event),
    expected: { kind: "processed", eventId: `v1-${id}`, partition: partitionOf(new Date(seconds * 1000)) },
  };
}

function heartbeat(random: () => number, now: Date, id: string): GeneratedEvent {
  const type = random() < 0.8 ? "heartbeat" : "health_check";
  const line = JSON.stringify({ event_id: `hb-${id}`, event_type: type, occurred_at: now.toISOString(), user_id: "sdk", account_id: "sdk" });
  return { line, expected: { kind: "filtered", eventType: type } };
}

function invalidEvent(random: () => number, now: Date, id: string): GeneratedEvent {
  const base = { event_id: `bad-${id}`, event_type: "page_view", occurred_at: now.toISOString(), user_id: "u", account_id: "a" };
  const cases: [DeadLetterReason, string][] = [
    ["malformed_json", `{"event_id":"bad-${id}","event_type":`],
    ["schema_violation", JSON.stringify({ ...base, user_id: undefined })],
    ["schema_violation", JSON.stringify({ ...base, revenue: -5, currency: "USD" })],
    ["rule_violation", JSON.stringify({ ...base, occurred_at: new Date(now.getTime() + 3_600_000).toISOString() })],
    ["rule_violation", JSON.stringify({ ...base, event_type: "../../etc/passwd" })],
    ["unsupported_version", JSON.stringify({ ...base, schema_version: 9 })],
  ];
  const [reason, line] = pick(random, cases);
  return { line, expected: { kind: "dead_lettered", reason } };
}
