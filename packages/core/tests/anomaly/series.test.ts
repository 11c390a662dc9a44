import { describe, expect, it } from "vitest";
import { anomalySettings, buildPackedSeriesSql, buildSeriesSql, featuresCsv, METRICS, prepareSeries, seriesWindowMinutes, incompleteMinutes, unpackSeries, type SeriesRow } from "../../src/index.ts";

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

describe("unpackSeries", () => {
  it("reads offset:value pairs (empty for NULL) relative to the window's start, and refuses anything else", () => {
    expect(unpackSeries("conversions", "c", "0:10.000000,2:,5:0.250000", 100)).toEqual([
      { metric: "conversions", dimension: "c", minute: 100, value: 10 },
      { metric: "conversions", dimension: "c", minute: 102, value: null },
      { metric: "conversions", dimension: "c", minute: 105, value: 0.25 },
    ]);
    expect(unpackSeries("conversions", "c", "", 100)).toEqual([]);
    expect(() => unpackSeries("conversions", "c", "1:2;3", 100)).toThrow(/not a packed series point/);
    expect(buildPackedSeriesSql()).toContain("LISTAGG(");
  });
});

describe("minutes the stage's data is incomplete for", () => {
  const window = { fromMinute: from, untilMinute: from + seriesWindowMinutes(settings) }; // 11 minutes
  const steady = (metric: string, dimension: string, skip: (m: number) => boolean, value: (m: number) => number = () => 10): SeriesRow[] =>
    Array.from({ length: 11 }, (_, m) => m).filter((m) => !skip(m)).map((m) => ({ metric, dimension, minute: from + m, value: value(m) }));
  const incomplete = (rows: SeriesRow[]) => [...incompleteMinutes(rows, window, settings)].map((m) => m - from);

  it("are the minutes without any event of any type, or with under 80 % of the stage's usual events", () => {
    const rows = [...steady("events", "page_view", (m) => m < 3 || m === 7), ...steady("events", "signup", (m) => m !== 7 && m !== 1), ...steady("conversions", "c", () => false)];
    // Page views from minute 3 on (not at 7), signups only at 1 and 7: minutes 0 and 2 have nothing.
    expect(incomplete(rows)).toEqual([0, 2]);
    // A minute at 70 % of the usual total (a backlog, a minute loaded in part) is incomplete; at 90 % it is not.
    const partial = steady("events", "page_view", () => false, (m) => (m === 9 ? 7 : m === 10 ? 9 : 10));
    expect(incomplete(partial)).toEqual([9]);
  });

  it("are neither scored nor counted in a baseline: a stage that just started, or restarted after downtime, alerts nobody", () => {
    // Events only from minute 4 on: minutes 0–3 are before the stage's first event.
    const fresh = steady("events", "page_view", (m) => m < 4);
    const [young] = prepareSeries(fresh, window, settings, undefined, { incompleteMinutes: incompleteMinutes(fresh, window, settings) });
    // Point i needs its shingle (i−2…i) complete and ≥ 3 of its 5 baseline minutes (i−7…i−3) complete: i ≥ 9.
    expect(young!.points.map((p) => Date.parse(p.at) / 60_000 - from)).toEqual([9, 10]);
    expect(young!.points.every((p) => p.expected === 10)).toBe(true);
    // The same rows without the option: the zeros before the first event make a baseline of 0 (a "spike").
    const [naive] = prepareSeries(fresh, window, settings);
    expect(naive!.points[0]!.expected).toBe(0);

    const restart = steady("events", "page_view", (m) => m === 8);
    const [after] = prepareSeries(restart, window, settings, undefined, { incompleteMinutes: incompleteMinutes(restart, window, settings) });
    // Minute 8 (down) is in the shingles of points 8–10: only point 7 is scored.
    expect(after!.points.map((p) => Date.parse(p.at) / 60_000 - from)).toEqual([7]);
  });

  it("wait for the newest minute while it is loaded in part, and score it once complete", () => {
    const partly = steady("events", "page_view", () => false, (m) => (m === 10 ? 5 : 10));
    const points = (rows: SeriesRow[]) =>
      prepareSeries(rows, window, settings, undefined, { incompleteMinutes: incompleteMinutes(rows, window, settings) })[0]!.points.map((p) => Date.parse(p.at) / 60_000 - from);
    expect(points(partly)).toEqual([7, 8, 9]); // minute 10 at half its events: not scored (not a 50 % "drop")
    expect(points(steady("events", "page_view", () => false))).toEqual([7, 8, 9, 10]);
  });

  it("leave a campaign's real drop to zero scored, against the complete minutes' median", () => {
    const rows = [...steady("events", "page_view", () => false), ...steady("conversions", "c", (m) => m >= 9)];
    const [conversions] = prepareSeries(rows, window, settings, undefined, { incompleteMinutes: incompleteMinutes(rows, window, settings) }).filter((s) => s.metric === "conversions");
    expect(conversions!.points.map((p) => [p.value, p.expected])).toEqual([[10, 10], [10, 10], [0, 10], [0, 10]]);
  });
});
