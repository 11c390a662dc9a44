import { KinesisApiError, type KinesisService } from "../kinesis/index.ts";
import { EventSourceMappingError, ExpiredIteratorError, InvalidPositionError } from "./errors.ts";
import type { StreamRecord } from "./kinesis-event.ts";
import { allShardIds, describedIdentity, type IteratorPosition, type StreamApi } from "./stream-api.ts";

/** A GetRecords record in the JSON protocol's shape, as the service answers it. */
interface WireRecord {
  readonly SequenceNumber: string;
  readonly ApproximateArrivalTimestamp: number;
  /** Base64, as stored: it goes into the Lambda event as it is. */
  readonly Data: string;
  readonly PartitionKey: string;
}

/**
 * The embedded stream read in process, as AWS's Lambda pollers read Kinesis from the inside: the
 * service's own operations (same iterators, sequence numbers, retention, throttling faults and
 * errors) without HTTP, signing, JSON, and the base64 decoding and re-encoding of every record
 * that the SDK path costs. The handler's event is the same either way.
 */
export function localStreamApi(kinesis: Pick<KinesisService, "call">): StreamApi {
  return {
    async describeStream(streamName) {
      const output = kinesis.call("DescribeStreamSummary", { StreamName: streamName }) as { StreamDescriptionSummary?: { StreamARN?: string } };
      return describedIdentity(streamName, output.StreamDescriptionSummary?.StreamARN);
    },
    listShardIds(streamArn) {
      return allShardIds(streamArn, async (input) => kinesis.call("ListShards", input) as { Shards?: { ShardId?: string }[]; NextToken?: string });
    },
    async shardIterator(streamArn, shardId, position) {
      let output: { ShardIterator?: string };
      try {
        output = kinesis.call("GetShardIterator", iteratorInput(streamArn, shardId, position));
      } catch (error) {
        if (error instanceof KinesisApiError && error.code === "InvalidArgumentException") throw new InvalidPositionError(error.message, { cause: error });
        throw error;
      }
      if (!output.ShardIterator) throw new EventSourceMappingError(`GetShardIterator returned no iterator for ${shardId}`);
      return output.ShardIterator;
    },
    async getRecords(iterator, limit) {
      let output: { Records: WireRecord[]; NextShardIterator?: string; MillisBehindLatest: number };
      try {
        output = kinesis.call("GetRecords", { ShardIterator: iterator, Limit: limit }) as typeof output;
      } catch (error) {
        if (error instanceof KinesisApiError && error.code === "ExpiredIteratorException") throw new ExpiredIteratorError(error.message, { cause: error });
        throw error;
      }
      return { records: output.Records.map(fromWireRecord), nextIterator: output.NextShardIterator, millisBehindLatest: output.MillisBehindLatest };
    },
  };
}

function iteratorInput(streamArn: string, shardId: string, position: IteratorPosition): Record<string, unknown> {
  const base = { StreamARN: streamArn, ShardId: shardId, ShardIteratorType: position.type };
  switch (position.type) {
    case "AFTER_SEQUENCE_NUMBER":
      return { ...base, StartingSequenceNumber: position.sequenceNumber };
    case "AT_TIMESTAMP":
      // The wire form: epoch seconds, as the SDK sends a Date.
      return { ...base, Timestamp: position.timestamp.getTime() / 1000 };
    default:
      return base;
  }
}

function fromWireRecord(record: WireRecord): StreamRecord {
  return {
    sequenceNumber: record.SequenceNumber,
    partitionKey: record.PartitionKey,
    data: record.Data,
    // As the SDK reads the wire's epoch seconds: whole milliseconds.
    arrivalMs: Math.round(record.ApproximateArrivalTimestamp * 1000),
  };
}
