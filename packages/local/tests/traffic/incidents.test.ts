import { describe, expect, it } from "vitest";
import { generateEvents } from "../../src/traffic/events.ts";
import { IncidentPlanError } from "../../src/traffic/errors.ts";
import { sendHistory } from "../../src/traffic/history.ts";
import {
  activeIncidents,
  applyDrops,
  asPageViews,
  DEFAULT_INCIDENTS,
  extraPageViews,
  NO_INCIDENTS,
  PAGE_VIEW_SHARE,
  parseIncidentPlan,
} from "../../src/traffic/incidents.ts";

const NOW = new Date("2026-12-07T10:00:00Z");
/** Each line as an object; the generator's malformed lines (`malformed_json` dead letters) as `{ malformed }`. */
const parsed = (lines: readonly string[]) =>
  lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return { malformed: l };
    }
  });
const conversionOf = (e: Record<string, unknown>, campaign: string) =>
  (e.schema_version === 2 && e.event_type === "purchase" && e.campaign_id === campaign) || (e.schema_version === undefined && e.type === "signup" && e.campaignId === campaign);

describe("npm start's incident plan", () => {
  it("stages a 10-minute conversion drop and a page-view spike, hourly, and nothing when told none", () => {
    const at = (minute: number) => activeIncidents(DEFAULT_INCIDENTS, minute * 60_000).map((i) => i.kind);
    expect(at(7.9)).toEqual([]);
    expect(at(8)).toEqual(["conversion-drop"]);
    expect(at(17.9)).toEqual(["conversion-drop"]);
    expect(at(18)).toEqual([]);
    expect(at(27)).toEqual(["page-view-spike"]);
    expect(at(68)).toEqual(["conversion-drop"]);
    expect(activeIncidents(NO_INCIDENTS, 8 * 60_000)).toEqual([]);
  });

  it("reads FRESHET_INCIDENTS, and refuses what it cannot stage with a typed error", () => {
    expect(parseIncidentPlan(undefined)).toBe(DEFAULT_INCIDENTS);
    expect(parseIncidentPlan("none")).toBe(NO_INCIDENTS);
    expect(parseIncidentPlan("drop:brand-search@2+10, spike:3@15+2")).toEqual({
      incidents: [
        { kind: "conversion-drop", campaign: "brand-search", startMinute: 2, minutes: 10 },
        { kind: "page-view-spike", factor: 3, startMinute: 15, minutes: 2 },
      ],
      cycleMinutes: 60,
    });
    expect(parseIncidentPlan("drop:x@50+30").cycleMinutes).toBe(120);
    for (const bad of ["drop:x", "spike:1@2+3", "drop:x@2+0", "surge:x@1+1"]) expect(() => parseIncidentPlan(bad)).toThrow(IncidentPlanError);
  });

  it("a conversion drop leaves the campaign no conversion and every other event as it was", () => {
    const events = generateEvents(20_000, NOW, 3, undefined, "live");
    const before = parsed(events.map((e) => e.line));
    expect(before.filter((e) => conversionOf(e, "spring-sale")).length).toBeGreaterThan(100);
    const after = parsed(applyDrops(events, activeIncidents(DEFAULT_INCIDENTS, 9 * 60_000)).map((e) => e.line));
    expect(after.filter((e) => conversionOf(e, "spring-sale"))).toEqual([]);
    expect(after).toHaveLength(before.length);
    const changed = after.filter((e, i) => JSON.stringify(e) !== JSON.stringify(before[i]));
    expect(changed.every((e) => e.event_type === "ad_click" || e.type === "page_view")).toBe(true);
    expect(before.filter((e) => conversionOf(e, "brand-search")).length).toBe(after.filter((e) => conversionOf(e, "brand-search")).length);
    expect(applyDrops(events, []).map((e) => e.line)).toEqual(events.map((e) => e.line));
  });

  it("a spike adds page views with their own ids: ×5 is four times the page views a tick has", () => {
    const spike = activeIncidents(DEFAULT_INCIDENTS, 27 * 60_000);
    expect(extraPageViews(spike, 1000)).toBe(Math.round(1000 * PAGE_VIEW_SHARE * 4));
    expect(extraPageViews([], 1000)).toBe(0);
    // The share of valid, distinct page views in the default traffic (invalid events and duplicates aside).
    const generated = generateEvents(50_000, NOW, 5);
    const views = new Set(
      parsed(generated.filter((g) => g.expected.kind === "processed").map((g) => g.line))
        .filter((e) => e.event_type === "page_view" || e.type === "page_view")
        .map((e) => e.event_id ?? e.eventId),
    );
    expect(views.size / generated.length).toBeCloseTo(PAGE_VIEW_SHARE, 2);
    const extra = asPageViews(generateEvents(100, NOW, 9, { v2: 1, v1: 0, duplicates: 0, heartbeats: 0, invalid: 0 }, "live"));
    expect(extra).toHaveLength(100);
    for (const e of parsed(extra.map((x) => x.line))) {
      expect(e).toMatchObject({ event_type: "page_view", event_id: expect.stringMatching(/^spike-v2-9-/) });
      expect(e).not.toHaveProperty("campaign_id");
      expect(e).not.toHaveProperty("revenue");
    }
  });

  it("live timing puts 98 % of events in the last 3 seconds; the default spread stays as the pipeline's tests know it", () => {
    const ages = (timing: "live" | "spread") =>
      parsed(generateEvents(10_000, NOW, 11, { v2: 1, v1: 0, duplicates: 0, heartbeats: 0, invalid: 0 }, timing).map((e) => e.line)).map(
        (e) => NOW.getTime() - (typeof e.occurred_at === "number" ? e.occurred_at : Date.parse(String(e.occurred_at))),
      );
    const live = ages("live");
    expect(live.filter((a) => a <= 3_000).length / live.length).toBeGreaterThan(0.97);
    const spread = ages("spread");
    expect(spread.filter((a) => a <= 3_000).length / spread.length).toBeLessThan(0.05);
    // The same seed gives the same events whatever the timing, only their times differ.
    const strip = (timing: "live" | "spread") => parsed(generateEvents(200, NOW, 2, undefined, timing).map((e) => e.line)).map(({ occurred_at: _a, timestamp: _b, ...rest }) => rest);
    expect(strip("live")).toEqual(strip("spread"));
  });
});

