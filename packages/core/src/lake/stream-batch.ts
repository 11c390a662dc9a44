/**
 * What the transformer reads: Kinesis records as the stream delivered them, one shard per batch.
 * Their own module so that the batch planner and the modules it uses (bodies, receipts) share
 * them without importing one another.
 */

/** A record as the stream delivered it. */
export interface StreamRecord {
  readonly data: Uint8Array;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly arrivedAt: Date;
  /**
   * `data` as standard base64 when the caller already has it (Lambda's event does): spares
   * re-encoding. It goes into the raw copy as it is, so it must be exactly that encoding.
   */
  readonly dataBase64?: string;
}

/** One shard's batch: Lambda never mixes shards in one invocation. */
export interface StreamBatch {
  readonly streamArn: string;
  readonly shardId: string;
  readonly records: readonly StreamRecord[];
}
