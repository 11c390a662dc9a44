import { IncidentPlanError } from "./errors.ts";
import type { GeneratedEvent } from "./events.ts";

/**
 * Incidents `npm start`'s traffic stages so the anomaly pipeline has something real to find.
 * Minutes count from the start of live traffic and repeat every `cycleMinutes`.
 * - `conversion-drop`: a campaign's conversions stop (a broken checkout link): its purchases
 *   become ad clicks that go nowhere, its signups page views;
 * - `page-view-spike`: `factor` × the usual page views (a post going viral, or a bot).
 */
export type Incident =
  | { readonly kind: "conversion-drop"; readonly campaign: string; readonly startMinute: number; readonly minutes: number }
  | { readonly kind: "page-view-spike"; readonly factor: number; readonly startMinute: number; readonly minutes: number };

export interface IncidentPlan {
  readonly incidents: readonly Incident[];
  /** The plan repeats after this many minutes (longer than the alerts' cooldown, so each repeat alerts again). */
  readonly cycleMinutes: number;
}

/**
 * The default plan: a 10-minute conversion drop from minute 8, a 3-minute page-view spike from
 * minute 26, every hour. Its first 35 minutes show both alerts and both recovery notices. (The
 * series need a few live minutes after the history backfill before their thresholds exist.)
 */
export const DEFAULT_INCIDENTS: IncidentPlan = Object.freeze<IncidentPlan>({
  incidents: [
    { kind: "conversion-drop", campaign: "spring-sale", startMinute: 8, minutes: 10 },
    { kind: "page-view-spike", factor: 5, startMinute: 26, minutes: 3 },
  ],
  cycleMinutes: 60,
});

export const NO_INCIDENTS: IncidentPlan = Object.freeze<IncidentPlan>({ incidents: [], cycleMinutes: 60 });

/**
 * `FRESHET_INCIDENTS`: `default`, `none`, or a comma-separated list of
 * `drop:<campaign>@<start>+<minutes>` and `spike:<factor>@<start>+<minutes>` (minutes from the
 * start of live traffic), e.g. `drop:spring-sale@2+10,spike:5@15+3`.
 */
export function parseIncidentPlan(text: string | undefined): IncidentPlan {
  const value = (text ?? "default").trim();
  if (value === "default" || value === "") return DEFAULT_INCIDENTS;
  if (value === "none") return NO_INCIDENTS;
  const incidents = value.split(",").map((part): Incident => {
    const match = /^(drop|spike):([A-Za-z0-9._-]+)@(\d+)\+(\d+)$/.exec(part.trim());
    if (!match) throw new IncidentPlanError(`FRESHET_INCIDENTS: ${JSON.stringify(part)} is not drop:<campaign>@<start>+<minutes> or spike:<factor>@<start>+<minutes>`);
    const [, kind, what, start, minutes] = match as unknown as [string, string, string, string, string];
    if (Number(minutes) < 1) throw new IncidentPlanError(`FRESHET_INCIDENTS: ${JSON.stringify(part)} lasts no minute`);
    if (kind === "drop") return { kind: "conversion-drop", campaign: what, startMinute: Number(start), minutes: Number(minutes) };
    const factor = Number(what);
    if (!Number.isFinite(factor) || factor <= 1) throw new IncidentPlanError(`FRESHET_INCIDENTS: a spike's factor must be a number above 1, got ${JSON.stringify(what)}`);
    return { kind: "page-view-spike", factor, startMinute: Number(start), minutes: Number(minutes) };
  });
  const end = Math.max(...incidents.map((i) => i.startMinute + i.minutes));
  return { incidents, cycleMinutes: Math.max(60, Math.ceil(end / 60) * 60) };
}

/** The incidents under way `elapsedMs` after live traffic started. */
export function activeIncidents(plan: IncidentPlan, elapsedMs: number): Incident[] {
  const minute = (elapsedMs / 60_000) % plan.cycleMinutes;
  return plan.incidents.filter((i) => minute >= i.startMinute && minute < i.startMinute + i.minutes);
}

/** Events as the incidents make them: a dropped campaign's conversions turned into non-converting events. */
export function applyDrops(events: readonly GeneratedEvent[], active: readonly Incident[]): GeneratedEvent[] {
  const campaigns = new Set(active.flatMap((i) => (i.kind === "conversion-drop" ? [i.campaign] : [])));
  if (campaigns.size === 0) return [...events];
  return events.map((e) => (e.expected.kind === "processed" ? { ...e, line: withoutConversion(e.line, campaigns) } : e));
}

function withoutConversion(line: string, campaigns: ReadonlySet<string>): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  if (event.schema_version === 2 && event.event_type === "purchase" && campaigns.has(String(event.campaign_id))) {
    const { revenue: _r, currency: _c, ...clicked } = event;
    return JSON.stringify({ ...clicked, event_type: "ad_click" });
  }
  if (event.schema_version === undefined && event.type === "signup" && campaigns.has(String(event.campaignId))) {
    return JSON.stringify({ ...event, type: "page_view" });
  }
  return line;
}

/** Share of the default traffic's events that are page views: v2 (60 % × 1/6) and v1 (20 % × 1/4). */
export const PAGE_VIEW_SHARE = 0.6 / 6 + 0.2 / 4;

/** How many extra page views the spikes under way add to a tick of `count` events. */
export function extraPageViews(active: readonly Incident[], count: number): number {
  const factor = active.reduce((f, i) => (i.kind === "page-view-spike" ? Math.max(f, i.factor) : f), 1);
  return Math.round(count * PAGE_VIEW_SHARE * (factor - 1));
}

/** Valid events rewritten as page views (no campaign, no revenue, ids `spike-…`): a spike's extra traffic. */
export function asPageViews(events: readonly GeneratedEvent[]): GeneratedEvent[] {
  const seen = new Set<string>();
  return events.flatMap((e) => {
    if (e.expected.kind !== "processed" || seen.has(e.expected.eventId)) return [];
    seen.add(e.expected.eventId);
    const event = JSON.parse(e.line) as Record<string, unknown>;
    const eventId = `spike-${e.expected.eventId}`;
    const expected = { ...e.expected, eventId };
    if (event.schema_version === 2) {
      const { campaign_id: _a, ad_group_id: _b, ad_id: _c, keyword: _d, revenue: _e, currency: _f, ...rest } = event;
      return [{ line: JSON.stringify({ ...rest, event_id: eventId, event_type: "page_view" }), expected }];
    }
    const { campaignId: _g, ...rest } = event;
    return [{ line: JSON.stringify({ ...rest, eventId, type: "page_view" }), expected }];
  });
}
