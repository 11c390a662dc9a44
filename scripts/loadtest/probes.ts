import { setTimeout as sleep } from "node:timers/promises";
import { loadedAmong, type Rows } from "../shared/pipeline-platform.ts";

/** How often outstanding probes are looked for in `events`: the lag's resolution. */
const POLL_MS = 100;
/** Ids in one lookup, the oldest first (rows land roughly in order); the rest wait for the next poll. */
const PER_LOOKUP = 100;

/** POST → row lag of probe events: each timed from its POST's start until a query finds its row. */
export class LagProbes {
  readonly lagsMs: number[] = [];
  readonly #posted = new Map<string, number>();

  posted(eventId: string, at: number): void {
    this.#posted.set(eventId, at);
  }

  /** Probes posted but not found yet. */
  get outstanding(): number {
    return this.#posted.size;
  }

  async poll(rows: Rows): Promise<void> {
    if (this.#posted.size === 0) return;
    const found = await loadedAmong(rows, [...this.#posted.keys()].slice(0, PER_LOOKUP));
    const at = performance.now();
    for (const id of found) {
      const start = this.#posted.get(id);
      if (start === undefined) continue;
      this.lagsMs.push(at - start);
      this.#posted.delete(id);
    }
  }

  /** Polls until `done()` says so, one lookup at a time. */
  async watch(rows: Rows, done: () => boolean): Promise<void> {
    while (!done()) {
      await this.poll(rows);
      await sleep(POLL_MS);
    }
  }
}
