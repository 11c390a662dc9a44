import { TRIAGE_MAX_DEBOUNCE_SECONDS } from "@freshet/core";

/**
 * How long a warm TriageDebounce container may answer "an execution is already coming" without
 * asking S3 about the lease: only after it started that execution itself.
 *
 * The execution waits the debounce and only then deletes the lease and lists the unhandled dead
 * letters, so a dead letter that landed before `taken + debounce` (`taken`: just before the
 * container wrote the lease) is as sure to be listed as one that found the lease held; whoever
 * deletes the lease meanwhile (the hourly sweep may). At 10,000 events/s dead-letter objects
 * land several times a second, each asking with a HEAD; after this, one per debounce interval.
 *
 * Only the container that started the execution knows it exists. Another one that merely finds
 * the lease cannot tell an execution that started from a creator whose StartExecution failed
 * (it then deletes the lease and Lambda retries its event, which must find no lease), so it
 * keeps asking. `marginMs` absorbs the Wait state's timer and the clocks disagreeing.
 */
export class DebounceCoverage {
  readonly #debounceMs: number;
  readonly #marginMs: number;
  /** Until when (epoch ms) this container's execution is still to list; 0: none known. */
  #until = 0;

  constructor(debounceSeconds: number, marginMs = 1_000) {
    // The execution waits at most this long whatever it is given (the workflow caps its Wait).
    this.#debounceMs = Math.min(debounceSeconds, TRIAGE_MAX_DEBOUNCE_SECONDS) * 1000;
    this.#marginMs = marginMs;
  }

  /** True while a dead letter landing now is sure to be listed by the execution this container started. */
  covers(now: number): boolean {
    return now < this.#until;
  }

  /** This container wrote the lease at `takenAt` (ms, just before the write) and started its execution. */
  started(takenAt: number): void {
    this.#until = Math.max(this.#until, takenAt + this.#debounceMs - this.#marginMs);
  }
}
