import { describe, expect, it } from "vitest";
import type { SeriesState } from "@freshet/core";
import { decide, parseScores, type StateStore } from "../src/anomaly/decide.ts";
import { prepare } from "../src/anomaly/prepare.ts";
import { AnomalyStepInputError } from "../src/errors.ts";

/** A state store in memory with the lake's conditional write: `version` counts the writes. */
function memoryStore(initial: Record<string, SeriesState> = {}): StateStore & { states: Record<string, SeriesState>; writes: number } {
  const store = {
    states: initial,
    writes: 0,
    read: async () => ({ states: structuredClone(store.states), version: store.writes === 0 && Object.keys(initial).length === 0 ? undefined : String(store.writes) }),
    write: async (s: Record<string, SeriesState>, version: string | undefined) => {
      const current = store.writes === 0 && Object.keys(initial).length === 0 ? undefined : String(store.writes);
      if (version !== current) return false;
      store.states = s;
      store.writes++;
      return true;
    },
  };
  return store;
}

const series = [{ metric: "conversions", dimension: "spring", points: [{ at: "2026-03-01T10:00:00.000Z", value: 10, expected: 10 }] }];

describe("AnomalyDecider", () => {
  it("reads SageMaker RCF's JSON response, as text or parsed", () => {
    expect(parseScores('{"scores":[{"score":1.5},{"score":0.25}]}')).toEqual([1.5, 0.25]);
    expect(parseScores({ scores: [{ score: 2 }] })).toEqual([2]);
    expect(() => parseScores("<html>")).toThrow(AnomalyStepInputError);
    expect(() => parseScores({ scores: [{ score: "x" }] })).toThrow(/score 0/);
  });

  it("refuses scores that do not match the points, and writes no state", async () => {
    const store = memoryStore();
    await expect(decide({ step: "decide", series, body: '{"scores":[]}', detectedAt: "2026-03-01T10:05:00Z" }, store)).rejects.toThrow(/0 scores for 1 points/);
    expect(store.writes).toBe(0);
  });

  it("keeps each series' state in the store and alerts nothing on a first quiet point", async () => {
    const store = memoryStore();
    const out = await decide({ step: "decide", series, body: '{"scores":[{"score":1}]}', detectedAt: "2026-03-01T10:05:00Z" }, store);
    expect(out).toEqual({ alerts: [], insertSql: null, decided: 1 });
    expect(store.states["conversions|spring"]).toMatchObject({ version: 1, scores: [1], lastAt: "2026-03-01T10:00:00.000Z" });
  });

  it("prepares the packed series' Data API records (PascalCase fields) into points and one CSV line per point", () => {
    const packed = Array.from({ length: 40 }, (_, m) => `${m}:10.000000`).join(",");
    const records = [
      [{ StringValue: "conversions" }, { StringValue: "spring" }, { StringValue: packed }],
      [{ StringValue: "events" }, { StringValue: "page_view" }, { StringValue: packed }],
    ];
    const out = prepare({ step: "prepare", records, fromMinute: 29_000_000, untilMinute: 29_000_040, settings: { scoreMinutes: 5, baselineMinutes: 10 } });
    expect(out.points).toBe(10);
    expect(out.csv.split("\n")).toEqual(Array(10).fill("1,1,1,1"));
    expect(out.series.map((s) => `${s.metric}|${s.dimension}`)).toEqual(["conversions|spring", "events|page_view"]);
    // Without any event of the stage in the window (no `events` row), nothing is scored: the stage was down.
    expect(prepare({ step: "prepare", records: records.slice(0, 1), fromMinute: 29_000_000, untilMinute: 29_000_040, settings: { scoreMinutes: 5, baselineMinutes: 10 } }).points).toBe(0);
    expect(() => prepare({ step: "prepare", records: [[{ IsNull: true }]], fromMinute: 0, untilMinute: 40 })).toThrow(AnomalyStepInputError);
    const bad = [[{ StringValue: "conversions" }, { StringValue: "spring" }, { StringValue: "1:2,x" }]];
    expect(() => prepare({ step: "prepare", records: bad, fromMinute: 0, untilMinute: 40 })).toThrow(/not a packed series point/);
  });
});
