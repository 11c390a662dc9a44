import { describe, expect, it } from "vitest";
import { SqlTranslationError, splitStatements, translateStatement, type Step } from "../../src/redshift/index.ts";

/** The steps of one Redshift statement. */
function steps(sql: string): Step[] {
  return translateStatement(splitStatements(sql)[0]!);
}

describe("VACUUM and ANALYZE as Redshift writes them", () => {
  it.each([
    ["VACUUM", { sort: true, reclaim: true, threshold: 95 }],
    ["VACUUM events", { table: "events", sort: true, reclaim: true, threshold: 95 }],
    ["VACUUM FULL public.events TO 90 PERCENT", { table: "public.events", sort: true, reclaim: true, threshold: 90 }],
    ["vacuum sort only events to 99 percent boost", { table: "events", sort: true, reclaim: false, threshold: 99 }],
    ["VACUUM DELETE ONLY events TO 100 PERCENT", { table: "events", sort: false, reclaim: true, threshold: 100 }],
    ["VACUUM REINDEX events", { table: "events", sort: true, reclaim: true, threshold: 95 }],
    ["VACUUM RECLUSTER events", { table: "events", sort: true, reclaim: false, threshold: 95 }],
    ['VACUUM SORT ONLY "Events" BOOST', { table: '"Events"', sort: true, reclaim: false, threshold: 95 }],
  ])("%s", (sql, vacuum) => {
    expect(steps(sql)).toEqual([{ kind: "vacuum", vacuum }]);
  });

  it.each(["VACUUM SORT events", "VACUUM events TO 50", "VACUUM events TO 1.5 PERCENT", "VACUUM events extra", "VACUUM DELETE events"])("rejects %s", (sql) => {
    expect(() => steps(sql)).toThrow(SqlTranslationError);
  });

  it.each([
    ["ANALYZE", {}],
    ["ANALYZE PREDICATE COLUMNS", {}],
    ["ANALYZE VERBOSE events", { table: "events" }],
    ["ANALYZE public.events PREDICATE COLUMNS", { table: "public.events" }],
    ["ANALYZE events (occurred_at, user_id) ALL COLUMNS", { table: "events", columns: ["occurred_at", "user_id"] }],
  ])("%s", (sql, analyze) => {
    expect(steps(sql)).toEqual([{ kind: "analyze", analyze }]);
  });

  it("rejects an ANALYZE of two tables", () => {
    expect(() => steps("ANALYZE a, b")).toThrow(/syntax error in ANALYZE/);
  });
});

describe("the table each statement changes, for stats_off and deleted rows", () => {
  const change = (sql: string) => steps(sql).flatMap((s) => (s.kind === "sql" || s.kind === "copy") && s.change ? [s.change] : []);

  it.each([
    ["INSERT INTO events SELECT * FROM load_stage", { table: "events", kind: "insert" }],
    ['INSERT INTO public."Events" (a) VALUES (1)', { table: "Events", kind: "insert" }],
    ["UPDATE event_accounting SET loaded = 1 WHERE x IN (SELECT x FROM y)", { table: "event_accounting", kind: "update" }],
    ["DELETE FROM feature_daily WHERE day >= '2026-11-01'", { table: "feature_daily", kind: "delete" }],
    ["DELETE feature_daily", { table: "feature_daily", kind: "delete" }],
    ["MERGE INTO events USING s ON events.event_id = s.event_id WHEN NOT MATCHED THEN INSERT VALUES (s.event_id)", { table: "events", kind: "merge" }],
    ["WITH fresh AS (SELECT 1 AS n), more AS (SELECT 2) INSERT INTO counts SELECT n FROM fresh", { table: "counts", kind: "insert" }],
    ["TRUNCATE TABLE staging_area", { table: "staging_area", kind: "truncate" }],
    ["COPY events FROM 's3://lake/m.json' IAM_ROLE 'arn:aws:iam::000000000000:role/Copy' MANIFEST FORMAT AS JSON 'auto'", { table: "events", kind: "insert" }],
  ])("%s", (sql, expected) => {
    expect(change(sql)).toEqual([expected]);
  });

  it.each(["SELECT * FROM events", "WITH x AS (SELECT 1) SELECT * FROM x", "INSERT INTO #temp_stage VALUES (1)", "CREATE VIEW v AS SELECT 1"])("none for %s", (sql) => {
    expect(change(sql)).toEqual([]);
  });

  it("measures the tables before a statement that reads SVV_TABLE_INFO, and only then", () => {
    expect(steps(`SELECT "table", unsorted FROM SVV_TABLE_INFO`).map((s) => s.kind)).toEqual(["table-info", "sql"]);
    expect(steps(`SELECT 'svv_table_info' AS s`).map((s) => s.kind)).toEqual(["sql"]);
  });
});
