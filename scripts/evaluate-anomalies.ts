#!/usr/bin/env node
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { scoreCsv } from "../packages/local/src/anomaly/score-csv.ts";
import { TRAINED, type ModelLifecycle } from "../packages/local/src/anomaly/score-series.ts";
import { nabScore, normalizedScore, windowMetrics, type NabResult } from "./evaluation/nab.ts";
import { syntheticSet, writeSyntheticSet, type IncidentKind, type SyntheticOptions, type SyntheticSeries } from "./evaluation/synthetic.ts";

/**
 * `npm run evaluate [-- --seed N] [--model streaming]`: how good Freshet's anomaly alerts are. Generates the seeded
 * synthetic labelled set into a temp dir, runs `freshet anomalies score`'s function on each
 * series' CSV (the production path with its default settings: nothing here is tuned, and the
 * labels are read only by the scorer), then scores the alerts with NAB's standard profile and
 * window-based precision/recall/F1.
 */
const SEED = Number(process.argv.includes("--seed") ? process.argv[process.argv.indexOf("--seed") + 1] : 10);
if (!Number.isInteger(SEED)) throw new RangeError("--seed takes an integer");
/** Production's lifecycle (a model trained on the first day) unless `--model streaming`. */
const LIFECYCLE: ModelLifecycle = process.argv.includes("streaming") ? { kind: "streaming" } : TRAINED;

export interface SeriesEvaluation {
  readonly series: SyntheticSeries;
  readonly result: NabResult;
  readonly alerts: number;
  readonly seconds: number;
}

/** Scores one series' CSV file through the CLI's function; returns each row's 0/1 alert flag. */
export async function alertFlags(file: string, lifecycle: ModelLifecycle = TRAINED): Promise<Uint8Array> {
  const flags: number[] = [];
  let pending = "";
  await scoreCsv(createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY }), (chunk) => {
    const text = pending + chunk;
    const end = text.lastIndexOf("\n");
    for (const line of text.slice(0, end).split("\n")) if (!line.startsWith("timestamp,")) flags.push(line.endsWith(",1") ? 1 : 0);
    pending = text.slice(end + 1);
  }, { lifecycle });
  return Uint8Array.from(flags);
}

export async function evaluate(options: SyntheticOptions, lifecycle: ModelLifecycle = TRAINED): Promise<SeriesEvaluation[]> {
  const dir = mkdtempSync(join(tmpdir(), "freshet-evaluate-"));
  try {
    const set = syntheticSet(options);
    const { files, labelsFile } = writeSyntheticSet(dir, set);
    const labels = JSON.parse(readFileSync(labelsFile, "utf8")) as Record<string, string[]>;
    const out: SeriesEvaluation[] = [];
    for (const [n, file] of files.entries()) {
      const series = set[n]!;
      const started = performance.now();
      const flags = await alertFlags(file, lifecycle);
      const seconds = (performance.now() - started) / 1000;
      const labelIndices = labels[basename(file)]!.map((at) => series.timestamps.indexOf(at));
      if (flags.length !== series.values.length || labelIndices.includes(-1)) throw new Error(`${file}: scored rows or labels do not match the series`);
      out.push({ series, result: nabScore(flags, labelIndices), alerts: flags.reduce((a, b) => a + b, 0), seconds });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which incident kinds were caught: a kind's incident is caught when its NAB window has an alert. */
export function caughtByKind(evaluations: readonly SeriesEvaluation[]): Map<IncidentKind, { caught: number; total: number }> {
  const byKind = new Map<IncidentKind, { caught: number; total: number }>();
  for (const { series, result } of evaluations) {
    for (const incident of series.incidents) {
      const window = result.windows.findIndex((w) => w.start <= incident.at && incident.at <= w.end);
      const tally = byKind.get(incident.kind) ?? { caught: 0, total: 0 };
      tally.total += 1;
      if (window >= 0 && result.windowDetected[window]) tally.caught += 1;
      byKind.set(incident.kind, tally);
    }
  }
  return byKind;
}

function report(seed: number, lifecycle: ModelLifecycle, evaluations: readonly SeriesEvaluation[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const model = lifecycle.kind === "trained" ? `model trained on the first ${lifecycle.historyMinutes / 60} h (production)` : "streaming model";
  const lines = [`Freshet anomaly evaluation — synthetic set seed ${seed}, default settings, ${model}, NAB standard profile`, ""];
  lines.push(`${"series".padEnd(10)}${"rows".padStart(8)}${"labels".padStart(8)}${"alerts".padStart(8)}${"TP".padStart(5)}${"FN".padStart(5)}${"FP".padStart(5)}${"NAB raw".padStart(10)}${"NAB".padStart(8)}${"rows/s".padStart(10)}`);
  for (const { series, result, alerts, seconds } of evaluations) {
    lines.push(
      `${series.name.padEnd(10)}${String(series.values.length).padStart(8)}${String(series.incidents.length).padStart(8)}${String(alerts).padStart(8)}` +
        `${String(result.detectedWindows).padStart(5)}${String(result.missedWindows).padStart(5)}${String(result.falsePositives).padStart(5)}` +
        `${result.score.toFixed(3).padStart(10)}${normalizedScore([result]).toFixed(1).padStart(8)}${Math.round(series.values.length / seconds).toLocaleString("en-US").padStart(10)}`,
    );
  }
  const results = evaluations.map((e) => e.result);
  const metrics = windowMetrics(results);
  lines.push("");
  lines.push(`NAB standard score (normalised, corpus): ${normalizedScore(results).toFixed(1)}`);
  lines.push(`windows: precision ${pct(metrics.precision)}, recall ${pct(metrics.recall)}, F1 ${metrics.f1.toFixed(3)} (TP ${metrics.truePositives}, FP ${metrics.falsePositives}, FN ${metrics.falseNegatives})`);
  lines.push(`caught by kind: ${[...caughtByKind(evaluations)].map(([kind, { caught, total }]) => `${kind} ${caught}/${total}`).join(", ")}`);
  return lines.join("\n");
}

if (import.meta.main) console.log(report(SEED, LIFECYCLE, await evaluate({ seed: SEED }, LIFECYCLE)));
