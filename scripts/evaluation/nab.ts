/**
 * The Numenta Anomaly Benchmark's scoring, as NAB defines it (labeler.applyWindows/checkWindows,
 * util.getProbationPeriod, sweeper.calcSweepScore/calcScoreByThreshold, runner.normalize), on row
 * indices instead of timestamps (equivalent for a series with one row per timestamp). A detection
 * is a row the detector flagged; NAB's threshold sweep at threshold 1 over 0/1 scores selects
 * exactly those rows.
 */

/** A cost matrix as in NAB's config/profiles.json (weights are positive; signs are applied here). */
export interface NabProfile {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}
export const STANDARD_PROFILE: NabProfile = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };

/** NAB's defaults: windows cover 10 % of a file, the first 15 % (at most 750 rows) is probation. */
export const WINDOW_SIZE = 0.1;
export const PROBATIONARY_PERCENT = 0.15;

/** An anomaly window, inclusive row indices. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface NabResult {
  /** The raw NAB score: TP rewards + FP penalties − FN penalties. */
  readonly score: number;
  /** What a detector that never fires scores (every window missed): NAB's null baseline. */
  readonly nullScore: number;
  /** What a perfect detector scores: one earliest detection per labelled anomaly. */
  readonly perfectScore: number;
  /** Windows with at least one scorable detection, and windows without. */
  readonly detectedWindows: number;
  readonly missedWindows: number;
  /** Scorable detections outside every window. */
  readonly falsePositives: number;
  readonly windows: readonly Window[];
  /** Per window (as `windows`): whether a scorable detection fell in it. */
  readonly windowDetected: readonly boolean[];
}

/** util.getProbationPeriod: min(floor(15 % of the rows), 15 % of 5000). */
export function probationaryLength(rows: number, percent = PROBATIONARY_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/**
 * labeler.applyWindows then checkWindows: each label gets a window of int(10 % · rows / labels)
 * rows centred on it (clipped to the file; half a window is floor(length / 2) rows, as NAB's
 * integer division did); a first window starting inside probation is dropped;
 * overlapping windows are merged (fully, where NAB's loop skips a merged window's next overlap).
 */
export function anomalyWindows(rows: number, labelIndices: readonly number[], windowSize = WINDOW_SIZE): Window[] {
  if (labelIndices.length === 0) return [];
  const length = Math.trunc((windowSize * rows) / labelIndices.length);
  const half = Math.floor(length / 2);
  const windows = [...labelIndices]
    .sort((a, b) => a - b)
    .map((at) => ({ start: Math.max(at - half, 0), end: Math.min(at + half, rows - 1) }));
  if (windows[0]!.start < probationaryLength(rows)) windows.shift();
  return mergeOverlapping(windows);
}

function mergeOverlapping(windows: Window[]): Window[] {
  const merged: Window[] = [];
  for (const window of windows) {
    const last = merged.at(-1);
    if (last && window.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, window.end) };
    else merged.push(window);
  }
  return merged;
}

/** sweeper.scaledSigmoid: 2·sigmoid(−5x) − 1, and −1 far (x > 3) past a window. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

/**
 * Each row's weighted score were it a detection (sweeper.calcSweepScore): inside a window, the
 * scaled sigmoid of its position relative to the right edge, normalised so the left edge earns
 * tpWeight; outside, −fpWeight, scaled by the distance past the previous window's right edge.
 */
export function sweepScores(rows: number, windows: readonly Window[], profile: NabProfile): { score: number; window: number | undefined }[] {
  const maxTp = scaledSigmoid(-1);
  const out: { score: number; window: number | undefined }[] = [];
  let next = 0;
  let current: number | undefined;
  let previous: Window | undefined;
  for (let i = 0; i < rows; i++) {
    if (current === undefined && next < windows.length && windows[next]!.start === i) current = next++;
    if (current !== undefined) {
      const { start, end } = windows[current]!;
      const width = end - start + 1;
      out.push({ score: (scaledSigmoid(-(end - i + 1) / width) * profile.tpWeight) / maxTp, window: current });
      if (i === end) {
        previous = windows[current];
        current = undefined;
      }
    } else {
      const unweighted = previous ? scaledSigmoid(Math.abs(previous.end - i) / (previous.end - previous.start)) : -1;
      out.push({ score: unweighted * profile.fpWeight, window: undefined });
    }
  }
  return out;
}

/**
 * NAB's score of one series' detections (sweeper.calcScoreByThreshold at the detector's
 * threshold): rows in probation are ignored; each scorable window counts −fnWeight unless
 * detected, then the best (earliest) detection's reward; every detection outside a window adds its
 * (negative) false-positive score.
 */
export function nabScore(
  detections: ArrayLike<number | boolean>,
  labelIndices: readonly number[],
  profile: NabProfile = STANDARD_PROFILE,
): NabResult {
  const rows = detections.length;
  const windows = anomalyWindows(rows, labelIndices);
  const probation = probationaryLength(rows);
  const sweep = sweepScores(rows, windows, profile);
  const windowScores = new Map<number, number>();
  let fpScore = 0;
  let falsePositives = 0;
  for (let i = 0; i < rows; i++) {
    if (i < probation) continue;
    const { score, window } = sweep[i]!;
    if (window !== undefined && !windowScores.has(window)) windowScores.set(window, -profile.fnWeight);
    if (!detections[i]) continue;
    if (window === undefined) {
      fpScore += score;
      falsePositives += 1;
    } else windowScores.set(window, Math.max(windowScores.get(window)!, score));
  }
  const scores = [...windowScores.values()];
  const missedWindows = scores.filter((s) => s === -profile.fnWeight).length;
  return {
    score: fpScore + scores.reduce((a, b) => a + b, 0),
    nullScore: -profile.fnWeight * scores.length,
    perfectScore: labelIndices.length * profile.tpWeight,
    detectedWindows: scores.length - missedWindows,
    missedWindows,
    falsePositives,
    windows,
    windowDetected: windows.map((_, w) => windowScores.has(w) && windowScores.get(w) !== -profile.fnWeight),
  };
}

/** runner.normalize over a corpus: 100 · (ΣS − ΣS_null) / (ΣS_perfect − ΣS_null). */
export function normalizedScore(results: readonly NabResult[]): number {
  const sum = (f: (r: NabResult) => number) => results.reduce((total, r) => total + f(r), 0);
  const base = sum((r) => r.nullScore);
  return (100 * (sum((r) => r.score) - base)) / (sum((r) => r.perfectScore) - base);
}

export interface WindowMetrics {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/**
 * Window-based precision and recall on NAB's windows and probation: a window with any detection
 * is one true positive (however many rows fired in it), a window without is a false negative,
 * and each detection outside every window is a false positive.
 */
export function windowMetrics(results: readonly NabResult[]): WindowMetrics {
  const tp = results.reduce((n, r) => n + r.detectedWindows, 0);
  const fp = results.reduce((n, r) => n + r.falsePositives, 0);
  const fn = results.reduce((n, r) => n + r.missedWindows, 0);
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}
