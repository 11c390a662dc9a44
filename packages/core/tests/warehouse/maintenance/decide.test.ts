import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAINTENANCE_THRESHOLDS as T,
  InvalidMaintenanceSettingsError,
  InvalidTableHealthError,
  MAINTAINED_TABLES,
  UnsafeSqlValueError,
  buildHealthQuery,
  decideMaintenance,
  maintenanceSettings,
  twoDecimals,
} from "@freshet/core";
import { health } from "./factories.ts";

const one = (h = health(), thresholds = T) => decideMaintenance([h], thresholds, [h.table])[0]!;

describe("decideMaintenance", () => {
  it("leaves a healthy table alone, with its numbers as the reason", () => {
    const d = one(health({ unsortedPct: 5, statsOffPct: 10, visibleRows: 950_000 }));
    expect(d).toEqual({
      table: "events",
      decision: "none",
      operations: [],
      reason: { rows: 1_000_000, sizeMb: 120, unsortedPct: 5, statsOffPct: 10, deletedPct: 5, large: false, exceeded: [], skipped: null },
    });
  });

  it("skips empty tables: absent from SVV_TABLE_INFO, or without rows", () => {
    const [absent, zero] = decideMaintenance([health({ table: "loads", rows: 0, visibleRows: 0, unsortedPct: 90, statsOffPct: 100 })], T, ["events", "loads"]);
    expect(absent).toMatchObject({ table: "events", decision: "none", operations: [], reason: { skipped: "empty", rows: 0 } });
    expect(zero).toMatchObject({ table: "loads", decision: "none", operations: [], reason: { skipped: "empty" } });
  });

  it("analyzes predicate columns when stats_off is over its threshold", () => {
    const d = one(health({ statsOffPct: 10.01 }));
    expect(d.decision).toBe("analyze");
    expect(d.operations).toEqual([{ kind: "analyze", sql: "ANALYZE events PREDICATE COLUMNS" }]);
    expect(d.reason.exceeded).toEqual(["stats_off"]);
  });

  it("sorts an unsorted table with few deleted rows, fully when it is small", () => {
    const d = one(health({ unsortedPct: 42.5 }));
    expect(d.decision).toBe("vacuum-sort");
    expect(d.operations).toEqual([{ kind: "vacuum-sort", sql: "VACUUM SORT ONLY events TO 100 PERCENT" }]);
    expect(d.reason).toMatchObject({ unsortedPct: 42.5, exceeded: ["unsorted"], large: false });
  });

  it("deletes when deleted rows dominate and the table is sorted", () => {
    const d = one(health({ visibleRows: 800_000 }));
    expect(d.decision).toBe("vacuum-delete");
    expect(d.operations.map((o) => o.sql)).toEqual(["VACUUM DELETE ONLY events TO 100 PERCENT"]);
    expect(d.reason).toMatchObject({ deletedPct: 20, exceeded: ["deleted"] });
  });

  it("runs VACUUM FULL for both, then ANALYZE when statistics are off too", () => {
    const d = one(health({ unsortedPct: 30, visibleRows: 700_000, statsOffPct: 55 }));
    expect(d.decision).toBe("vacuum-full");
    expect(d.operations.map((o) => o.sql)).toEqual(["VACUUM FULL events TO 100 PERCENT", "ANALYZE events PREDICATE COLUMNS"]);
    expect(d.reason.exceeded).toEqual(["unsorted", "stats_off", "deleted"]);
  });

  it("vacuums large tables only to the threshold (TO n PERCENT)", () => {
    const large = { sizeMb: T.largeTableMb };
    expect(one(health({ ...large, unsortedPct: 20 })).operations[0]!.sql).toBe("VACUUM SORT ONLY events TO 95 PERCENT");
    expect(one(health({ ...large, visibleRows: 900_000 })).operations[0]!.sql).toBe("VACUUM DELETE ONLY events TO 95 PERCENT");
    expect(one(health({ ...large, unsortedPct: 20, visibleRows: 900_000 })).operations[0]!.sql).toBe("VACUUM FULL events TO 95 PERCENT");
    expect(one(health({ ...large, unsortedPct: 20 }), { ...T, minUnsortedPct: 7.5 }).operations[0]!.sql).toBe("VACUUM SORT ONLY events TO 92 PERCENT");
  });

  it("advises a deep copy instead of sorting a large table at or over maxUnsortedPct, still deleting and analyzing", () => {
    const d = one(health({ sizeMb: T.largeTableMb + 1, unsortedPct: 50, statsOffPct: 20, visibleRows: 900_000 }));
    expect(d.decision).toBe("vacuum-delete");
    expect(d.operations.map((o) => o.kind)).toEqual(["vacuum-delete", "analyze"]);
    expect(d.reason).toMatchObject({ skipped: "deep-copy-advised", large: true, exceeded: ["unsorted", "stats_off", "deleted"] });
    // A small table that unsorted is simply sorted.
    expect(one(health({ unsortedPct: 99 })).decision).toBe("vacuum-sort");
  });

  it("ignores unsorted for a table without a sort key (null)", () => {
    expect(one(health({ unsortedPct: null, statsOffPct: 50 })).decision).toBe("analyze");
  });

  it("takes its thresholds from configuration: a changed threshold changes the decision", () => {
    const h = health({ unsortedPct: 8, statsOffPct: 8 });
    expect(one(h).decision).toBe("vacuum-sort");
    expect(one(h, maintenanceSettings({ thresholds: { minUnsortedPct: 10 } }).thresholds).decision).toBe("none");
    expect(one(h, maintenanceSettings({ thresholds: { minUnsortedPct: 10, statsOffPct: 5 } }).thresholds).decision).toBe("analyze");
  });

  it("orders smallest first, then by name, over Freshet's own tables by default", () => {
    const decisions = decideMaintenance([health({ table: "events", sizeMb: 500 }), health({ table: "loads", sizeMb: 3 })], T);
    expect(decisions.map((d) => d.table)).toEqual([...MAINTAINED_TABLES].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)));
    function rank(t: string) {
      return t === "events" ? 500 : t === "loads" ? 3 : 0;
    }
  });

  it("reports numbers at two decimals, half up", () => {
    expect(one(health({ rows: 3, visibleRows: 2 })).reason.deletedPct).toBe(33.33);
    expect(twoDecimals(2.675)).toBe(2.68);
    expect(twoDecimals(0.125)).toBe(0.13);
  });

  it("refuses health that is not a table's (a typed error, nothing decided)", () => {
    expect(() => decideMaintenance([health({ rows: -1 })], T)).toThrow(InvalidTableHealthError);
    expect(() => decideMaintenance([health({ unsortedPct: 101 })], T)).toThrow(InvalidTableHealthError);
    expect(() => decideMaintenance([health({ table: "" })], T)).toThrow(InvalidTableHealthError);
    expect(() => decideMaintenance([health({ table: "x; DROP TABLE events" })], T, ["x; DROP TABLE events"])).toThrow(UnsafeSqlValueError);
  });
});

