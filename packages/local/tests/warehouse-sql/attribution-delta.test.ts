import type { ProcessedEvent } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attributionCandidates, creditedCandidates } from "../../../core/src/warehouse/views/attribution-rules.ts";
import { CREATE_REVENUE_ATTRIBUTION } from "../../../core/src/warehouse/views/revenue-attribution.ts";
import { batchRef, planLoad, writeBatch } from "./fixture-lake.ts";
import { records, startWarehouse, type Warehouse } from "./warehouse.ts";

/*
 * Each load recomputes only the attribution credits its events can change (each user's purchases
 * at or after the user's earliest new touch or purchase). Over generated traffic loaded in
 * shuffled batches, so that touches arrive after the purchases they credit, ties in time
 * included, the credits after every load equal a full recompute from all of `events`, and
 * `revenue_attribution` (over the days each load recounts) what the original view over `events`
 * returns.
 */

const USERS = 14;
const EVENTS = 420;
const LOADS = 7;
const DAY0 = Date.parse("2026-11-26T00:00:00.000Z");
const CHANNELS = ["paid_search", "paid_social", "display", "email", "direct"] as const;
const CAMPAIGNS = ["brand", "spring", "retarget", null] as const;

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generate(seed: number): ProcessedEvent[] {
  const r = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(r() * values.length)]!;
  return Array.from({ length: EVENTS }, (_, i) => {
    const kind = r();
    const type = kind < 0.35 ? "ad_click" : kind < 0.6 ? "purchase" : kind < 0.8 ? "page_view" : "signup";
    const campaign = type === "ad_click" ? pick(CAMPAIGNS.slice(0, 3)) : type === "purchase" ? null : pick(CAMPAIGNS);
    // Whole minutes over two days: touches and purchases of a user often share a time.
    const occurred = new Date(DAY0 + Math.floor(r() * 2 * 24 * 60) * 60_000);
    const user = Math.floor(r() * USERS);
    return {
      event_id: `g${String(i).padStart(4, "0")}`,
      event_type: type,
      occurred_at: occurred.toISOString(),
      received_at: new Date(occurred.getTime() + 2_000).toISOString(),
      user_id: `u${user}`,
      account_id: `a${user % 5}`,
      campaign_id: campaign,
      ad_group_id: campaign ? `${campaign}-g1` : null,
      ad_id: campaign ? `${campaign}-g1-ad1` : null,
      keyword: null,
      channel: campaign ? pick(CHANNELS.slice(0, 3)) : pick(CHANNELS),
      // A few purchases without revenue: not purchases to the revenue views.
      revenue: type === "purchase" && r() < 0.9 ? 10 + Math.floor(r() * 90) : null,
      currency: type === "purchase" ? "USD" : null,
      properties: {},
      source_schema_version: 2,
      schema_version: 1,
    } as ProcessedEvent;
  });
}

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const r = random(seed);
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const COLUMNS = "purchase_id, model, purchased_at, channel, campaign_id, revenue";

/** Every purchase's credits computed from all of `events` by the revenue views' own rules. */
const FULL_RECOMPUTE = `WITH ${attributionCandidates()}
${creditedCandidates((model) => `purchase_id, ${model} AS model, purchased_at, channel, campaign_id, revenue`)}`;

/** The original `revenue_attribution` (migration 2): grouped from all of `events`. */
const ORIGINAL_VIEW = CREATE_REVENUE_ATTRIBUTION.slice("CREATE OR REPLACE VIEW revenue_attribution AS\n".length);

/** Rows as sorted JSON, numbers however typed as numbers. */
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows.map((row) => JSON.stringify(Object.values(row).map((v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)))).sort();
}

describe("attribution credits maintained from each user's earliest change", () => {
  let w: Warehouse;

  beforeAll(async () => {
    w = await startWarehouse();
    await w.migrate();
  }, 60_000);
  afterAll(() => w?.dispose());

  it("equal a full recompute after every load of shuffled batches", async () => {
    const events = shuffled(generate(7), 11);
    const size = Math.ceil(events.length / LOADS);
    let sequence = 1000;
    const load = async (name: string, batch: ProcessedEvent[], at: string) => {
      const written = await writeBatch(w, { ref: batchRef(sequence, sequence + batch.length - 1, at), events: batch });
      sequence += batch.length;
      const out = await w.batch(await planLoad(w, name, [written], at));
      expect(out.Status, out.Error).toBe("FINISHED");
      const want = canonical(await records(w, FULL_RECOMPUTE));
      expect(want.length).toBeGreaterThan(0);
      expect(canonical(await records(w, `SELECT ${COLUMNS} FROM attribution_credits`)), `after ${name}`).toEqual(want);
      expect(canonical(await records(w, "SELECT * FROM revenue_attribution")), `revenue_attribution after ${name}`).toEqual(canonical(await records(w, ORIGINAL_VIEW)));
    };
    for (let n = 0; n < LOADS; n++) {
      await load(`attr-${n}`, events.slice(n * size, (n + 1) * size), new Date(DAY0 + 3 * 86_400_000 + n * 60_000).toISOString());
    }
    // Late touches did move credits of purchases loaded before them.
    expect(await w.rows("SELECT COUNT(*) FROM attribution_credits WHERE campaign_id IS NOT NULL")).not.toEqual([[0]]);

    // A load holding only one touch, on the first day, before any other event of its user: it
    // becomes the first touch of every purchase of the user, those of the second day too, which
    // the load has no event on. Its recount must reach them.
    const user = events.find((e) => e.event_type === "purchase" && e.revenue !== null && Date.parse(e.occurred_at) >= DAY0 + 86_400_000)!.user_id;
    const touch = { ...events[0]!, event_id: "late-touch", event_type: "ad_click", occurred_at: new Date(DAY0).toISOString(), received_at: new Date(DAY0 + 2_000).toISOString(), user_id: user, campaign_id: "late", ad_group_id: "late-g1", ad_id: "late-g1-ad1", channel: "display", revenue: null, currency: null } as ProcessedEvent;
    await load("attr-late-touch", [touch], new Date(DAY0 + 4 * 86_400_000).toISOString());
    expect(await w.rows("SELECT COUNT(*) FROM revenue_attribution WHERE campaign_id = 'late' AND day >= CAST('2026-11-27 00:00:00' AS TIMESTAMP)")).not.toEqual([[0]]);
  }, 60_000);
});
