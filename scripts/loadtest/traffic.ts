import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_MIX, generateEvents, sendEvents, type GeneratedEvent } from "@freshet/local";
import type { LoadtestOptions } from "./args.ts";
import { rateAt } from "./schedule.ts";

const TICK_MS = 100;
const PER_REQUEST = 500;
/** POSTs out at once; past it the generator waits (the client's limit, shown as offered < scheduled). */
const MAX_IN_FLIGHT = 64;
/** A tick the generator reaches later than this is skipped, not caught up: no burst the schedule did not ask for. */
const MAX_LATE_MS = 1000;
/** A producer retries a refused POST; the load drops the redeliveries a partly stored batch makes. */
const RETRIES = 4;
const FIRST_SEED = 1000;

/** What the accepted events must become: the generator's oracle, kept as counts (bounded memory on a long soak). */
export interface Oracle {
  processed: number;
  filtered: number;
  deadLettered: number;
  /** Distinct valid event ids accepted per generator seed (one seed a tick; ids read `v2-<seed>-<i>`). */
  readonly validBySeed: Map<string, number>;
}

export interface TrafficTotals {
  /** Events the schedule asked for, offered (POSTed), accepted (202), refused after retries. */
  scheduled: number;
  offered: number;
  accepted: number;
  rejected: number;
  readonly oracle: Oracle;
}

export interface TrafficRun {
  readonly ingestUrl: string;
  readonly apiKey: string;
  readonly options: LoadtestOptions;
  /** performance.now() the schedule counts from. */
  readonly startedAt: number;
  /** One valid event a tick, as its POST starts: the lag probes. */
  readonly onProbe: (eventId: string, postedAt: number) => void;
}

export function emptyTotals(): TrafficTotals {
  return { scheduled: 0, offered: 0, accepted: 0, rejected: 0, oracle: { processed: 0, filtered: 0, deadLettered: 0, validBySeed: new Map() } };
}

/**
 * Offers the schedule's events for the run's duration, tick by tick (100 ms, a new generator seed
 * each), in POSTs of up to 500 lines; `totals` is updated as answers arrive. Resolves when every
 * POST has been answered.
 */
export async function offerTraffic(run: TrafficRun, totals: TrafficTotals): Promise<void> {
  const inFlight = new Set<Promise<void>>(); // POSTs
  const ticks = new Set<Promise<void>>(); // ticks whose POSTs are not all answered
  const track = (set: Set<Promise<void>>, p: Promise<void>) => {
    set.add(p);
    void p.finally(() => set.delete(p));
  };
  const endMs = run.options.durationS * 1000;
  let owed = 0;
  for (let tick = 0; tick * TICK_MS < endMs; tick++) {
    const dueAt = run.startedAt + tick * TICK_MS;
    if (dueAt > performance.now()) await sleep(dueAt - performance.now());
    owed += (rateAt(run.options, tick * TICK_MS) * TICK_MS) / 1000;
    const count = Math.floor(owed);
    owed -= count;
    totals.scheduled += count;
    if (count === 0 || performance.now() - dueAt > MAX_LATE_MS) continue;
    const seed = FIRST_SEED + tick;
    const events = generateEvents(count, new Date(), seed, DEFAULT_MIX, "live");
    const probe = events.find((e) => e.expected.kind === "processed");
    const valid = new Set<string>();
    const chunks: Promise<void>[] = [];
    for (let i = 0; i < events.length; i += PER_REQUEST) {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const chunk = events.slice(i, i + PER_REQUEST);
      if (probe && chunk.includes(probe)) run.onProbe((probe.expected as { eventId: string }).eventId, performance.now());
      totals.offered += chunk.length;
      const post = postWithRetries(run, chunk).then((accepted) => {
        if (accepted) tally(totals, chunk, valid);
        else totals.rejected += chunk.length;
      });
      chunks.push(post);
      track(inFlight, post);
    }
    track(ticks, Promise.all(chunks).then(() => void totals.oracle.validBySeed.set(String(seed), valid.size)));
  }
  while (ticks.size > 0) await Promise.all(ticks);
}

function tally(totals: TrafficTotals, chunk: readonly GeneratedEvent[], valid: Set<string>): void {
  totals.accepted += chunk.length;
  for (const e of chunk) {
    if (e.expected.kind === "processed") {
      totals.oracle.processed += 1;
      valid.add(e.expected.eventId);
    } else if (e.expected.kind === "filtered") totals.oracle.filtered += 1;
    else totals.oracle.deadLettered += 1;
  }
}

/** True once the route accepted every line; false when it kept refusing (or answered a partial count). */
async function postWithRetries(run: TrafficRun, chunk: readonly GeneratedEvent[]): Promise<boolean> {
  const lines = chunk.map((e) => e.line);
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await sendEvents(run.ingestUrl, run.apiKey, lines)) === lines.length) return true;
    } catch (error) {
      if (attempt >= RETRIES) {
        process.stderr.write(`loadtest: a POST of ${lines.length} events refused after ${RETRIES} retries: ${(error as Error).message}\n`);
        return false;
      }
      await sleep(200 * 2 ** attempt);
      continue;
    }
    return false;
  }
}
