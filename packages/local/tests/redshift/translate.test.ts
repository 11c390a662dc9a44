import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitStatements, tokenize, translateStatement } from "../../src/redshift/index.ts";
import { startRedshift, type RedshiftHarness } from "./harness.ts";

function sqlOf(redshift: string): string[] {
  return translateStatement(splitStatements(redshift)[0]!).flatMap((s) => (s.kind === "sql" ? [s.sql] : []));
}

describe("tokenizer", () => {
  it("gives the input back and keeps strings, quoted names and comments whole", () => {
    const sql = `SELECT 'a;b''c' AS "x;y", 1.5e3 -- SORTKEY; here\n/* DISTKEY ; */ FROM t; SELECT :p, a::int`;
    expect(tokenize(sql).map((t) => t.text).join("")).toBe(sql);
    expect(splitStatements(sql)).toHaveLength(2);
    expect(tokenize("x::int").map((t) => t.kind)).toEqual(["word", "op", "word"]);
    expect(tokenize(":name").map((t) => t.kind)).toEqual(["param"]);
  });

  it("never rewrites keywords inside literals", () => {
    expect(sqlOf("SELECT 'GETDATE() SUPER SYSDATE' AS s")).toEqual(["SELECT 'GETDATE() SUPER SYSDATE' AS s"]);
  });
});

describe("Redshift → DuckDB translation, run on the local engine", () => {
  let h: RedshiftHarness;
  beforeAll(async () => {
    h = await startRedshift();
  });
  afterAll(() => h.dispose());

  it("drops DISTSTYLE/DISTKEY/SORTKEY/ENCODE, turns IDENTITY into a sequence and SUPER into JSON", async () => {
    await h.sql(`CREATE TABLE events (
      load_id BIGINT IDENTITY(1,1),
      event_id VARCHAR(64) NOT NULL ENCODE zstd PRIMARY KEY,
      user_id VARCHAR(MAX) DISTKEY,
      occurred_at TIMESTAMP ENCODE az64,
      properties SUPER
    ) DISTSTYLE KEY COMPOUND SORTKEY (occurred_at, event_id)`);
    await h.sql(`INSERT INTO events (event_id, user_id, occurred_at, properties) VALUES
      ('e1', 'u1', '2026-11-26 05:00:00', JSON_PARSE('{"plan":"pro","n":{"x":2}}')),
      ('e1', 'u2', '2026-11-26 05:03:00', NULL)`);
    // Redshift does not enforce PRIMARY KEY: the duplicate is accepted, as there.
    expect(await h.rows("SELECT load_id, event_id FROM events ORDER BY load_id")).toEqual([[1, "e1"], [2, "e1"]]);
    expect(await h.rows(`SELECT "table", diststyle, sortkey1, tbl_rows FROM svv_table_info WHERE "table" = 'events'`)).toEqual([["events", "KEY(user_id)", "occurred_at", "2"]]);
    await h.sql("CREATE TABLE events_stage (LIKE events)");
    expect(await h.rows("SELECT count(*) FROM events_stage")).toEqual([[0]]);
    await h.sql("INSERT INTO events_stage SELECT * FROM events");
    expect(await h.rows("SELECT count(*) FROM events_stage")).toEqual([[2]]);
  });

  it("translates Redshift functions", async () => {
    const [row] = await h.rows(`SELECT
      DATEADD(minute, 5, '2026-11-26 05:00:00'::timestamp),
      DATEADD(h, -1, '2026-11-26 05:00:00'::timestamp),
      DATEDIFF(minute, '2026-11-26 05:00:00'::timestamp, '2026-11-26 06:30:00'::timestamp),
      DATE_TRUNC('hour', '2026-11-26 05:42:10'::timestamp),
      NVL(NULL, 'x'), NVL2(1, 'set', 'unset'),
      JSON_EXTRACT_PATH_TEXT('{"a":{"b":"deep"}}', 'a', 'b'),
      CONVERT_TIMEZONE('UTC', 'America/New_York', '2026-11-26 12:00:00'::timestamp),
      7 / 2, 7.0 / 2,
      DATEPART(hour, '2026-11-26 05:42:10'::timestamp)`);
    expect(row).toEqual(["2026-11-26 05:05:00", "2026-11-26 04:00:00", 90, "2026-11-26 05:00:00", "x", "set", "deep", "2026-11-26 07:00:00", 3, 3.5, 5]);
    const [now] = await h.rows("SELECT DATEDIFF(second, GETDATE(), SYSDATE) < 5, GETDATE() <= SYSDATE");
    expect(now).toEqual([true, true]);
  });

  it("translates LISTAGG … WITHIN GROUP and APPROXIMATE COUNT(DISTINCT …)", async () => {
    await h.sql("CREATE TABLE kw (campaign VARCHAR, keyword VARCHAR, n INT)");
    await h.sql("INSERT INTO kw VALUES ('c1', 'b', 2), ('c1', 'a', 1), ('c1', 'a', 3), ('c2', 'z', 1)");
    expect(
      await h.rows("SELECT campaign, LISTAGG(keyword, ',') WITHIN GROUP (ORDER BY n), APPROXIMATE COUNT(DISTINCT keyword) FROM kw GROUP BY campaign ORDER BY campaign"),
    ).toEqual([["c1", "a,b,a", 2], ["c2", "z", 1]]);
  });

  it("accepts VACUUM, ANALYZE, LOCK and late-binding views", async () => {
    await h.sql("VACUUM DELETE ONLY kw TO 100 PERCENT");
    await h.sql("ANALYZE kw PREDICATE COLUMNS");
    await h.sql("LOCK kw");
    await h.sql("CREATE OR REPLACE VIEW kw_view AS SELECT campaign FROM kw WITH NO SCHEMA BINDING");
    expect(await h.rows("SELECT count(*) FROM kw_view")).toEqual([[4]]);
  });

  it("rejects what it cannot translate as a failed statement", async () => {
    await expect(h.sql("SELECT DATEADD(fortnight, 1, GETDATE())")).rejects.toThrow(/FAILED: .*not a recognized date part/);
  });
});

describe("CREATE TABLE AS", () => {
  it("keeps the query of a CTAS and drops its distribution clauses", () => {
    expect(sqlOf("CREATE TABLE s.t DISTKEY(k) SORTKEY(id) AS SELECT range AS id, range % 3 AS k FROM range(5)")).toEqual([
      "CREATE TABLE s.t AS SELECT range AS id, range % 3 AS k FROM range (5)",
    ]);
  });
});
