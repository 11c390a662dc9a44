import { realClock, VirtualClock, type WorkTrackingClock } from "../sfn/interpreter/clock.ts";

/**
 * Step Functions' time, switchable per test: real time, or, once `hurry` is called, a
 * `VirtualClock` (Wait states and retry intervals pass at once, so a workflow gives up after
 * its half hour of polling in a second or two) until `relax`. Time never runs backwards: after
 * `relax` real time keeps the lead the virtual clock took.
 */
export class SwitchableClock implements WorkTrackingClock {
  #virtual: VirtualClock | undefined;
  #lead = 0;

  now(): number {
    return this.#virtual ? this.#virtual.now() : Date.now() + this.#lead;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return (this.#virtual ?? realClock).sleep(ms, signal);
  }

  track<T>(work: () => Promise<T>, abandoned?: AbortSignal): Promise<T> {
    return this.#virtual ? this.#virtual.track(work, abandoned) : work();
  }

  hurry(): void {
    this.#virtual ??= new VirtualClock(this.now());
  }

  /**
   * Moves virtual time `ms` ahead (hurrying first if needed), as when hours pass between two
   * scheduled runs: what a test needs to make an outage last hours without waiting for them.
   */
  advance(ms: number): void {
    this.hurry();
    this.#virtual!.advance(ms);
  }

  relax(): void {
    if (!this.#virtual) return;
    this.#lead = Math.max(this.#lead, this.#virtual.now() - Date.now());
    this.#virtual = undefined;
  }
}
