import { describe, expect, it } from "vitest";
import { anomalySettings, buildSeriesSql, featuresCsv, METRICS, prepareSeries, seriesWindowMinutes, type SeriesRow } from "../../src/index.ts";

const settings = anomalySettings({ shingleSize: 3, baselineMinutes: 5, scoreMinutes: 4 });
const from = 29_000_000;

describe("prepareSeries", () => {
  it("fills missing minutes, scores the newest minutes with a full shingle and baseline, scaled by the expected level", () => {
    const span = seriesWindowMinutes(settings); // 4 + 2 + 5 = 11
    const rows: SeriesRow[] = [];
    for (let m = 0; m < span; m++) if (m !== 8) rows.push({ metric: "conversions", dimension: "spring", minute: from + m, value: m === 10 ? 40 : 10 });
    const [series, ...rest] = prepareSeries(rows, { fromMinute: from, untilMinute: from + span }, settings);
    expect(rest).toEqual([]);
    expect(series!.points.map((p) => p.value)).toEqual([10, 0, 10, 40]);
    expect(series!.points.every((p) => p.expected === 10)).toBe(true);
    expect(series!.features.at(-1)).toEqual([0, 1, 4]);
    expect(featuresCsv([series!]).split("\n")).toHaveLength(4);
  });

  it("carries a ratio's previous value over minutes without a denominator", () => {
    const rows: SeriesRow[] = [
      { metric: "conversion_rate", dimension: "c", minute: from, value: 0.2 },
      { metric: "conversion_rate", dimension: "c", minute: from + 1, value: null },
    ];
    const [series] = prepareSeries(rows, { fromMinute: from, untilMinute: from + 11 }, settings);
    expect(series!.points.map((p) => p.value)).toEqual([0.2, 0.2, 0.2, 0.2]);
  });

  it("refuses a row of an unknown metric", () => {
    expect(() => prepareSeries([{ metric: "nope", dimension: "x", minute: from, value: 1 }], { fromMinute: from, untilMinute: from + 11 }, settings)).toThrow(/unknown metric/);
  });
});

describe("METRICS", () => {
  it("are data with safe ids, one SELECT each in the series query", () => {
    expect(METRICS.map((m) => m.id)).toEqual(["events", "conversions", "conversion_rate", "revenue"]);
    for (const m of METRICS) expect(m.id).toMatch(/^[a-z_]+$/);
    expect(buildSeriesSql().match(/UNION ALL/g)).toHaveLength(METRICS.length - 1);
  });
});

describe("migration 8", () => {
  it("creates anomalies, the scoring role, and grants it exactly events SELECT and anomalies INSERT; the reader reads anomalies", async () => {
    const { MIGRATIONS, DB_ROLES } = await import("../../src/index.ts");
    const m = MIGRATIONS.find((x) => x.version === 8)!;
    expect(m.name).toBe("anomalies");
    expect(m.statements.filter((s) => s.startsWith("GRANT"))).toEqual([
      `GRANT SELECT ON TABLE events TO ROLE ${DB_ROLES.anomaly}`,
      `GRANT INSERT ON TABLE anomalies TO ROLE ${DB_ROLES.anomaly}`,
      `GRANT SELECT ON TABLE anomalies TO ROLE ${DB_ROLES.reader}`,
    ]);
  });
});
