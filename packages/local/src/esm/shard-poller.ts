import { createHash } from "node:crypto";
import { processBatch, type BatchProcessorDeps } from "./batch-processor.ts";
import { MappingNotIdleError } from "./errors.ts";
import { eventBytesOf, MAX_EVENT_BYTES, type StreamRecord } from "./kinesis-event.ts";
import type { ShardReader } from "./shard-reader.ts";
import { ShardProgress } from "./shard-progress.ts";
import { backoffMs, Sleeper } from "./sleeper.ts";

/** GetRecords returns at most 10,000 records a call. */
const MAX_GET_RECORDS = 10_000;

interface IdleWaiter {
  /** Only a fetch numbered above this proves idleness: it started after the wait began. */
  readonly afterFetch: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** One of the shard's concurrent batch streams (ParallelizationFactor): its buffer and its batch in flight. */
interface Lane {
  readonly buffer: StreamRecord[];
  bufferedSinceMs: number;
  inFlight: Promise<void> | undefined;
}

/**
 * One shard's consumer, like one of Lambda's shard pollers: reads the shard in order and hands
 * batches (up to `batchSize`, 6 MB of event, or the batching window) to the batch processor.
 * With ParallelizationFactor 1 the next batch is only read once the current one is finished.
 * With N > 1 records are spread over N lanes by a hash of their partition key, each lane
 * processes one batch at a time, and the shard is read on while a lane is free: batches of one
 * shard run concurrently, a partition key's records never do and stay in order. The checkpoint
 * moves only past records all of whose predecessors are finished (ShardProgress).
 */
export class ShardPoller {
  readonly shardId: string;
  readonly #reader: ShardReader;
  readonly #deps: BatchProcessorDeps;
  /** Pauses between polls: cut short by `whenIdle` (to poll now), a lane finishing, and a stop. */
  readonly #pollSleeper = new Sleeper();
  /** Retry backoffs: only a stop cuts them short, so waiting for idleness never hurries a retry. */
  readonly #backoffSleeper = new Sleeper();
  readonly #lanes: Lane[];
  readonly #progress = new ShardProgress();
  #fetches = 0;
  #waiters: IdleWaiter[] = [];
  #running: Promise<void> | undefined;
  #interrupted = false;

