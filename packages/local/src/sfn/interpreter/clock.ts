import { AsyncLocalStorage } from "node:async_hooks";
import type { Clock } from "./contract.ts";

/** Node's timers overflow past 2^31-1 ms (fire at once); Wait states may last years, so sleep in slices. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("aborted");
}

/** Wall-clock time: what `npm start` uses. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!(ms > 0)) return Promise.resolve();
    const wakeAt = Date.now() + ms;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const arm = () => {
        const left = wakeAt - Date.now();
        if (left <= 0) {
          signal?.removeEventListener("abort", onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      arm();
    });
  },
};

/**
 * A clock that can be told about work in flight (a task invocation): a virtual clock must not
 * jump ahead while real work — an HTTP call to the embedded S3, say — is still running, or that
 * work's TimeoutSeconds would expire before it could answer.
 */
export interface WorkTrackingClock extends Clock {
  track<T>(work: () => Promise<T>, abandoned?: AbortSignal): Promise<T>;
}

/** Runs `work` as tracked work when the clock tracks work (VirtualClock), else plainly. */
export function trackWork<T>(clock: Clock, work: () => Promise<T>, abandoned?: AbortSignal): Promise<T> {
  const tracking = clock as Partial<WorkTrackingClock>;
  return typeof tracking.track === "function" ? tracking.track(work, abandoned) : work();
}

interface VirtualTimer {
  readonly due: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** One piece of tracked work and how many of its sleeps are pending. */
interface Work {
  sleeping: number;
}

/**
 * Virtual time for tests: `sleep` never waits for real. Pending sleeps wake in order of their
 * virtual due time and `now()` jumps to that due time, as soon as nothing else is happening:
 * after one macrotask turn, and only when every piece of tracked work (task invocations, see
 * `track`) is itself sleeping on this clock. So Wait states and retry intervals run instantly,
 * a fake task that sleeps on this clock can lose a race against its `TimeoutSeconds`, a task doing
 * real I/O cannot, and tests can assert on elapsed virtual time. Time is shared: while any tracked
 * work is busy for real, no sleep wakes anywhere.
 */
export class VirtualClock implements WorkTrackingClock {
  #now: number;
  #seq = 0;
  #timers: VirtualTimer[] = [];
  #scheduled = false;
  readonly #work = new AsyncLocalStorage<Work>();
  readonly #inFlight = new Set<Work>();

  constructor(start: number | Date = Date.UTC(2025, 0, 1)) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward without waking anyone early: sleeps now due wake on the next turn. */
  advance(ms: number): void {
    if (ms > 0) this.#now += ms;
    this.#schedule();
  }

  /** Sleeps not yet woken. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Runs `work` as work in flight: time stands still while it runs, except while it (or anything
   * it started) sleeps on this clock. Once `abandoned` aborts (the task timed out or was stopped)
   * the work no longer holds time back, even if it never ends.
   */
  track<T>(work: () => Promise<T>, abandoned?: AbortSignal): Promise<T> {
    const entry: Work = { sleeping: 0 };
    this.#inFlight.add(entry);
    const done = () => {
      abandoned?.removeEventListener("abort", done);
      if (this.#inFlight.delete(entry)) this.#schedule();
    };
    if (abandoned?.aborted) done();
    else abandoned?.addEventListener("abort", done, { once: true });
    const running = this.#work.run(entry, () => Promise.resolve().then(work));
    running.then(done, done);
    return running;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const work = this.#work.getStore();
    if (work) work.sleeping += 1;
    const settle = () => {
      if (work) work.sleeping -= 1;
    };
    return new Promise<void>((resolve, reject) => {
      const timer: VirtualTimer = {
        due: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          settle();
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        settle();
        this.#schedule();
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#insert(timer);
      this.#schedule();
    });
  }

  #insert(timer: VirtualTimer): void {
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.due > timer.due) i -= 1;
    this.#timers.splice(i, 0, timer);
  }

  #schedule(): void {
    if (this.#scheduled || this.#timers.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#wakeEarliest();
    });
  }

  /** Every piece of work in flight is waiting on this clock (or there is none). */
  #idle(): boolean {
    for (const work of this.#inFlight) if (work.sleeping === 0) return false;
    return true;
  }

  #wakeEarliest(): void {
    const first = this.#timers[0];
    // Not idle: the work in flight will schedule a wake when it ends or sleeps.
    if (!first || !this.#idle()) return;
    if (first.due > this.#now) this.#now = first.due;
    const due = this.#timers.filter((t) => t.due <= this.#now);
    this.#timers = this.#timers.filter((t) => t.due > this.#now);
    for (const t of due) t.resolve();
    this.#schedule();
  }
}
