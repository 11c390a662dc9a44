import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

/** A record as the mapping keeps it between GetRecords and the invocation. */
export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** Base64, as the event carries it. */
  readonly data: string;
  readonly arrivalMs: number;
}

export interface EventSource {
  readonly shardId: string;
  readonly streamArn: string;
  readonly region: string;
  readonly invokeIdentityArn: string;
}

/** Lambda's invocation payload limit for synchronous calls (6 MB). */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** Bytes of an event record besides its data, key and two copies of the sequence number. */
const RECORD_OVERHEAD_BYTES = 400;

/** An upper estimate of what a record adds to the event's JSON, to keep batches under 6 MB. */
export function eventBytesOf(record: StreamRecord, source: EventSource): number {
  return (
    RECORD_OVERHEAD_BYTES +
    record.data.length +
    Buffer.byteLength(record.partitionKey) +
    2 * record.sequenceNumber.length +
    source.shardId.length +
    source.streamArn.length +
    source.invokeIdentityArn.length
  );
}

/** The event Lambda hands a function for a Kinesis batch, field for field. */
export function buildKinesisEvent(records: readonly StreamRecord[], source: EventSource): KinesisStreamEvent {
  return {
    Records: records.map(
      (record): KinesisStreamRecord => ({
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: record.partitionKey,
          sequenceNumber: record.sequenceNumber,
          data: record.data,
          approximateArrivalTimestamp: record.arrivalMs / 1000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `${source.shardId}:${record.sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: source.invokeIdentityArn,
        awsRegion: source.region,
        eventSourceARN: source.streamArn,
      }),
    ),
  };
}
