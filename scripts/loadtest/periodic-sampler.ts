import { readFileSync } from "node:fs";

/**
 * Takes a sample every `intervalMs` from `start()` until `stop()`, which takes a last one; `take`
 * gets the time since `startedAt`. One sample at a time: a slow read skips a beat rather than
 * piling up. What the memory and CPU samplers share.
 */
export class PeriodicSampler<T> {
  readonly samples: T[] = [];
  readonly #take: (atMs: number) => Promise<T>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #sampling: Promise<void> | undefined;

  constructor(take: (atMs: number) => Promise<T>, intervalMs: number) {
    this.#take = take;
    this.#intervalMs = intervalMs;
  }

  /** Starts sampling (a first sample at once); again is a no-op. */
  start(startedAt = performance.now()): void {
    if (this.#timer !== undefined) return;
    this.#startedAt = startedAt;
    void this.#sample();
    this.#timer = setInterval(() => void this.#sample(), this.#intervalMs);
  }

  /** Ends the sampling with a last sample; again is a no-op. */
  async stop(): Promise<void> {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sampling;
    await this.#sample();
  }

  #sample(): Promise<void> {
    if (this.#sampling) return this.#sampling;
    this.#sampling = this.#take(performance.now() - this.#startedAt)
      .then((sample) => void this.samples.push(sample))
      .finally(() => (this.#sampling = undefined));
    return this.#sampling;
  }
}

/** A `/proc` file of a process or thread that may have ended since it was listed: empty then. */
export function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
