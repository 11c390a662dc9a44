/**
 * Test events as AWS delivers them to Freshet's handlers, built by small factories: each field
 * has a plausible default, a test names only what it is about.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

export interface KinesisRecordOptions {
  /** The record's bytes: text is sent as UTF-8. */
  readonly data: string | Uint8Array;
  readonly sequenceNumber?: string;
  readonly shardId?: string;
  readonly partitionKey?: string;
  /** Kinesis's approximate arrival, in seconds since the epoch (with a fraction). */
  readonly arrivalSeconds?: number;
  readonly streamArn?: string;
}

const STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/t";

/** One record of a Kinesis event source mapping's event, as Lambda builds it. */
export function aKinesisRecord(options: KinesisRecordOptions): KinesisStreamRecord {
  const sequenceNumber = options.sequenceNumber ?? "1";
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: options.partitionKey ?? `pk-${sequenceNumber}`,
      sequenceNumber,
      data: Buffer.from(options.data).toString("base64"),
      approximateArrivalTimestamp: options.arrivalSeconds ?? Date.now() / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${options.shardId ?? "shardId-000000000000"}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::000000000000:role/t",
    awsRegion: "us-east-1",
    eventSourceARN: options.streamArn ?? STREAM_ARN,
  };
}

export interface KinesisEventOptions {
  /** The first record's sequence number; the others follow it (default 100). */
  readonly firstSequence?: number;
  readonly shardId?: string;
  readonly arrivalSeconds?: number;
}

/**
 * A Kinesis event of one record per payload, from one shard, in sequence: sequence numbers are
 * 56 digits as Kinesis's are, partition keys `pk-<index>`.
 */
export function aKinesisEvent(payloads: readonly (string | Uint8Array)[], options: KinesisEventOptions = {}): KinesisStreamEvent {
  const first = options.firstSequence ?? 100;
  return {
    Records: payloads.map((data, i) =>
      aKinesisRecord({
        data,
        sequenceNumber: String(first + i).padStart(56, "4"),
        partitionKey: `pk-${i}`,
        ...(options.shardId !== undefined ? { shardId: options.shardId } : {}),
        ...(options.arrivalSeconds !== undefined ? { arrivalSeconds: options.arrivalSeconds } : {}),
      }),
    ),
  };
}
