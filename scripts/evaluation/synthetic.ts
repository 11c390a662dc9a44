import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../../packages/local/src/traffic/random.ts";

/**
 * A seeded, labelled set of per-minute business series: a daily pattern with noise, and injected
 * incidents of the four kinds marketing cares about. Labels are the rows where each incident
 * starts (NAB's convention: one timestamp per anomaly, the scorer centres a window on it).
 */
export type IncidentKind = "spike" | "level-shift" | "drop-to-zero" | "seasonality-change";
export const INCIDENT_KINDS: readonly IncidentKind[] = ["spike", "level-shift", "drop-to-zero", "seasonality-change"];

export interface Incident {
  readonly kind: IncidentKind;
  readonly at: number;
}
export interface SyntheticSeries {
  readonly name: string;
  readonly timestamps: readonly string[];
  readonly values: readonly number[];
  readonly incidents: readonly Incident[];
}
export interface SyntheticOptions {
  readonly seed: number;
  readonly series?: number;
  readonly days?: number;
  readonly incidentsPerSeries?: number;
}

const MINUTES_PER_DAY = 1440;
const START = Date.UTC(2026, 0, 5);
/** Incidents start after NAB's probation plus a day for the detector to learn. */
const FIRST_INCIDENT = 750 + MINUTES_PER_DAY;
const SPACING = MINUTES_PER_DAY / 2;

export function syntheticSet({ seed, series = 8, days = 14, incidentsPerSeries = 4 }: SyntheticOptions): SyntheticSeries[] {
  const random = seededRandom(seed);
  return Array.from({ length: series }, (_, n) => syntheticSeries(`series-${n + 1}`, random, days * MINUTES_PER_DAY, incidentsPerSeries, n));
}

function syntheticSeries(name: string, random: () => number, rows: number, count: number, n: number): SyntheticSeries {
  const level = 20 + random() * 180;
  const amplitude = 0.3 + random() * 0.5;
  const phase = random() * 2 * Math.PI;
  const noise = 0.04 + random() * 0.08;
  // Every kind appears across the set: series n starts the rotation at kind n.
  const kinds = Array.from({ length: count }, (_, i) => INCIDENT_KINDS[(n + i) % INCIDENT_KINDS.length]!);
  const incidents = placeIncidents(random, rows, kinds);
  const gaussian = gaussianFrom(random);
  const values: number[] = [];
  for (let t = 0; t < rows; t++) {
    const expected = level * incidentFactor(incidents, t, (shift) => 1 + amplitude * Math.sin((2 * Math.PI * t) / MINUTES_PER_DAY + phase + shift));
    values.push(expected === 0 ? 0 : round(Math.max(0, expected * (1 + noise * gaussian()))));
  }
  const timestamps = Array.from({ length: rows }, (_, t) => new Date(START + t * 60_000).toISOString());
  return { name, timestamps, values, incidents };
}

/** Spreads incidents over the series after the learning period, at least half a day apart (NAB windows here are ~500 rows), in order. */
function placeIncidents(random: () => number, rows: number, kinds: readonly IncidentKind[]): Incident[] {
  const slot = Math.floor((rows - FIRST_INCIDENT - MINUTES_PER_DAY / 2) / kinds.length);
  if (slot < SPACING) throw new RangeError(`${rows} rows cannot hold ${kinds.length} incidents half a day apart`);
  return kinds.map((kind, i) => ({ kind, at: FIRST_INCIDENT + i * slot + Math.floor(random() * (slot - SPACING)) }));
}

/**
 * The multiplier of the daily pattern at minute t, given the incidents: a spike is ×4 for 3
 * minutes, a drop to zero lasts 15 minutes, a level shift halves or nearly doubles the level from
 * then on, a seasonality change inverts the daily pattern (12 h phase shift) for 6 hours.
 */
function incidentFactor(incidents: readonly Incident[], t: number, pattern: (phaseShift: number) => number): number {
  let factor = 1;
  let shift = 0;
  for (const [i, { kind, at }] of incidents.entries()) {
    const since = t - at;
    if (since < 0) continue;
    if (kind === "spike" && since < 3) factor *= 4;
    if (kind === "drop-to-zero" && since < 15) return 0;
    if (kind === "level-shift") factor *= i % 2 === 0 ? 0.5 : 1.8;
    if (kind === "seasonality-change" && since < 360) shift = Math.PI;
  }
  return factor * pattern(shift);
}

function gaussianFrom(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export function seriesCsv(series: SyntheticSeries): string {
  return `timestamp,value\n${series.timestamps.map((at, i) => `${at},${series.values[i]}`).join("\n")}\n`;
}

/** Writes `<name>.csv` per series and NAB's `labels.json` ({ "<name>.csv": [timestamps] }) into `dir`. */
export function writeSyntheticSet(dir: string, set: readonly SyntheticSeries[]): { files: string[]; labelsFile: string } {
  mkdirSync(dir, { recursive: true });
  const labels: Record<string, string[]> = {};
  const files = set.map((series) => {
    const file = join(dir, `${series.name}.csv`);
    writeFileSync(file, seriesCsv(series));
    labels[`${series.name}.csv`] = series.incidents.map(({ at }) => series.timestamps[at]!);
    return file;
  });
  const labelsFile = join(dir, "labels.json");
  writeFileSync(labelsFile, `${JSON.stringify(labels, null, 2)}\n`);
  return { files, labelsFile };
}
