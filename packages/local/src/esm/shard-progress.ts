import type { StreamRecord } from "./kinesis-event.ts";

/**
 * Which of a shard's records, in the order they were read, are finished (processed or given up
 * on). With a parallelization factor above 1 batches of one shard end out of order; the shard's
 * checkpoint may only move to the end of the finished prefix, or a restart would skip records a
 * slower batch still held.
 */
export class ShardProgress {
  #entries: { readonly sequenceNumber: string; done: boolean }[] = [];
  #head = 0;
  readonly #bySequence = new Map<string, { readonly sequenceNumber: string; done: boolean }>();

  /** Records just read, in stream order. */
  add(records: readonly StreamRecord[]): void {
    for (const record of records) {
      const entry = { sequenceNumber: record.sequenceNumber, done: false };
      this.#entries.push(entry);
      this.#bySequence.set(record.sequenceNumber, entry);
    }
  }

  /** Marks records finished; returns the new checkpoint (end of the finished prefix) if it moved. */
  complete(records: readonly StreamRecord[]): string | undefined {
    for (const record of records) {
      const entry = this.#bySequence.get(record.sequenceNumber);
      if (entry) entry.done = true;
    }
    let moved: string | undefined;
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.done) {
      const entry = this.#entries[this.#head]!;
      this.#bySequence.delete(entry.sequenceNumber);
      moved = entry.sequenceNumber;
      this.#head += 1;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return moved;
  }
}
