import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { EventSourceMappingError } from "./errors.ts";
import { fromSdkRecord, type StreamRecord } from "./kinesis-event.ts";
import type { EsmLogger, StartingPosition } from "./types.ts";

export interface ShardReaderOptions {
  readonly kinesis: KinesisClient;
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
        const output = await this.#options.kinesis.send(new GetRecordsCommand({ ShardIterator: this.#iterator, Limit: limit }));
        const records = (output.Records ?? []).map(fromSdkRecord);
        this.#iterator = output.NextShardIterator;
        if (records.length > 0) this.#after = records.at(-1)!.sequenceNumber;
        return { records, caughtUp: (output.MillisBehindLatest ?? 0) === 0 };
      } catch (error) {
        // Iterators live five minutes; a shard paused longer (a long retry) needs a new one.
        if (!(error instanceof ExpiredIteratorException) || attempt > 0) throw error;
        this.#options.logger({ level: "debug", message: "Shard iterator expired; renewing it", shardId: this.#options.shardId });
        this.#iterator = undefined;
      }
    }
  }

  async #newIterator(): Promise<string> {
    const { streamArn, shardId } = this.#options;
    const base = { StreamARN: streamArn, ShardId: shardId };
    if (this.#after !== undefined) {
      try {
        return await this.#iteratorFor({ ...base, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: this.#after });
      } catch (error) {
        if (!(error instanceof InvalidArgumentException)) throw error;
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
    const position: GetShardIteratorCommandInput =
      type === "AT_TIMESTAMP"
        ? { ...base, ShardIteratorType: type, Timestamp: this.#options.startingPositionTimestamp }
        : { ...base, ShardIteratorType: type };
    return this.#iteratorFor(position);
  }

  async #iteratorFor(input: GetShardIteratorCommandInput): Promise<string> {
    const output = await this.#options.kinesis.send(new GetShardIteratorCommand(input));
    if (!output.ShardIterator) throw new EventSourceMappingError(`GetShardIterator returned no iterator for ${input.ShardId}`);
    return output.ShardIterator;
  }
}
