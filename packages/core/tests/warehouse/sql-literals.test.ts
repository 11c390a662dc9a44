import parser from "node-sql-parser";
import { describe, expect, it } from "vitest";
import { buildLoadStatements, buildLoadedObjectsQuery, sqlCount, sqlString, sqlTimestamp, sqlWindowStart, UnsafeSqlValueError } from "@freshet/core";
import { checkRedshiftSql } from "./redshift-sql.ts";
import { loadRequestFixture } from "./support/load-request.ts";

const HOSTILE_KEYS = [
  "processed/dt=2026-11-26/hr=05/it's.ndjson.gz",
  "processed/x'); DROP TABLE events; --.ndjson.gz",
  "processed/'' OR ''1''=''1",
  "processed/'",
  "processed/ünïcödé — 日本語 $$ $1 %s ; /* */ --",
];

interface ValuesAst {
  values: { values: { value: { type: string; value: unknown }[] }[] };
}

describe("sqlString", () => {
  it("doubles quotes so the literal reads back as the value", () => {
    const { Parser } = parser;
    for (const key of HOSTILE_KEYS) {
      const ast = new Parser().astify(`SELECT ${sqlString(key)} AS k`, { database: "Redshift" }) as unknown as { columns: { expr: { value: string } }[] };
      expect(ast.columns).toHaveLength(1);
      expect(ast.columns[0]!.expr.value.replaceAll("''", "'")).toBe(key);
    }
  });

  it("refuses backslashes and control characters, whose meaning differs between Redshift and DuckDB", () => {
    for (const bad of ["a\\b", "a\\'", "line\nbreak", "nul\u0000", "tab\t", "del\u007f"]) {
      expect(() => sqlString(bad)).toThrow(UnsafeSqlValueError);
    }
  });

  it("splices hostile keys into a load whose object rows still have exactly five values each", () => {
    const objects = HOSTILE_KEYS.map((key, i) => ({ key, sizeBytes: 10 + i }));
    const statements = buildLoadStatements(loadRequestFixture({ objects }));
    for (const s of statements) expect(() => checkRedshiftSql(s)).not.toThrow();
    const insert = statements.find((s) => s.startsWith("INSERT INTO load_objects"))!;
    const ast = new parser.Parser().astify(insert, { database: "Redshift" }) as unknown as ValuesAst;
    const rows = ast.values.values;
    expect(rows).toHaveLength(HOSTILE_KEYS.length);
    rows.forEach((row, i) => {
      expect(row.value).toHaveLength(5);
      expect(String(row.value[0]!.value).replaceAll("''", "'")).toBe(HOSTILE_KEYS[i]);
      expect(row.value[1]!.value).toBe(10 + i);
    });
  });

  it("escapes keys in the already-loaded lookup", () => {
    const sql = buildLoadedObjectsQuery(HOSTILE_KEYS);
    expect(() => checkRedshiftSql(sql)).not.toThrow();
    expect(sql).not.toContain("x'); DROP");
    expect(sql).toContain("x''); DROP TABLE events");
  });
});

describe("other literals", () => {
  it("writes instants as UTC TIMESTAMP literals", () => {
    expect(sqlTimestamp("2026-11-26T07:30:00+02:00", "t")).toBe("CAST('2026-11-26 05:30:00.000' AS TIMESTAMP)");
    expect(sqlTimestamp(new Date(Date.UTC(2026, 10, 26, 5, 0, 0, 123)), "t")).toBe("CAST('2026-11-26 05:00:00.123' AS TIMESTAMP)");
    expect(sqlWindowStart("2026-11-26T05")).toBe("CAST('2026-11-26 05:00:00.000' AS TIMESTAMP)");
  });

  it("refuses what is not an instant, a window or a count", () => {
    expect(() => sqlTimestamp("2026-11-26T05:00:00", "t")).toThrow(UnsafeSqlValueError); // no offset: ambiguous
    expect(() => sqlTimestamp("yesterday'; --", "t")).toThrow(UnsafeSqlValueError);
    expect(() => sqlWindowStart("2026-11-26T05'; --")).toThrow(UnsafeSqlValueError);
    expect(() => sqlCount(-1, "n")).toThrow(UnsafeSqlValueError);
    expect(() => sqlCount(1.5, "n")).toThrow(UnsafeSqlValueError);
    expect(() => sqlCount(Number.NaN, "n")).toThrow(UnsafeSqlValueError);
    expect(sqlCount(null, "n", true)).toBe("NULL");
  });
});
