import { GetStatementResultCommand } from "@aws-sdk/client-redshift-data";
import {
  BUCKETS,
  buildApplyMigrationStatements,
  buildRollupRebuildStatements,
  CREATE_SCHEMA_MIGRATIONS,
  DASHBOARD_VIEWS,
  DEFAULT_LIMIT,
  metricsView,
  MIGRATIONS,
  type BoundQuery,
  type ProcessedEvent,
} from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchRef, DASHBOARD_EVENTS, planLoad, writeBatch } from "./fixture-lake.ts";
import { isoOf, records, startWarehouse, type Warehouse } from "./warehouse.ts";

/*
 * The dashboard views read rollups each load maintains. After every load, and after a rebuild or
 * an upgrade backfill, each view must return exactly what its original definition (migration 2,
 * aggregating all of `events`) returns over the same events.
 */

const ORIGINAL_VIEWS = MIGRATIONS.find((m) => m.version === 2)!.statements;

/** The original full-table SELECT of a dashboard view. */
function fullTableSql(view: string): string {
  const header = `CREATE OR REPLACE VIEW ${view} AS\n`;
  const text = ORIGINAL_VIEWS.find((s) => s.startsWith(header));
  if (!text) throw new Error(`no original definition of ${view}`);
  return text.slice(header.length);
}

/** Rows as sorted JSON, numbers (however typed) as numbers: the two sides may type sums differently. */
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((row) => JSON.stringify(Object.entries(row).map(([k, v]) => [k, typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])))
    .sort();
}

async function expectViewsMatchEvents(w: Warehouse, label: string): Promise<void> {
  for (const view of DASHBOARD_VIEWS) {
    const want = canonical(await records(w, fullTableSql(view)));
    expect(want.length, `${label}: ${view} has rows to compare`).toBeGreaterThan(0);
    expect(canonical(await records(w, `SELECT * FROM ${view}`)), `${label}: ${view}`).toEqual(want);
  }
  await expectMetricsApiReadsMatchViews(w, label);
}

/** Columns of metric_freshness that do not move with GETDATE() between two queries. */
const FRESHNESS_COLUMNS = "metric, newest_event_at, last_load_at, interval_seconds, in_flight_share";

/**
 * What migration 9 re-pointed for the metrics API answers what the original views did: metric_freshness
 * over `newest_events` as over all of `events`, and the API's campaign query over `campaign_totals`
 * as over `campaign_performance`, for every bucket, with and without a campaign.
 */
async function expectMetricsApiReadsMatchViews(w: Warehouse, label: string): Promise<void> {
  const freshness = canonical(await records(w, `SELECT ${FRESHNESS_COLUMNS} FROM (${fullTableSql("metric_freshness")}) AS original`));
  expect(freshness.some((row) => row.includes('"newest_event_at",null')), `${label}: every metric has an event`).toBe(false);
  expect(canonical(await records(w, `SELECT ${FRESHNESS_COLUMNS} FROM metric_freshness`)), `${label}: metric_freshness`).toEqual(freshness);

  const campaign = metricsView("campaign-performance");
  for (const bucket of BUCKETS) {
    for (const filter of [{}, { campaign: "spring" }]) {
      const query = { from: new Date("2026-11-26T00:00:00Z"), to: new Date("2026-11-28T00:00:00Z"), bucket, limit: DEFAULT_LIMIT, ...filter };
      const bound = campaign.build(query);
      expect(bound.sql, "reads campaign_totals").toMatch(/\bFROM campaign_totals\b/);
      const want = await records(w, inlined(bound).replace(/\bFROM campaign_totals\b/, "FROM campaign_performance"));
      expect(want.length, `${label}: ${bucket} ${JSON.stringify(filter)} has rows`).toBeGreaterThan(0);
      expect(await records(w, inlined(bound)), `${label}: campaign-performance by ${bucket} ${JSON.stringify(filter)}`).toEqual(want);
    }
  }
}

/** A bound query with its (test-controlled, quote-free) parameters spliced in, for the harness's plain ExecuteStatement. */
function inlined(bound: BoundQuery): string {
  return bound.parameters.reduce((sql, p) => sql.replaceAll(`:${p.name}`, `'${p.value}'`), bound.sql);
}

