import {
  buildLoadStatements,
  buildRollupRebuildStatements,
  InvalidLoadRequestError,
  maintainRollups,
  MAX_BATCH_STATEMENTS,
  MAX_STATEMENT_CHARS,
  MIGRATIONS,
  recountAttributionDays,
  REFRESH_ATTRIBUTION_DAILY,
  UnsafeSqlValueError,
} from "@freshet/core";
import { describe, expect, it } from "vitest";
import { loadRequestFixture } from "./support/load-request.ts";

describe("buildRollupRebuildStatements", () => {
  it("widens a range to whole UTC days and deletes exactly that range from every rollup", () => {
    const statements = buildRollupRebuildStatements({ from: "2026-11-26T05:30:00+02:00", to: new Date("2026-11-27T00:00:01Z") });
    const deletes = statements.filter((s) => /^DELETE FROM \w+ WHERE \w+ >= CAST/.test(s));
    expect(deletes.map((s) => s.split(" ")[2])).toEqual(["campaign_rollup", "user_activity_hourly", "engagement_periods", "feature_usage_daily", "feature_daily", "feature_first_use", "attribution_credits"]);
    for (const d of deletes) {
      expect(d).toMatch(/>= CAST\('2026-11-26 00:00:00\.000' AS TIMESTAMP\) AND \w+ < CAST\('2026-11-28 00:00:00\.000' AS TIMESTAMP\)$/);
    }
    expect(statements.join("\n")).toContain("FROM (SELECT * FROM events WHERE occurred_at >= CAST('2026-11-26 00:00:00.000' AS TIMESTAMP) AND occurred_at < CAST('2026-11-28 00:00:00.000' AS TIMESTAMP)) AS d");
  });

  it("without bounds rebuilds everything (what migration 4 backfills with), then recomputes newest_events and attribution_daily (migrations 9 and 10's backfills)", () => {
    const statements = buildRollupRebuildStatements();
    expect(statements.slice(0, 7).every((s) => /^DELETE FROM \w+$/.test(s))).toBe(true);
    const [newest, daily] = [statements.slice(-4, -2), statements.slice(-2)];
    expect(newest[0]).toBe("DELETE FROM newest_events");
    expect(newest[1]).toMatch(/^INSERT INTO newest_events \(.*\)\nSELECT[\s\S]*\nFROM events$/);
    expect(daily).toEqual(REFRESH_ATTRIBUTION_DAILY);
    expect(daily[0]).toBe("DELETE FROM attribution_daily");
    expect(daily[1]).toMatch(/^INSERT INTO attribution_daily \(.*\)\nSELECT[\s\S]*\nFROM attribution_credits\nGROUP BY/);
    expect(MIGRATIONS.find((m) => m.version === 4)!.statements).toEqual(expect.arrayContaining(statements.slice(0, -4)));
    expect(MIGRATIONS.find((m) => m.version === 9)!.statements).toEqual(expect.arrayContaining(newest));
    expect(MIGRATIONS.find((m) => m.version === 10)!.statements).toEqual(expect.arrayContaining(daily));
  });

  it("recomputes newest_events and attribution_daily whole even for a range: re-credited purchases fall on any day", () => {
    expect(buildRollupRebuildStatements({ from: "2026-11-26T00:00:00Z", to: "2026-11-27T00:00:00Z" }).slice(-4)).toEqual(buildRollupRebuildStatements().slice(-4));
  });

  it("refuses an empty range and a zone-less instant", () => {
    expect(() => buildRollupRebuildStatements({ from: "2026-11-27T00:00:00Z", to: "2026-11-27T00:00:00Z" })).toThrow(InvalidLoadRequestError);
    expect(() => buildRollupRebuildStatements({ from: "2026-11-27T00:00:00" })).toThrow(UnsafeSqlValueError);
  });

  it("fits one BatchExecuteStatement, as does migration 4 with its record", () => {
    const statements = buildRollupRebuildStatements({ from: "2026-11-01T00:00:00Z" });
    expect(statements.length).toBeLessThan(MAX_BATCH_STATEMENTS);
    expect(Math.max(...statements.map((s) => s.length))).toBeLessThan(MAX_STATEMENT_CHARS);
    expect(MIGRATIONS.find((m) => m.version === 4)!.statements.length + 1).toBeLessThanOrEqual(MAX_BATCH_STATEMENTS);
  });
});

describe("rollup maintenance in the load", () => {
  it("follows the insert into events, reads only load_new, and leaves the summary last", () => {
    const statements = buildLoadStatements(loadRequestFixture());
    const maintenance = maintainRollups("load_new", "since-earliest-change");
    const at = statements.indexOf(maintenance[0]!);
    expect(statements[at - 1]).toMatch(/^INSERT INTO events /);
    expect(statements.slice(at, at + maintenance.length)).toEqual(maintenance);
    expect(statements.at(-1)).toMatch(/^SELECT load_id, manifest_url, status, .* FROM load_summary$/);
    expect(statements.length).toBeLessThanOrEqual(MAX_BATCH_STATEMENTS);
  });

  it("recounts attribution_daily from the first day load_new's credited events can change, right after the credits", () => {
    const statements = buildLoadStatements(loadRequestFixture());
    const maintenance = maintainRollups("load_new", "since-earliest-change");
    const at = statements.indexOf(maintenance.at(-1)!) + 1;
    expect(maintenance.at(-1)).toMatch(/^INSERT INTO attribution_credits /);
    expect(statements.slice(at, at + 2)).toEqual(recountAttributionDays("load_new"));
    const bound = "day >= (SELECT MIN(DATE_TRUNC('day', d.occurred_at)) FROM load_new AS d WHERE d.campaign_id IS NOT NULL OR (d.event_type = 'purchase' AND d.revenue IS NOT NULL))";
    expect(statements[at]).toBe(`DELETE FROM attribution_daily WHERE ${bound}`);
    expect(statements[at + 1]).toContain(`FROM attribution_credits\nWHERE ${bound}\nGROUP BY`);
  });

  it("raises newest_events from load_new right after the rollups and their attribution recount", () => {
    const statements = buildLoadStatements(loadRequestFixture());
    const raise = statements[statements.indexOf(recountAttributionDays("load_new").at(-1)!) + 1]!;
    expect(raise).toMatch(/^UPDATE newest_events\nSET /);
    expect(raise).toContain("FROM load_new");
    expect(raise).not.toMatch(/FROM events\b/);
  });

  it("is left out of a receipts-only load, which inserts no events", () => {
    const statements = buildLoadStatements(loadRequestFixture({ objects: [] }));
    expect(statements.some((s) => s.includes("campaign_rollup"))).toBe(false);
    expect(statements.some((s) => s.includes("newest_events"))).toBe(false);
    expect(statements.some((s) => s.includes("attribution_daily"))).toBe(false);
  });
});
