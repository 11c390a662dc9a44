import {
  AUDIT_COLUMNS,
  buildAuditQuery,
  buildLedgerSinceQuery,
  buildLoadedObjectsQuery,
  buildLoadErrorsQuery,
  buildLoadStatements,
  buildRecentLoadsQuery,
  DASHBOARD_VIEWS,
  LOAD_ERROR_COLUMNS,
  LOAD_SUMMARY_COLUMNS,
  MIGRATIONS,
  SELECT_APPLIED_MIGRATIONS,
  SELECT_METRIC_FRESHNESS,
} from "@freshet/core";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchRef, COPY_ROLE, DASHBOARD_EVENTS, DASHBOARD_EXPECTED, LAKE_BUCKET, planLoad, writeBatch, writeManifest, type WrittenBatch } from "./fixture-lake.ts";
import { isoOf, records, startWarehouse, type Warehouse } from "./warehouse.ts";

/*
 * Every SQL text Freshet sends to Redshift, run through an unchanged Data API client against the
 * local engine (DuckDB): the migrations, the load of a manifest of gzip NDJSON processed files from
 * the local S3, every view and every query builder; the dashboard views must return exactly the
 * hand-computed rows of core's fixture.
 */

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** An actual row in the expected row's terms: numbers as numbers, timestamps as ISO, only the expected columns. */
function normalise(actual: Record<string, unknown>, expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(expected).map(([column, want]) => {
      if (!(column in actual)) return [column, "(missing column)"];
      const value = actual[column];
      if (value === null) return [column, null];
      if (typeof want === "number") return [column, Number(value)];
      if (typeof want === "string" && ISO.test(want)) return [column, isoOf(value)];
      return [column, value];
    }),
  );
}

