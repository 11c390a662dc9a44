import { ExpiredIteratorError, InvalidPositionError } from "./errors.ts";
import type { StreamRecord } from "./kinesis-event.ts";
import type { IteratorPosition, StreamApi } from "./stream-api.ts";
import type { EsmLogger, StartingPosition } from "./types.ts";

export interface ShardReaderOptions {
  readonly stream: StreamApi;
  readonly streamArn: string;
  readonly shardId: string;
  /** Where to resume: just after this sequence number (the shard's checkpoint). */
  readonly checkpoint: string | undefined;
  readonly startingPosition: StartingPosition;
  readonly startingPositionTimestamp: Date | undefined;
  readonly logger: EsmLogger;
}

export interface Fetched {
  readonly records: StreamRecord[];
  /** The shard had nothing beyond these records when they were read. */
  readonly caughtUp: boolean;
}

/**
 * Reads one shard in order through GetShardIterator/GetRecords, keeping the position itself so
 * that an expired iterator is replaced at the record after the last one read.
 */
export class ShardReader {
  readonly #options: ShardReaderOptions;
  #iterator: string | undefined;
  /** Sequence number of the last record read, where a new iterator must resume. */
  #after: string | undefined;

  constructor(options: ShardReaderOptions) {
    this.#options = options;
    this.#after = options.checkpoint;
  }

  async fetch(limit: number): Promise<Fetched> {
    for (let attempt = 0; ; attempt++) {
      this.#iterator ??= await this.#newIterator();
      try {
        const page = await this.#options.stream.getRecords(this.#iterator, limit);
        this.#iterator = page.nextIterator;
        if (page.records.length > 0) this.#after = page.records.at(-1)!.sequenceNumber;
        return { records: page.records, caughtUp: page.millisBehindLatest === 0 };
      } catch (error) {
        // Iterators live five minutes; a shard paused longer (a long retry) needs a new one.
        if (!(error instanceof ExpiredIteratorError) || attempt > 0) throw error;
        this.#options.logger({ level: "debug", message: "Shard iterator expired; renewing it", shardId: this.#options.shardId });
        this.#iterator = undefined;
      }
    }
  }

  async #newIterator(): Promise<string> {
    const { stream, streamArn, shardId } = this.#options;
    if (this.#after !== undefined) {
      try {
        return await stream.shardIterator(streamArn, shardId, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.#after });
      } catch (error) {
        if (!(error instanceof InvalidPositionError)) throw error;
        // The position belongs to an earlier stream of the same name: start over as configured.
        this.#options.logger({
          level: "warn",
          message: `Checkpoint ${this.#after} is not valid for ${shardId}; starting at ${this.#options.startingPosition}`,
          shardId,
          error,
        });
        this.#after = undefined;
      }
    }
    const type = this.#options.startingPosition;
    const position: IteratorPosition =
      type === "AT_TIMESTAMP" ? { type, timestamp: this.#options.startingPositionTimestamp! } : { type };
    return stream.shardIterator(streamArn, shardId, position);
  }
}
