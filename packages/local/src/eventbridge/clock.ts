/**
 * Time for the rule and schedule engines: real timers under `npm start`, a `TestClock` in tests
 * that jumps forward instantly. `TestClock` also has the ASL interpreter's `sleep`, so one clock
 * can drive schedules, deliveries and executions together.
 */
export interface Timer {
  cancel(): void;
}

export interface TimerClock {
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimer(ms: number, fn: () => void): Timer;
}

// setTimeout holds at most 2^31-1 ms (about 24.8 days); longer waits are taken in steps.
const MAX_TIMEOUT = 2_147_483_647;

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    let handle: NodeJS.Timeout;
    const due = Date.now() + Math.max(0, ms);
    const arm = () => {
      const left = due - Date.now();
      handle = setTimeout(left > MAX_TIMEOUT ? arm : fn, Math.min(Math.max(0, left), MAX_TIMEOUT));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Virtual time: nothing happens until `advance` moves the clock past a timer's due time. */
export class TestClock implements TimerClock {
  #now: number;
  #seq = 0;
  #timers: Pending[] = [];
  #quiescence: (() => Promise<void>)[] = [];

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: Pending = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** The interpreter's `Clock.sleep`: resolves when the clock has been advanced by `ms`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.setTimer(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        timer.cancel();
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Registers work to wait for after each timer fires (a service's `idle()`), so that a timer's
   * consequences (an HTTP call, the retry timer it sets) happen before the clock moves on.
   */
  waitFor(idle: () => Promise<void>): void {
    this.#quiescence.push(idle);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way, in order, with the
   * clock set to each one's due time. Timers set by those timers run too if they fall inside the
   * window. After each timer, the work registered with `waitFor` is awaited.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      for (const idle of this.#quiescence) await idle();
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      const next = this.#timers.reduce<Pending | undefined>(
        (a, t) => (t.due <= end && (!a || t.due < a.due || (t.due === a.due && t.seq < a.seq)) ? t : a),
        undefined,
      );
      if (!next) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = end;
    await settle();
  }

  /** Advances to an absolute time. */
  advanceTo(time: Date | number): Promise<void> {
    const target = typeof time === "number" ? time : time.getTime();
    return this.advance(Math.max(0, target - this.#now));
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }
}

/** Lets promise chains started by a timer run before the next timer fires. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A `TimerClock` on top of a clock that only sleeps (the ASL interpreter's `Clock`), so the rule
 * and schedule engines can share that clock. Note a self-advancing virtual clock jumps to the next
 * schedule whenever everything else sleeps, so recurring schedules then fire without end.
 */
export function timerClockFrom(clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> }): TimerClock {
  return {
    now: () => clock.now(),
    setTimer(ms, fn) {
      const abort = new AbortController();
      clock.sleep(ms, abort.signal).then(fn, () => undefined);
      return { cancel: () => abort.abort() };
    },
  };
}