const byId = new Map(DASHBOARD_EVENTS.map((e) => [e.event_id, e]));
const event = (id: string): ProcessedEvent => byId.get(id)!;
const events = (...ids: string[]): ProcessedEvent[] => ids.map(event);
/** A redelivery: same event, received later (a producer retry or a replayed shard). */
const redelivered = (id: string, receivedAt: string): ProcessedEvent => ({ ...event(id), received_at: receivedAt });

/** u4's purchase (e09, 50, direct) and its campaign touch (e07, brand) loaded after it. */
async function creditOfE09(w: Warehouse): Promise<unknown[][]> {
  return w.rows("SELECT model, channel, campaign_id, CAST(revenue AS INTEGER) FROM attribution_credits WHERE purchase_id = 'e09' ORDER BY model");
}

describe("dashboard rollups maintained by each load", () => {
  let w: Warehouse;
  let sequence = 100;
  async function load(loadId: string, batch: ProcessedEvent[], at: string): Promise<void> {
    const written = await writeBatch(w, { ref: batchRef(sequence, sequence + batch.length - 1, at), events: batch });
    sequence += batch.length;
    const out = await w.batch(await planLoad(w, loadId, [written], at));
    expect(out.Status, out.Error).toBe("FINISHED");
  }

  beforeAll(async () => {
    w = await startWarehouse();
    await w.migrate();
  }, 60_000);
  afterAll(() => w?.dispose());

  it("load 1: every view equals the full-table aggregation", async () => {
    // Without e07 (u4's touch), e19 (a2's first dashboards use, day 1) and e01/e20 (late below).
    await load("r-1", events("e02", "e03", "e04", "e05", "e06", "e08", "e09", "e10", "e11", "e12", "e13", "e14", "e15", "e16", "e26"), "2026-11-26T05:40:00.000Z");
    await expectViewsMatchEvents(w, "after load 1");
    expect(await creditOfE09(w)).toEqual([["first_touch", "direct", null, 50], ["last_touch", "direct", null, 50]]);
    expect(await w.rows("SELECT feature, account_id, first_day FROM feature_first_use WHERE feature = 'dashboards' AND account_id = 'a2'")).toEqual([["dashboards", "a2", "2026-11-27 00:00:00"]]);
  });

  it("load 2 with redelivered events (a duplicate of an already loaded event, one twice in the batch) counts each once", async () => {
    await load(
      "r-2",
      [
        ...events("e17", "e18", "e20", "e21", "e22", "e23", "e24", "e25", "e27", "e28", "e29", "e30"),
        redelivered("e05", "2026-11-27T10:30:00.000Z"),
        redelivered("e20", "2026-11-27T10:30:01.000Z"),
      ],
      "2026-11-27T10:31:00.000Z",
    );
    expect(await w.rows("SELECT rows_staged, rows_inserted, duplicates_skipped FROM loads WHERE load_id = 'r-2'")).toEqual([[14, 12, 2]]);
    await expectViewsMatchEvents(w, "after load 2");
    // e05 (a trial of spring/g1/ad1) still counts once in its bucket.
    expect(await w.rows("SELECT CAST(SUM(trials) AS INTEGER) FROM campaign_performance WHERE campaign_id = 'spring'")).toEqual([[1]]);
  });

  it("load 3: a late touch re-credits a purchase loaded before, and a late use moves a first adoption earlier", async () => {
    await load("r-3", [...events("e07", "e01", "e19"), redelivered("e06", "2026-11-27T11:00:00.000Z")], "2026-11-27T11:01:00.000Z");
    await expectViewsMatchEvents(w, "after load 3");
    expect(await creditOfE09(w)).toEqual([["first_touch", "paid_search", "brand", 50], ["last_touch", "paid_search", "brand", 50]]);
    expect(await w.rows("SELECT first_day FROM feature_first_use WHERE feature = 'dashboards' AND account_id = 'a2'")).toEqual([["2026-11-26 00:00:00"]]);
    expect(await w.rows("SELECT COUNT(*) FROM attribution_credits")).toEqual([[2 * DASHBOARD_EVENTS.filter((e) => e.event_type === "purchase").length]]);
  });

  it("buildRollupRebuildStatements repairs a damaged range of days and leaves the rest as it was", async () => {
    const untouched = await w.rows("SELECT * FROM campaign_rollup WHERE bucket_start >= CAST('2026-11-27 00:00:00' AS TIMESTAMP) ORDER BY 1, 2, 3, 4, 5, 6");
    for (const damage of [
      "DELETE FROM campaign_rollup WHERE bucket_start < CAST('2026-11-27 00:00:00' AS TIMESTAMP)",
      "UPDATE user_activity_hourly SET events = events + 5",
      "DELETE FROM engagement_periods WHERE grain = 'day'",
      "DELETE FROM feature_usage_daily WHERE day < CAST('2026-11-27 00:00:00' AS TIMESTAMP)",
      "DELETE FROM feature_first_use",
      "UPDATE attribution_credits SET revenue = 0 WHERE day < CAST('2026-11-27 00:00:00' AS TIMESTAMP)",
      "UPDATE newest_events SET user_engagement = NULL, revenue_attribution = CAST('2026-11-26 00:00:00' AS TIMESTAMP)",
      "UPDATE attribution_daily SET purchases = purchases + 1",
    ]) {
      await w.sql(damage);
    }
    // Partial days widen to the whole day; 2026-11-27 has no damage worth repairing except
    // the activity counts and the adoption table, so rebuild both days, the first as a partial one.
    let out = await w.batch(buildRollupRebuildStatements({ from: "2026-11-26T05:30:00Z", to: "2026-11-26T06:00:00Z" }));
    expect(out.Status, out.Error).toBe("FINISHED");
    expect(await w.rows("SELECT * FROM campaign_rollup WHERE bucket_start >= CAST('2026-11-27 00:00:00' AS TIMESTAMP) ORDER BY 1, 2, 3, 4, 5, 6")).toEqual(untouched);
    out = await w.batch(buildRollupRebuildStatements({ from: new Date("2026-11-27T00:00:00Z"), to: new Date("2026-11-28T00:00:00Z") }));
    expect(out.Status, out.Error).toBe("FINISHED");
    await expectViewsMatchEvents(w, "after the rebuild");
    // A whole rebuild of consistent rollups changes nothing.
    out = await w.batch(buildRollupRebuildStatements());
    expect(out.Status, out.Error).toBe("FINISHED");
    await expectViewsMatchEvents(w, "after a full rebuild");
  });
});