  constructor(shardId: string, reader: ShardReader, deps: Omit<BatchProcessorDeps, "sleeper" | "commit">) {
    this.shardId = shardId;
    this.#reader = reader;
    this.#deps = { ...deps, sleeper: this.#backoffSleeper, commit: (records) => this.#commit(records) };
    this.#lanes = Array.from({ length: deps.options.parallelizationFactor }, () => ({ buffer: [], bufferedSinceMs: 0, inFlight: undefined }));
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

  /** Cuts a pause short (the mapping is stopping); the in-flight invocations are not interrupted. */
  wake(): void {
    this.#pollSleeper.wake();
    this.#backoffSleeper.wake();
  }

  /** Resolves when the loop has ended (after `isStopping` turned true) and no batch is in flight. */
  async finished(): Promise<void> {
    await this.#running;
  }

  async #run(): Promise<void> {
    try {
      await this.#loop();
    } catch (error) {
      this.#deps.options.logger({ level: "error", message: "Shard poller failed", shardId: this.shardId, error });
    } finally {
      await Promise.all(this.#lanes.map((lane) => lane.inFlight));
      const stopped = new MappingNotIdleError(`The mapping of ${this.shardId} stopped before it was idle`);
      for (const waiter of this.#waiters.splice(0)) waiter.reject(stopped);
    }
  }

  async #loop(): Promise<void> {
    const { options, counters } = this.#deps;
    let failures = 0;
    while (!this.#deps.isStopping() && !this.#interrupted) {
      this.#dispatch();
      // Read on only while a lane is free, as Lambda does: one shard's reads never run far ahead.
      if (!this.#lanes.some((lane) => lane.inFlight === undefined) || this.#buffered() >= options.batchSize * this.#lanes.length) {
        await this.#pollSleeper.sleep(options.pollIntervalMs);
        continue;
      }
      const fetchNumber = ++this.#fetches;
      let caughtUp: boolean;
      try {
        const room = options.batchSize * this.#lanes.length - this.#buffered();
        const fetched = await this.#reader.fetch(Math.min(MAX_GET_RECORDS, Math.max(1, room)));
        failures = 0;
        this.#progress.add(fetched.records);
        for (const record of fetched.records) {
          const lane = this.#laneOf(record);
          if (lane.buffer.length === 0) lane.bufferedSinceMs = Date.now();
          lane.buffer.push(record);
        }
        caughtUp = fetched.caughtUp;
      } catch (error) {
        counters.pollErrors += 1;
        failures += 1;
        options.logger({ level: "warn", message: "Reading the shard failed; retrying", shardId: this.shardId, error });
        await this.#pollSleeper.sleep(backoffMs(failures, options.pollIntervalMs, options.pollIntervalMs * 8));
        continue;
      }
      if (this.#dispatch() || !caughtUp) continue;
      if (this.#buffered() === 0) {
        if (this.#lanes.every((lane) => lane.inFlight === undefined)) this.#settleWaiters(fetchNumber);
        await this.#pollSleeper.sleep(options.pollIntervalMs);
      } else {
        // Records wait for the batching window to fill up the batch.
        const windowLeft = Math.min(...this.#lanes.filter((l) => l.buffer.length > 0).map((l) => l.bufferedSinceMs + options.batchingWindowMs - Date.now()));
        await this.#pollSleeper.sleep(Math.max(0, Math.min(options.pollIntervalMs, windowLeft)));
      }
    }
  }

  /** Starts a batch on every free lane whose batch is due; true if one started. */
  #dispatch(): boolean {
    let started = false;
    for (const lane of this.#lanes) {
      if (lane.inFlight !== undefined || !this.#batchDue(lane) || this.#deps.isStopping() || this.#interrupted) continue;
      const batch = this.#takeBatch(lane);
      started = true;
      lane.inFlight = processBatch(this.#deps, batch)
        .then((outcome) => {
          if (outcome === "interrupted") this.#interrupted = true;
        })
        .catch((error: unknown) => {
          this.#interrupted = true;
          this.#deps.options.logger({ level: "error", message: "Shard poller failed", shardId: this.shardId, error });
        })
        .finally(() => {
          lane.inFlight = undefined;
          this.#pollSleeper.wake();
        });
    }
    return started;
  }

  #laneOf(record: StreamRecord): Lane {
    if (this.#lanes.length === 1) return this.#lanes[0]!;
    const digest = createHash("md5").update(record.partitionKey).digest();
    return this.#lanes[digest.readUInt32BE(0) % this.#lanes.length]!;
  }

  #buffered(): number {
    let n = 0;
    for (const lane of this.#lanes) n += lane.buffer.length;
    return n;
  }

  async #commit(records: readonly StreamRecord[]): Promise<void> {
    const checkpoint = this.#progress.complete(records);
    if (checkpoint !== undefined) await this.#deps.checkpoints.save(this.shardId, checkpoint);
  }

  #batchDue(lane: Lane): boolean {
    const { batchSize, batchingWindowMs } = this.#deps.options;
    if (lane.buffer.length === 0) return false;
    if (lane.buffer.length >= batchSize) return true;
    if (Date.now() >= lane.bufferedSinceMs + batchingWindowMs) return true;
    let bytes = 0;
    for (const record of lane.buffer) bytes += eventBytesOf(record, this.#deps.source);
    return bytes >= MAX_EVENT_BYTES;
  }

  /** The lane's oldest buffered records, up to the batch size and Lambda's 6 MB payload (at least one). */
  #takeBatch(lane: Lane): StreamRecord[] {
    const { batchSize } = this.#deps.options;
    let count = 0;
    let bytes = 0;
    while (count < lane.buffer.length && count < batchSize) {
      bytes += eventBytesOf(lane.buffer[count]!, this.#deps.source);
      if (bytes > MAX_EVENT_BYTES && count > 0) break;
      count++;
    }
    return lane.buffer.splice(0, count);
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
