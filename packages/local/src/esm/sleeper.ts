/**
 * Timed pauses that can be cut short: `wake` ends the current pause (so a stop, or a test waiting
 * for idleness, does not wait out a poll interval or a retry backoff).
 */
export class Sleeper {
  #wake: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  wake(): void {
    this.#wake?.();
  }
}

/** Exponential backoff: `base`, `2·base`, `4·base`… capped at `max`. */
export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}