describe("migration 4 on a warehouse that already holds events", () => {
  let w: Warehouse;
  beforeAll(async () => {
    w = await startWarehouse();
  }, 60_000);
  afterAll(() => w?.dispose());

  it("backfills the rollups, so the re-pointed views return what the old ones did", async () => {
    await applyMigrations(w, (version) => version < 4);
    await insertEventsDirectly(w);
    const before: Record<string, string[]> = {};
    for (const view of DASHBOARD_VIEWS) before[view] = canonical(await records(w, `SELECT * FROM ${view}`));
    await applyMigrations(w, (version) => version === 4);
    for (const view of DASHBOARD_VIEWS) {
      expect(before[view]!.length, view).toBeGreaterThan(0);
      expect(canonical(await records(w, `SELECT * FROM ${view}`)), view).toEqual(before[view]);
    }
    expect(isoOf((await w.rows("SELECT MAX(bucket_start) FROM campaign_rollup"))[0]![0])).toBe("2026-11-27T10:10:00.000Z");
  });
});

describe("migration 9 on a warehouse that already holds events", () => {
  let w: Warehouse;
  beforeAll(async () => {
    w = await startWarehouse();
  }, 60_000);
  afterAll(() => w?.dispose());

  it("backfills newest_events, so metric_freshness returns what it did over events", async () => {
    await applyMigrations(w, (version) => version < 9);
    await insertEventsDirectly(w);
    const before = canonical(await records(w, `SELECT ${FRESHNESS_COLUMNS} FROM metric_freshness`));
    expect(before.some((row) => row.includes('"newest_event_at",null'))).toBe(false);
    await applyMigrations(w, (version) => version === 9);
    expect(canonical(await records(w, `SELECT ${FRESHNESS_COLUMNS} FROM metric_freshness`))).toEqual(before);
    expect((await w.rows("SELECT COUNT(*) FROM newest_events"))[0]).toEqual([1]);
  });
});

