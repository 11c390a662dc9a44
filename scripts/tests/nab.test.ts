import { describe, expect, it } from "vitest";
import { anomalyWindows, nabScore, normalizedScore, probationaryLength, scaledSigmoid, STANDARD_PROFILE, windowMetrics } from "../evaluation/nab.ts";

/** 100 rows, one label at row 50: window int(10 % · 100 / 1) = 10 rows → [45, 55] (11 rows), probation 15 rows. */
const ROWS = 100;
const LABEL = [50];
function detect(rows: number, at: readonly number[]): Uint8Array {
  const flags = new Uint8Array(rows);
  for (const i of at) flags[i] = 1;
  return flags;
}

describe("NAB's windows and probation", () => {
  it("gives each label int(10 % · rows / labels) rows centred on it, clipped to the file", () => {
    expect(anomalyWindows(ROWS, LABEL)).toEqual([{ start: 45, end: 55 }]);
    expect(anomalyWindows(1000, [700, 300])).toEqual([{ start: 275, end: 325 }, { start: 675, end: 725 }]);
    expect(anomalyWindows(1000, [995])).toEqual([{ start: 945, end: 999 }]);
  });

  it("drops a first window that starts in probation and merges overlapping windows", () => {
    expect(anomalyWindows(1000, [100, 700])).toEqual([{ start: 675, end: 725 }]);
    expect(anomalyWindows(1000, [500, 520])).toEqual([{ start: 475, end: 545 }]);
  });

  it("has a probation of 15 % of the rows, at most 750", () => {
    expect(probationaryLength(100)).toBe(15);
    expect(probationaryLength(1001)).toBe(150);
    expect(probationaryLength(20_160)).toBe(750);
  });

  it("scales the sigmoid to ±0.98661 at one window width either side of the right edge, and −1 past 3", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866142981514305, 12);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.9866142981514305, 12);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });
});

describe("NAB's standard-profile score", () => {
  it("rewards a detection at the window's left edge with the full A_TP = 1", () => {
    const result = nabScore(detect(ROWS, [45]), LABEL);
    expect(result.score).toBeCloseTo(1, 12);
    expect(normalizedScore([result])).toBeCloseTo(100, 9);
  });

  it("rewards a late detection less: at the right edge, scaledSigmoid(−1/11) / scaledSigmoid(−1)", () => {
    expect(nabScore(detect(ROWS, [55]), LABEL).score).toBeCloseTo(0.2264702865476093, 12);
  });

  it("counts only the earliest detection in a window", () => {
    expect(nabScore(detect(ROWS, [50, 51, 55]), LABEL).score).toBeCloseTo(0.8891354877348165, 12);
  });

  it("charges A_FN = −1 for a missed window, which is the null detector's score (normalised 0)", () => {
    const result = nabScore(detect(ROWS, []), LABEL);
    expect(result).toMatchObject({ score: -1, nullScore: -1, perfectScore: 1, missedWindows: 1 });
    expect(normalizedScore([result])).toBe(0);
  });

  it("charges false positives A_FP = −0.11, scaled by distance past the previous window, and ignores probation", () => {
    // Row 10: probation. Row 20: before any window, −0.11. Row 65: one width (10) past the right edge.
    const result = nabScore(detect(ROWS, [10, 20, 50, 65]), LABEL);
    expect(result.falsePositives).toBe(2);
    expect(result.score).toBeCloseTo(0.8891354877348165 - 0.11 - 0.10852757279665734, 12);
    expect(normalizedScore([result])).toBeCloseTo((100 * (result.score + 1)) / 2, 9);
  });

  it("normalises a corpus on summed scores, and a weighting that differs changes it", () => {
    const a = nabScore(detect(ROWS, [45]), LABEL);
    const b = nabScore(detect(ROWS, []), LABEL);
    expect(normalizedScore([a, b])).toBeCloseTo(50, 9);
    expect(nabScore(detect(ROWS, [20]), LABEL, { ...STANDARD_PROFILE, fpWeight: 0.22 }).score).toBeCloseTo(-1.22, 12);
  });
});

describe("window-based precision and recall", () => {
  it("counts detected windows, missed windows and detections outside windows", () => {
    const hit = nabScore(detect(ROWS, [50, 51, 70, 80]), LABEL);
    const miss = nabScore(detect(1000, [900]), [700, 300]);
    const metrics = windowMetrics([hit, miss]);
    expect(metrics).toMatchObject({ truePositives: 1, falsePositives: 3, falseNegatives: 2 });
    expect(metrics.precision).toBeCloseTo(1 / 4, 12);
    expect(metrics.recall).toBeCloseTo(1 / 3, 12);
    expect(metrics.f1).toBeCloseTo((2 * (1 / 4) * (1 / 3)) / (1 / 4 + 1 / 3), 12);
  });
});