describe("sendHistory", () => {
  it("sends each minute's valid events before `until`, oldest first, spread over the minute, ids its own", async () => {
    const batches: string[][] = [];
    const progress: number[] = [];
    const accepted = await sendHistory(async (lines) => (batches.push([...lines]), lines.length), {
      ratePerSecond: 50,
      minutes: 3,
      until: NOW,
      onMinute: (done) => progress.push(done),
    });
    // 80 % of 50 events/s are valid: 2,400 a minute, as live traffic loads them.
    expect(accepted).toBe(3 * 2400);
    expect(progress).toEqual([1, 2, 3]);
    expect(batches.map((b) => b.length)).toEqual([2000, 400, 2000, 400, 2000, 400]);
    const events = parsed(batches.flat());
    const minuteOf = (e: Record<string, unknown>) => {
      const t = e.occurred_at ?? (typeof e.timestamp === "number" ? e.timestamp * 1000 : undefined);
      return t === undefined ? undefined : Math.floor((typeof t === "number" ? t : Date.parse(String(t))) / 60_000) - NOW.getTime() / 60_000;
    };
    // Only valid events (no heartbeat, no invalid event, no duplicate), each id once and its own.
    const ids = events.map((e) => String(e.event_id ?? e.eventId));
    expect(ids.every((id) => /^hv[12]-/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const minutes = events.map(minuteOf);
    expect(new Set(minutes)).toEqual(new Set([-3, -2, -1]));
    // Oldest minute first: the first minute's requests hold only minute −3.
    expect(new Set(parsed(batches[0]!).filter((e) => /^hv/.test(String(e.event_id ?? e.eventId))).map(minuteOf))).toEqual(new Set([-3]));
  });
});