function sortByKey(rows: Record<string, unknown>[], key: readonly string[]): Record<string, unknown>[] {
  const k = (r: Record<string, unknown>) => JSON.stringify(key.map((c) => r[c] ?? null));
  return [...rows].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

const byId = new Map(DASHBOARD_EVENTS.map((e) => [e.event_id, e]));
const event = (id: string) => byId.get(id)!;

describe("Freshet's warehouse SQL on the local engine", () => {
  let w: Warehouse;
  let batchA: WrittenBatch;
  let batchB: WrittenBatch;
  let load1: string[];

  beforeAll(async () => {
    w = await startWarehouse();
    // Batch A: the 05:00 hour, plus records the transformer filtered (heartbeats) or dead-lettered.
    batchA = await writeBatch(w, {
      ref: batchRef(100, 130, "2026-11-26T05:01:02.000Z"),
      events: DASHBOARD_EVENTS.slice(0, 16),
      rejected: [
        { window: "2026-11-26T05", fate: "filtered" },
        { window: "2026-11-26T05", fate: "filtered" },
        { window: "2026-11-26T05", fate: "dead_lettered" },
      ],
    });
    // Batch B: the rest, with e25 delivered twice within the batch (a producer retry, received later).
    batchB = await writeBatch(w, {
      ref: batchRef(131, 170, "2026-11-26T06:00:02.000Z"),
      events: [...DASHBOARD_EVENTS.slice(16), { ...event("e25"), received_at: "2026-11-27T09:30:00.000Z", channel: "retry" }],
      rejected: [{ window: "2026-11-27T09", fate: "dead_lettered" }],
    });
    load1 = await planLoad(w, "load-1", [batchA, batchB], "2026-11-27T10:15:00.000Z");
  }, 60_000);
  afterAll(() => w?.dispose());

  it("applies every migration in order through BatchExecuteStatement, records them, and re-runs as a no-op", async () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(await w.migrate()).toEqual(versions);
    expect((await w.rows(SELECT_APPLIED_MIGRATIONS)).map((r) => r[0])).toEqual(versions);
    expect(await w.migrate()).toEqual([]);
    const keys = await records(w, `SELECT "table", diststyle, sortkey1 FROM svv_table_info WHERE "table" = 'events'`);
    expect(keys).toEqual([{ table: "events", diststyle: "KEY(user_id)", sortkey1: "occurred_at" }]);
  });

  it("every view and read query runs on the empty warehouse", async () => {
    for (const view of [...DASHBOARD_VIEWS, "user_sessions", "audit_balance"]) {
      expect(await w.rows(`SELECT * FROM ${view}`), view).toEqual([]);
    }
    expect(await w.rows(buildAuditQuery())).toEqual([]);
    const freshness = await records(w, SELECT_METRIC_FRESHNESS);
    expect(freshness.map((r) => [r.metric, r.newest_event_at, r.confidence, r.interval_seconds])).toEqual([
      ["campaign_performance", null, "0.000", 300],
      ["feature_adoption", null, "0.000", 300],
      ["revenue_attribution", null, "0.000", 300],
      ["user_engagement", null, "0.000", 300],
    ]);
  });

  it("loads the fixture's manifest of gzip NDJSON processed files: every event once, ledger, loads and accounting rows", async () => {
    const out = await w.batch(load1);
    expect(out.Status, out.Error).toBe("FINISHED");
    const [summary] = await records(w, `SELECT ${LOAD_SUMMARY_COLUMNS.join(", ")} FROM loads`);
    expect(summary).toMatchObject({ load_id: "load-1", status: "loaded", objects: batchA.objects.length + batchB.objects.length, rows_staged: 31, rows_inserted: 30, duplicates_skipped: 1, interval_seconds: 300 });
    expect(isoOf(summary!.newest_occurred_at)).toBe("2026-11-27T10:10:00.000Z");
    expect(await w.rows("SELECT COUNT(*), COUNT(DISTINCT event_id), MIN(load_id), MAX(load_id) FROM events")).toEqual([[30, 30, "load-1", "load-1"]]);
    // The earliest delivery of e25 won; properties stay SUPER (navigable).
    expect(await records(w, "SELECT channel, CAST(properties.feature AS VARCHAR) AS feature FROM events WHERE event_id = 'e25'")).toEqual([{ channel: event("e25").channel, feature: "exports" }]);
    const ledger = await w.rows("SELECT object_key, load_id FROM load_ledger ORDER BY object_key");
    expect(ledger).toEqual([...batchA.objects, ...batchB.objects].map((o) => [o.key, "load-1"]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  });

  for (const view of [...DASHBOARD_VIEWS, "user_sessions"]) {
    it(`${view} returns exactly the hand-computed rows`, async () => {
      const expected = DASHBOARD_EXPECTED[view]!;
      const actual = (await records(w, `SELECT * FROM ${view}`)).map((row) => normalise(row, expected.rows[0]!));
      const want = sortByKey([...expected.rows], expected.key);
      const got = sortByKey(actual, expected.key);
      expect(got.length).toBe(want.length);
      got.forEach((row, n) => {
        for (const [column, value] of Object.entries(want[n]!)) {
          if (column === "events_per_user") expect(row[column] as number, `${view} row ${n} ${column}`).toBeCloseTo(value as number, 9);
          else expect(row[column], `${view} row ${n} ${column}`).toEqual(value);
        }
      });
    });
  }

  it("metric_freshness gives each metric its newest loaded event and a confidence that follows the formula", async () => {
    const rows = await records(w, SELECT_METRIC_FRESHNESS);
    expect(rows.map((r) => ({ metric: r.metric, newest_event_at: isoOf(r.newest_event_at) }))).toEqual(DASHBOARD_EXPECTED.metric_freshness!.rows);
    const [{ now }] = (await records(w, "SELECT GETDATE() AS now")) as [{ now: string }];
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(["metric", "newest_event_at", "age_seconds", "last_load_at", "interval_seconds", "in_flight_share", "confidence"]);
      const age = Number(r.age_seconds);
      expect(Math.abs(age - (Date.parse(isoOf(now)) - Date.parse(isoOf(r.newest_event_at))) / 1000)).toBeLessThanOrEqual(2);
      expect(r.interval_seconds).toBe(300);
      expect(r.last_load_at).not.toBeNull();
      expect(r.in_flight_share).toBe(0); // everything processed is loaded or a recognised duplicate
      const timeliness = Math.min(1, Math.max(0, (3 * 300 - age) / (2 * 300)));
      expect(Number(r.confidence)).toBeCloseTo(Math.round(timeliness * 1000) / 1000, 3);
    }
  });

  it("audit_balance balances every arrival hour: received = loaded + duplicates + filtered + dead-lettered", async () => {
    const rows = await records(w, buildAuditQuery());
    expect(rows.map((r) => Object.keys(r))[0]).toEqual([...AUDIT_COLUMNS]);
    expect(rows.map((r) => [isoOf(r.window_start), r.received, r.processed, r.filtered, r.dead_lettered, r.loaded, r.duplicates, r.in_flight, r.status])).toEqual([
      ["2026-11-26T05:00:00.000Z", 19, 16, 2, 1, 16, 0, 0, "balanced"],
      ["2026-11-26T06:00:00.000Z", 7, 7, 0, 0, 7, 0, 0, "balanced"],
      ["2026-11-27T09:00:00.000Z", 6, 5, 0, 1, 4, 1, 0, "balanced"],
      ["2026-11-27T10:00:00.000Z", 3, 3, 0, 0, 3, 0, 0, "balanced"],
    ]);
    const ranged = await w.rows(buildAuditQuery({ from: "2026-11-26T06:00:00Z", to: "2026-11-27T10:00:00Z" }));
    expect(ranged.map((r) => isoOf(r[0]))).toEqual(["2026-11-26T06:00:00.000Z", "2026-11-27T09:00:00.000Z"]);
  });

  it("the same manifest loaded twice adds no rows and counts nothing twice", async () => {
    const before = await w.rows("SELECT * FROM event_accounting ORDER BY window_start");
    const out = await w.batch(load1);
    expect(out.Status, out.Error).toBe("FINISHED");
    const summaryId = out.SubStatements![out.SubStatements!.length - 1]!.Id!;
    const { GetStatementResultCommand } = await import("@aws-sdk/client-redshift-data");
    const page = await w.client.send(new GetStatementResultCommand({ Id: summaryId }));
    expect(page.ColumnMetadata!.map((c) => c.name)).toEqual([...LOAD_SUMMARY_COLUMNS]);
    expect(page.Records![0]!.slice(2, 7).map((f) => f.stringValue ?? f.longValue)).toEqual(["superseded", batchA.objects.length + batchB.objects.length, 0, 0, 0]);
    expect(await w.rows("SELECT COUNT(*) FROM events")).toEqual([[30]]);
    expect(await w.rows("SELECT COUNT(*) FROM load_ledger")).toEqual([[batchA.objects.length + batchB.objects.length]]);
    const after = await w.rows("SELECT * FROM event_accounting ORDER BY window_start");
    expect(after.map((r) => r.slice(0, 7))).toEqual(before.map((r) => r.slice(0, 7)));
    expect(await w.rows("SELECT status, COUNT(*) FROM loads GROUP BY status ORDER BY status")).toEqual([["loaded", 1], ["superseded", 1]]);
  });

  it("a later batch redelivering loaded events inserts none of them and the audit still balances", async () => {
    const batchC = await writeBatch(w, {
      ref: batchRef(171, 180, "2026-11-27T10:20:00.000Z"),
      events: [{ ...event("e05"), received_at: "2026-11-27T10:20:00.000Z" }, { ...event("e20"), received_at: "2026-11-27T10:20:01.000Z" }],
    });
    const out = await w.batch(await planLoad(w, "load-2", [batchC], "2026-11-27T10:25:00.000Z"));
    expect(out.Status, out.Error).toBe("FINISHED");
    expect(await w.rows("SELECT rows_staged, rows_inserted, duplicates_skipped FROM loads WHERE load_id = 'load-2'")).toEqual([[2, 0, 2]]);
    expect(await w.rows("SELECT COUNT(*) FROM events")).toEqual([[30]]);
    expect(await w.rows(buildAuditQuery({ from: "2026-11-27T10:00:00Z" }))).toEqual([[expect.any(String), 5, 5, 0, 0, 3, 2, 0, "balanced", 0, 0]]);
  });

  let failedCopy: { queryId: number; fileUrl: string } | undefined;

  it("a COPY of a malformed processed file fails the whole load, loses nothing, and records the line", async () => {
    const good = await writeBatch(w, { ref: batchRef(181, 181, "2026-11-27T10:30:00.000Z"), events: [{ ...event("e01"), event_id: "e31", received_at: "2026-11-27T10:30:00.000Z" }] });
    const badKey = "processed/dt=2026-11-27/hr=10/shardId-000000000000-182-183.ndjson.gz";
    const badBody = gzipSync(`${JSON.stringify({ ...event("e02"), event_id: "e32" })}\n${JSON.stringify({ ...event("e03"), event_id: "e33", occurred_at: "not a time" })}\n`);
    await w.putObject(LAKE_BUCKET, badKey, badBody);
    const objects = [...good.objects, { key: badKey, sizeBytes: badBody.length }];
    const manifestUrl = await writeManifest(w, "load-3", objects);
    const out = await w.batch(buildLoadStatements({ loadId: "load-3", manifestUrl, iamRoleArn: COPY_ROLE, objects, receipts: [good.receipt], startedAt: "2026-11-27T10:35:00.000Z" }));
    expect(out.Status).toBe("FAILED");
    expect(out.Error).toMatch(/Check 'sys_load_error_detail'/);
    expect(await w.rows("SELECT COUNT(*) FROM events")).toEqual([[30]]);
    expect(await w.rows(buildLoadedObjectsQuery(objects.map((o) => o.key)))).toEqual([]);
    expect(await w.rows("SELECT COUNT(*) FROM loads WHERE load_id = 'load-3'")).toEqual([[0]]);
    expect(await w.rows("SELECT COUNT(*) FROM batch_receipts WHERE load_id = 'load-3'")).toEqual([[0]]);
    const copy = out.SubStatements!.find((s) => s.QueryString!.startsWith("COPY"))!;
    failedCopy = { queryId: copy.RedshiftQueryId!, fileUrl: `s3://${LAKE_BUCKET}/${badKey}` };
    // The columns AWS documents for SYS_LOAD_ERROR_DETAIL.
    const recorded = await records(w, `SELECT file_name, line_number, column_name, error_code FROM sys_load_error_detail WHERE query_id = ${failedCopy.queryId}`);
    expect(recorded).toEqual([{ file_name: failedCopy.fileUrl, line_number: 2, column_name: "occurred_at", error_code: 1206 }]);
  });

  it("buildLoadErrorsQuery reads the failed COPY's errors back", async () => {
    expect(failedCopy).toBeDefined();
    const byQuery = await records(w, buildLoadErrorsQuery({ queryId: failedCopy!.queryId }));
    expect(byQuery.map((r) => [r.file_name, r.line_number, r.column_name, r.error_code])).toEqual([[failedCopy!.fileUrl, 2, "occurred_at", 1206]]);
    expect(Object.keys(byQuery[0]!)).toEqual([...LOAD_ERROR_COLUMNS]);
    const byFile = await w.rows(buildLoadErrorsQuery({ fileUrls: [failedCopy!.fileUrl], since: "2026-01-01T00:00:00Z", limit: 5 }));
    expect(byFile).toHaveLength(1);
  });

  it("CAST(… AS VARCHAR) of SUPER navigation gives the string (NULL for other SUPER values), other casts as usual", async () => {
    const [row] = await records(
      w,
      `SELECT CAST(e.properties.feature AS VARCHAR) AS feature, CAST(e.properties.missing AS VARCHAR(64)) AS missing,
         CAST(e.properties AS VARCHAR) AS object, CAST(e.occurred_at AS VARCHAR) AS occurred, CAST(e.source_schema_version AS CHARACTER VARYING(8)) AS version,
         CAST(CAST(e.revenue AS DECIMAL(10, 1)) AS TEXT) AS revenue
       FROM events AS e WHERE e.event_id = 'e06'`,
    );
    expect(row).toEqual({ feature: null, missing: null, object: null, occurred: "2026-11-26 05:08:00", version: "2", revenue: "100.0" });
    expect(await w.rows("SELECT CAST(e.properties.plan AS VARCHAR) FROM events AS e WHERE e.event_id = 'e22'")).toEqual([["enterprise"]]);
  });

  it("DATEADD adds every date part Freshet's SQL may use (built from numbers, not text)", async () => {
    const base = "CAST('2026-11-26 05:04:59' AS TIMESTAMP)";
    const parts = [["microsecond", 1500000], ["millisecond", 1500], ["second", -60], ["minute", 35], ["hour", -24], ["day", 6], ["week", 1], ["month", 3], ["quarter", -1], ["year", 1]] as const;
    const [row] = await w.rows(`SELECT ${parts.map(([part, n]) => `DATEADD(${part}, ${n}, ${base})`).join(", ")}`);
    expect(row!.map(isoOf)).toEqual([
      "2026-11-26T05:05:00.500Z", "2026-11-26T05:05:00.500Z", "2026-11-26T05:03:59.000Z", "2026-11-26T05:39:59.000Z", "2026-11-25T05:04:59.000Z",
      "2026-12-02T05:04:59.000Z", "2026-12-03T05:04:59.000Z", "2027-02-26T05:04:59.000Z", "2026-08-26T05:04:59.000Z", "2027-11-26T05:04:59.000Z",
    ]);
  });

  it("the planner's and operator's read queries run and answer from the ledger and loads", async () => {
    const known = batchA.objects[0]!.key;
    expect(await w.rows(buildLoadedObjectsQuery([known, "processed/dt=2026-11-28/hr=00/never.ndjson.gz"]))).toEqual([[known]]);
    const since = await w.rows(buildLedgerSinceQuery("2000-01-01T00:00:00Z", 2));
    expect(since).toHaveLength(2);
    expect(await w.rows(buildLedgerSinceQuery(new Date(Date.now() + 3_600_000)))).toEqual([]);
    const recent = await records(w, buildRecentLoadsQuery(10));
    expect(recent.map((r) => [r.load_id, r.status])).toEqual([["load-2", "loaded"], ["load-1", "superseded"], ["load-1", "loaded"]]);
  });
});
