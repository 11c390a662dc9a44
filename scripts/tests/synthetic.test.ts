import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { anomalyWindows, probationaryLength } from "../evaluation/nab.ts";
import { INCIDENT_KINDS, syntheticSet, writeSyntheticSet } from "../evaluation/synthetic.ts";

describe("the synthetic labelled set", () => {
  const set = syntheticSet({ seed: 7, series: 4, days: 7 });

  it("is the same for the same seed and differs for another", () => {
    expect(syntheticSet({ seed: 7, series: 4, days: 7 })).toEqual(set);
    expect(syntheticSet({ seed: 8, series: 4, days: 7 })[0]!.values).not.toEqual(set[0]!.values);
  });

  it("has every incident kind, each after probation, in NAB windows that do not overlap", () => {
    expect(new Set(set.flatMap((s) => s.incidents.map((i) => i.kind)))).toEqual(new Set(INCIDENT_KINDS));
    for (const series of set) {
      const rows = series.values.length;
      expect(rows).toBe(7 * 1440);
      const at = series.incidents.map((i) => i.at);
      expect(Math.min(...at)).toBeGreaterThan(probationaryLength(rows));
      expect(anomalyWindows(rows, at)).toHaveLength(at.length);
    }
  });

  it("injects what it labels: a drop to zero is 15 minutes of 0, a spike is far above the minutes before", () => {
    for (const series of set) {
      for (const { kind, at } of series.incidents) {
        const before = series.values.slice(at - 10, at);
        if (kind === "drop-to-zero") expect(series.values.slice(at, at + 15)).toEqual(Array(15).fill(0));
        if (kind === "spike") expect(series.values[at]!).toBeGreaterThan(2 * Math.max(...before));
      }
    }
  });

  it("writes one CSV per series and NAB-style labels (the incidents' timestamps)", () => {
    const dir = mkdtempSync(join(tmpdir(), "freshet-synthetic-"));
    try {
      const { files, labelsFile } = writeSyntheticSet(dir, set.slice(0, 1));
      const lines = readFileSync(files[0]!, "utf8").trimEnd().split("\n");
      expect(lines[0]).toBe("timestamp,value");
      expect(lines).toHaveLength(7 * 1440 + 1);
      expect(lines[1]).toBe(`2026-01-05T00:00:00.000Z,${set[0]!.values[0]}`);
      const labels = JSON.parse(readFileSync(labelsFile, "utf8"));
      expect(labels).toEqual({ "series-1.csv": set[0]!.incidents.map((i) => set[0]!.timestamps[i.at]) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
