import type { LoadtestOptions } from "./args.ts";

/** A burst offers this many times the rate for BURST_MS. */
export const BURST_FACTOR = 3;
export const BURST_MS = 10_000;
const FIRST_BURST_MS = 30_000;
const BURST_EVERY_MS = 60_000;

/**
 * Events per second offered `atMs` into the run: the rate, or 3× it inside a burst. Bursts start
 * at 30 s (after the warm-up of a short run: the middle of a run shorter than 40 s) and every
 * 60 s after, so a long run alternates steady traffic with bursts and shows the recovery.
 */
export function rateAt(options: Pick<LoadtestOptions, "rate" | "durationS" | "burst">, atMs: number): number {
  if (!options.burst) return options.rate;
  const first = Math.min(FIRST_BURST_MS, Math.max(0, (options.durationS * 1000 - BURST_MS) / 2));
  if (atMs < first) return options.rate;
  return (atMs - first) % BURST_EVERY_MS < BURST_MS ? options.rate * BURST_FACTOR : options.rate;
}

