import { processBatch, type BatchProcessorDeps } from "./batch-processor.ts";
import { MappingNotIdleError } from "./errors.ts";
import { eventBytesOf, MAX_EVENT_BYTES, type StreamRecord } from "./kinesis-event.ts";
import type { ShardReader } from "./shard-reader.ts";
import { backoffMs, Sleeper } from "./sleeper.ts";

/** GetRecords returns at most 10,000 records a call. */
const MAX_GET_RECORDS = 10_000;

interface IdleWaiter {
  /** Only a fetch numbered above this proves idleness: it started after the wait began. */
  readonly afterFetch: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * One shard's consumer, like one of Lambda's shard pollers with ParallelizationFactor 1: reads
 * the shard in order, gathers a batch (up to `batchSize`, 6 MB of event, or the batching window),
 * and hands it to the batch processor; the next batch is only read once that one is finished.
 */
export class ShardPoller {
  readonly shardId: string;
  readonly #reader: ShardReader;
  readonly #deps: BatchProcessorDeps;
  /** Pauses between polls: cut short by `whenIdle` (to poll now) and by a stop. */
  readonly #pollSleeper = new Sleeper();
  /** Retry backoffs: only a stop cuts them short, so waiting for idleness never hurries a retry. */
  readonly #backoffSleeper = new Sleeper();
  readonly #buffer: StreamRecord[] = [];
  #bufferedSinceMs = 0;
  #fetches = 0;
  #waiters: IdleWaiter[] = [];
  #running: Promise<void> | undefined;

  constructor(shardId: string, reader: ShardReader, deps: Omit<BatchProcessorDeps, "sleeper">) {
    this.shardId = shardId;
    this.#reader = reader;
    this.#deps = { ...deps, sleeper: this.#backoffSleeper };
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Resolves when, after this call, the shard was read to its end with nothing left to process. */
  whenIdle(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ afterFetch: this.#fetches, resolve, reject });
      this.#pollSleeper.wake();
    });
  }

  /** Cuts a pause short (the mapping is stopping); the in-flight invocation is not interrupted. */
  wake(): void {
    this.#pollSleeper.wake();
    this.#backoffSleeper.wake();
  }

  /** Resolves when the loop has ended (after `isStopping` turned true). */
  async finished(): Promise<void> {
    await this.#running;
  }

  async #run(): Promise<void> {
    try {
      while (!this.#deps.isStopping()) {
        const batch = await this.#nextBatch();
        if (!batch) continue;
        const outcome = await processBatch(this.#deps, batch);
        if (outcome === "interrupted") break;
      }
    } catch (error) {
      this.#deps.options.logger({ level: "error", message: "Shard poller failed", shardId: this.shardId, error });
    } finally {
      const stopped = new MappingNotIdleError(`The mapping of ${this.shardId} stopped before it was idle`);
      for (const waiter of this.#waiters.splice(0)) waiter.reject(stopped);
    }
  }

  /** Reads until a batch is due; undefined if the mapping started stopping meanwhile. */
  async #nextBatch(): Promise<StreamRecord[] | undefined> {
    const { options, counters } = this.#deps;
    let failures = 0;
    while (!this.#deps.isStopping()) {
      if (this.#batchDue()) return this.#takeBatch();
      const fetchNumber = ++this.#fetches;
      let caughtUp: boolean;
      try {
        const fetched = await this.#reader.fetch(Math.min(MAX_GET_RECORDS, Math.max(1, options.batchSize - this.#buffer.length)));
        failures = 0;
        if (fetched.records.length > 0 && this.#buffer.length === 0) this.#bufferedSinceMs = Date.now();
        this.#buffer.push(...fetched.records);
        caughtUp = fetched.caughtUp;
      } catch (error) {
        counters.pollErrors += 1;
        failures += 1;
        options.logger({ level: "warn", message: "Reading the shard failed; retrying", shardId: this.shardId, error });
        await this.#pollSleeper.sleep(backoffMs(failures, options.pollIntervalMs, options.pollIntervalMs * 8));
        continue;
      }
      if (this.#batchDue()) return this.#takeBatch();
      if (!caughtUp) continue;
      if (this.#buffer.length === 0) {
        this.#settleWaiters(fetchNumber);
        await this.#pollSleeper.sleep(options.pollIntervalMs);
      } else {
        // Records wait for the batching window to fill up the batch.
        const windowLeft = this.#bufferedSinceMs + options.batchingWindowMs - Date.now();
        await this.#pollSleeper.sleep(Math.min(options.pollIntervalMs, windowLeft));
      }
    }
    return undefined;
  }

  #batchDue(): boolean {
    const { batchSize, batchingWindowMs } = this.#deps.options;
    if (this.#buffer.length === 0) return false;
    if (this.#buffer.length >= batchSize) return true;
    if (Date.now() >= this.#bufferedSinceMs + batchingWindowMs) return true;
    let bytes = 0;
    for (const record of this.#buffer) bytes += eventBytesOf(record, this.#deps.source);
    return bytes >= MAX_EVENT_BYTES;
  }

  /** The oldest buffered records, up to the batch size and Lambda's 6 MB payload (at least one). */
  #takeBatch(): StreamRecord[] {
    const { batchSize } = this.#deps.options;
    let count = 0;
    let bytes = 0;
    while (count < this.#buffer.length && count < batchSize) {
      bytes += eventBytesOf(this.#buffer[count]!, this.#deps.source);
      if (bytes > MAX_EVENT_BYTES && count > 0) break;
      count++;
    }
    return this.#buffer.splice(0, count);
  }

  #settleWaiters(fetchNumber: number): void {
    const still: IdleWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (fetchNumber > waiter.afterFetch) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }
}
