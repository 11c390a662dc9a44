/**
 * How long a warm TriageDebounce container may answer "an execution is already coming" without
 * asking S3 about the lease.
 *
 * The execution started by whoever created the lease waits `debounceSeconds` and only then lists
 * the unhandled dead letters. So a dead letter that landed before `created + debounce` is in that
 * listing, whoever deletes the lease meanwhile (the hourly sweep may): a landing event handled
 * before then needs no S3 call. At 10,000 events/s dead-letter objects land several times a
 * second, each asking with a HEAD; after this, one per debounce interval per container.
 *
 * `created` is S3's `LastModified` of the lease (whole seconds, rounded down: never later than
 * the write) or, for the container that wrote it, the time just before its write. `marginMs`
 * absorbs the clocks of Lambda and S3 disagreeing. If the creator's StartExecution fails it
 * deletes the lease and Lambda retries its event, whose execution then lists everything; other
 * containers that saw the lease meanwhile wait for that, or for the hourly sweep.
 */
export class DebounceCoverage {
  readonly #debounceMs: number;
  readonly #marginMs: number;
  /** Until when (epoch ms) an execution's listing is known to come; 0: not known. */
  #until = 0;

  constructor(debounceSeconds: number, marginMs = 1_000) {
    this.#debounceMs = debounceSeconds * 1000;
    this.#marginMs = marginMs;
  }

  /** True while a dead letter landing now is sure to be in a coming execution's listing. */
  covers(now: number): boolean {
    return now < this.#until;
  }

  /** The lease was created at `created`: its execution lists no earlier than `created + debounce`. */
  leaseCreated(created: Date): void {
    this.#until = Math.max(this.#until, created.getTime() + this.#debounceMs - this.#marginMs);
  }

  /** The execution this container meant to start did not start. */
  forget(): void {
    this.#until = 0;
  }
}
