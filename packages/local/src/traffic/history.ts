import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEFAULT_MIX, generateEvents, type TrafficMix } from "./events.ts";

/** Events per request while backfilling (the ingest route takes up to 10,000). */
const CHUNK = 2_000;
/** Requests in flight at once, within one minute of history. */
const PARALLEL = 4;

/**
 * History is the live traffic's valid events only, at the same rate: the same series, without
 * the heartbeats, duplicates and invalid events that would only make work (tens of thousands of
 * dead letters for triage at once) and no difference to the warehouse.
 */
const VALID_SHARE = DEFAULT_MIX.v2 + DEFAULT_MIX.v1;
const HISTORY_MIX: TrafficMix = { v2: DEFAULT_MIX.v2 / VALID_SHARE, v1: DEFAULT_MIX.v1 / VALID_SHARE, duplicates: 0, heartbeats: 0, invalid: 0 };

export interface HistoryOptions {
  readonly ratePerSecond: number;
  readonly minutes: number;
  /** History ends here (exclusive): where live traffic starts, so the series have no gap. */
  readonly until: Date;
  readonly seed?: number;
  /** Called after each minute of history is accepted. */
  readonly onMinute?: (done: number, total: number) => void;
}

/**
 * Sends `minutes` of normal traffic history before `until`, oldest minute first, each minute's
 * valid events spread over it as `ratePerSecond` of live traffic has them: what a stage that has been running for a while would
 * have, so the anomaly series have a baseline and their thresholds a sample when a demo starts.
 * Returns how many events the route accepted. Ids start with `h` so they never meet live ones.
 */
export async function sendHistory(send: (lines: readonly string[]) => Promise<number>, options: HistoryOptions): Promise<number> {
  const perMinute = Math.round(options.ratePerSecond * 60 * VALID_SHARE);
  let accepted = 0;
  let seed = options.seed ?? 1;
  for (let k = options.minutes; k >= 1; k--) {
    const end = new Date(options.until.getTime() - (k - 1) * 60_000);
    const lines = generateEvents(perMinute, end, seed++, HISTORY_MIX, { withinMs: 60_000 }).map((e) => e.line.replace(/"(event_id|eventId)":"/, '"$1":"h'));
    const chunks: string[][] = [];
    for (let i = 0; i < lines.length; i += CHUNK) chunks.push(lines.slice(i, i + CHUNK));
    for (let i = 0; i < chunks.length; i += PARALLEL) {
      accepted += (await Promise.all(chunks.slice(i, i + PARALLEL).map(send))).reduce((a, b) => a + b, 0);
    }
    options.onMinute?.(options.minutes - k + 1, options.minutes);
  }
  return accepted;
}

/** Where the data directory remembers that its history was sent (once per data directory). */
export const historyMarker = (dataDir: string): string => join(dataDir, "traffic", "history.json");

export const historySent = (dataDir: string): boolean => existsSync(historyMarker(dataDir));

export async function markHistorySent(dataDir: string, summary: { minutes: number; accepted: number; until: string }): Promise<void> {
  const path = historyMarker(dataDir);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(summary)}\n`);
}
