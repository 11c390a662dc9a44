import { describe, expect, it } from "vitest";
import { caughtByKind, evaluate } from "../evaluate-anomalies.ts";
import { normalizedScore } from "../evaluation/nab.ts";

describe("npm run evaluate", () => {
  it("scores a generated series through freshet anomalies score and NAB, catching its drop to zero", async () => {
    // Two 5-day series (7,200 rows each): every incident kind, at NAB's scale.
    const evaluations = await evaluate({ seed: 99, series: 2, days: 5, incidentsPerSeries: 2 });
    expect(evaluations).toHaveLength(2);
    for (const { series, result } of evaluations) expect(result.windows).toHaveLength(series.incidents.length);
    expect(caughtByKind(evaluations).get("drop-to-zero")).toEqual({ caught: 1, total: 1 });
    const score = normalizedScore(evaluations.map((e) => e.result));
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThanOrEqual(100);
  });
});