describe("migration 10 on a warehouse that already holds credits", () => {
  let w: Warehouse;
  beforeAll(async () => {
    w = await startWarehouse();
  }, 60_000);
  afterAll(() => w?.dispose());

  it("backfills attribution_daily, so revenue_attribution returns what it did over the credits", async () => {
    await applyMigrations(w, (version) => version < 4);
    await insertEventsDirectly(w);
    // Migration 4 credits the events already there; 10 then sums the credits.
    await applyMigrations(w, (version) => version >= 4 && version < 10);
    const before = canonical(await records(w, "SELECT * FROM revenue_attribution"));
    const columnsBefore = await columnTypes(w, "SELECT * FROM revenue_attribution");
    expect(before.length).toBeGreaterThan(0);
    await applyMigrations(w, (version) => version === 10);
    expect(canonical(await records(w, "SELECT * FROM revenue_attribution"))).toEqual(before);
    // Redshift's CREATE OR REPLACE VIEW refuses a column of another name or type.
    expect(await columnTypes(w, "SELECT * FROM revenue_attribution")).toEqual(columnsBefore);
    expect((await w.rows("SELECT COUNT(*) FROM attribution_daily"))[0]).toEqual([before.length]);
  });
});

/** Each result column's name, type, precision and scale, as GetStatementResult describes them. */
async function columnTypes(w: Warehouse, sql: string): Promise<unknown[][]> {
  const out = await w.sql(sql);
  const page = await w.client.send(new GetStatementResultCommand({ Id: out.Id! }));
  return (page.ColumnMetadata ?? []).map((c) => [c.name, c.typeName, c.precision, c.scale]);
}

/**
 * Applies the migrations whose version `which` keeps, in order, each as a deploy does (the
 * migrations ledger is created first; CREATE … IF NOT EXISTS, so again is harmless).
 */
async function applyMigrations(w: Warehouse, which: (version: number) => boolean): Promise<void> {
  await w.sql(CREATE_SCHEMA_MIGRATIONS);
  for (const m of MIGRATIONS.filter((m) => which(m.version))) {
    const out = await w.batch(buildApplyMigrationStatements(m));
    expect(out.Status, `migration ${m.version}: ${out.Error}`).toBe("FINISHED");
  }
}

/** DASHBOARD_EVENTS straight into `events`: a bulk insert that bypasses the load. */
async function insertEventsDirectly(w: Warehouse): Promise<void> {
  await w.sql(`INSERT INTO events (event_id, event_type, occurred_at, received_at, user_id, account_id, campaign_id, ad_group_id, ad_id, keyword, channel, revenue, currency, properties, source_schema_version, schema_version, loaded_at, load_id) VALUES\n${eventValues()}`);
}

/** DASHBOARD_EVENTS as the VALUES of an INSERT INTO events (a bulk insert that bypasses the load). */
function eventValues(): string {
  return DASHBOARD_EVENTS.map((e) =>
    `(${[e.event_id, e.event_type].map(quote).join(", ")}, ${ts(e.occurred_at)}, ${ts(e.received_at)}, ${[e.user_id, e.account_id].map(quote).join(", ")}, ` +
    `${[e.campaign_id, e.ad_group_id, e.ad_id, e.keyword].map(quote).join(", ")}, ${quote(e.channel)}, ${e.revenue ?? "NULL"}, ${quote(e.currency)}, ` +
    `JSON_PARSE(${quote(JSON.stringify(e.properties))}), 2, 1, ${ts(e.received_at)}, 'old')`,
  ).join(",\n");
}

function quote(value: string | null | undefined): string {
  return value === null || value === undefined ? "NULL" : `'${value.replaceAll("'", "''")}'`;
}

function ts(iso: string): string {
  return `CAST('${iso.slice(0, 10)} ${iso.slice(11, 23)}' AS TIMESTAMP)`;
}