describe("maintenanceSettings", () => {
  it("defaults to the awslabs utility's thresholds and a two-hour budget", () => {
    expect(maintenanceSettings()).toEqual({ thresholds: { statsOffPct: 10, minUnsortedPct: 5, maxUnsortedPct: 50, deletedPct: 5, largeTableMb: 716_800 }, budgetMinutes: 120 });
  });

  it.each([
    [{ thresholds: { statsOffPct: 100 } }],
    [{ thresholds: { minUnsortedPct: -1 } }],
    [{ thresholds: { minUnsortedPct: 50, maxUnsortedPct: 50 } }],
    [{ thresholds: { largeTableMb: 0.5 } }],
    [{ budgetMinutes: 0 }],
    [{ budgetMinutes: 1441 }],
  ])("refuses %j", (overrides) => {
    expect(() => maintenanceSettings(overrides)).toThrow(InvalidMaintenanceSettingsError);
  });
});

describe("buildHealthQuery", () => {
  it("reads SVV_TABLE_INFO for Freshet's tables, typed as numbers", () => {
    const sql = buildHealthQuery(["events", "loads"]);
    expect(sql).toContain(`WHERE "schema" = 'public' AND "table" IN ('events', 'loads')`);
    expect(sql).toContain("CAST(unsorted AS FLOAT8)");
    expect(() => buildHealthQuery([])).toThrow(UnsafeSqlValueError);
    expect(() => buildHealthQuery(["events'--"])).toThrow(UnsafeSqlValueError);
  });
});
