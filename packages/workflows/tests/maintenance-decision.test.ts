import { DEFAULT_MAINTENANCE_THRESHOLDS, MAINTAINED_TABLES, decideMaintenance, type MaintenanceThresholds, type TableHealth } from "@freshet/core";
import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { decisionExpression, healthRows } from "../src/maintenance-decision.ts";

/** The workflow's JSONata decision against core's decideMaintenance, on the same health and thresholds. */
const compiled = jsonata(decisionExpression());
const inJsonata = async (health: readonly TableHealth[], thresholds: MaintenanceThresholds) =>
  JSON.parse(JSON.stringify(await compiled.evaluate({}, { health, thresholds }))) as unknown;
const inCore = (health: readonly TableHealth[], thresholds: MaintenanceThresholds) => JSON.parse(JSON.stringify(decideMaintenance(health, thresholds))) as unknown;

/** A deterministic generator (no Math.random): the same cases every run. */
function* cases(count: number): Generator<{ health: TableHealth[]; thresholds: MaintenanceThresholds }> {
  let seed = 7;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  for (let i = 0; i < count; i++) {
    const thresholds = { ...DEFAULT_MAINTENANCE_THRESHOLDS, minUnsortedPct: pick([5, 7.5, 10]), statsOffPct: pick([5, 10, 12.25]), largeTableMb: pick([50, 716_800]) };
    const health = MAINTAINED_TABLES.filter(() => next() < 0.8).map((table): TableHealth => {
      const rows = pick([0, 1, 3, 1000, 123_457]);
      return {
        table,
        sizeMb: pick([0, 5, 50, 51, 900_000]),
        unsortedPct: pick([null, 0, 5, 5.005, 7.5, 49.99, 50, 80, 100]),
        statsOffPct: pick([0, 5, 10, 10.004, 12.25, 100]),
        rows,
        visibleRows: Math.max(0, rows - pick([0, 1, 2, Math.floor(rows * 0.05), Math.floor(rows * 0.3)])),
      };
    });
    yield { health, thresholds };
  }
}

describe("the Maintenance workflow's JSONata decision", () => {
  it("agrees with core's decideMaintenance on every generated case", async () => {
    let decided = 0;
    for (const { health, thresholds } of cases(150)) {
      const expected = inCore(health, thresholds);
      expect(await inJsonata(health, thresholds), JSON.stringify({ health, thresholds })).toEqual(expected);
      decided += (expected as { operations: unknown[] }[]).filter((d) => d.operations.length > 0).length;
    }
    expect(decided).toBeGreaterThan(50); // the cases do reach the operations, not only "none"
  });

  it("agrees on the edge of every threshold, for one table", async () => {
    const t = DEFAULT_MAINTENANCE_THRESHOLDS;
    const one = (h: Partial<TableHealth>): TableHealth[] => [{ table: "events", sizeMb: 10, unsortedPct: 0, statsOffPct: 0, rows: 100, visibleRows: 100, ...h }];
    for (const health of [one({}), one({ unsortedPct: 5 }), one({ unsortedPct: 5.01 }), one({ statsOffPct: 10.01 }), one({ visibleRows: 95 }), one({ visibleRows: 94 }), one({ sizeMb: t.largeTableMb, unsortedPct: 50 }), one({ rows: 0, visibleRows: 0 }), []]) {
      expect(await inJsonata(health, t)).toEqual(inCore(health, t));
    }
  });

  it("reads GetStatementResult records into health, typed cells and nulls", async () => {
    const records = [
      [{ StringValue: "events" }, { LongValue: 12 }, { DoubleValue: 42.5 }, { DoubleValue: 3 }, { LongValue: 1000 }, { LongValue: 990 }],
      [{ StringValue: "loads" }, { LongValue: 1 }, { IsNull: true }, { DoubleValue: 0 }, { LongValue: 5 }, { LongValue: 5 }],
    ];
    expect(await jsonata(healthRows("$records")).evaluate({}, { records })).toEqual([
      { table: "events", sizeMb: 12, unsortedPct: 42.5, statsOffPct: 3, rows: 1000, visibleRows: 990 },
      { table: "loads", sizeMb: 1, unsortedPct: null, statsOffPct: 0, rows: 5, visibleRows: 5 },
    ]);
    expect(JSON.parse(JSON.stringify(await jsonata(healthRows("$records")).evaluate({}, { records: records.slice(0, 1) })))).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(await jsonata(healthRows("$records")).evaluate({}, { records: [] })))).toEqual([]);
  });
});
