/**
 * Batch ids a planner saw `batch_receipts` hold, kept while its Lambda stays warm, so that each
 * run asks the warehouse only about receipts it has not already seen recorded. Every run lists
 * the receipts of the last few hours (`RECEIPT_LATENESS_MS`, receipt-work.ts) and asked about
 * all of them: the run's lookups grew with the traffic of those hours (at 10,000 events/s,
 * some 20 batches a second, 200,000 ids after three hours) instead of with what is new.
 *
 * A recorded batch stays recorded, so the memo can only be wrong if the warehouse loses rows (a
 * restore from an older snapshot). Entries therefore expire `ttlMs` after they were seen: such a
 * batch is asked about again and loaded then, late but not lost. The memo holds at most
 * `maxEntries` ids (the oldest go first), about 100 bytes each.
 */
export class RecordedBatches {
  /** Batch id → when it was seen recorded (ms); insertion order is that time's order. */
  readonly #seenAt = new Map<string, number>();

  readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 250_000;
  }

  /** True if `id` was seen recorded within the last `ttlMs` before `now`. */
  has(id: string, now: number): boolean {
    const seen = this.#seenAt.get(id);
    return seen !== undefined && now - seen < this.ttlMs;
  }

  /** Remembers `ids` as seen recorded at `now`, and forgets what expired or overflows. */
  remember(ids: Iterable<string>, now: number): void {
    for (const id of ids) {
      this.#seenAt.delete(id); // re-inserted last: the order stays the order of `seenAt`
      this.#seenAt.set(id, now);
    }
    for (const [id, seen] of this.#seenAt) {
      if (now - seen < this.ttlMs && this.#seenAt.size <= this.maxEntries) break;
      this.#seenAt.delete(id);
    }
  }

  get size(): number {
    return this.#seenAt.size;
  }
}
