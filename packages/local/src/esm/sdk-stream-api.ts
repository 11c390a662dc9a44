import {
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  ListShardsCommand,
  type _Record,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { EventSourceMappingError, ExpiredIteratorError, InvalidPositionError } from "./errors.ts";
import type { StreamRecord } from "./kinesis-event.ts";
import { allShardIds, describedIdentity, type IteratorPosition, type StreamApi } from "./stream-api.ts";

/** The stream read over the wire through an SDK client, as any Kinesis consumer reads it. */
export function sdkStreamApi(kinesis: KinesisClient): StreamApi {
  return {
    async describeStream(streamName) {
      const output = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      return describedIdentity(streamName, output.StreamDescriptionSummary?.StreamARN);
    },
    listShardIds(streamArn) {
      return allShardIds(streamArn, (input) => kinesis.send(new ListShardsCommand(input)));
    },
    async shardIterator(streamArn, shardId, position) {
      let output;
      try {
        output = await kinesis.send(new GetShardIteratorCommand(iteratorInput(streamArn, shardId, position)));
      } catch (error) {
        if (error instanceof InvalidArgumentException) throw new InvalidPositionError(error.message, { cause: error });
        throw error;
      }
      if (!output.ShardIterator) throw new EventSourceMappingError(`GetShardIterator returned no iterator for ${shardId}`);
      return output.ShardIterator;
    },
    async getRecords(iterator, limit) {
      try {
        const output = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
        return {
          records: (output.Records ?? []).map(fromSdkRecord),
          nextIterator: output.NextShardIterator,
          millisBehindLatest: output.MillisBehindLatest ?? 0,
        };
      } catch (error) {
        if (error instanceof ExpiredIteratorException) throw new ExpiredIteratorError(error.message, { cause: error });
        throw error;
      }
    },
  };
}

function iteratorInput(streamArn: string, shardId: string, position: IteratorPosition): GetShardIteratorCommandInput {
  const base = { StreamARN: streamArn, ShardId: shardId };
  switch (position.type) {
    case "AFTER_SEQUENCE_NUMBER":
      return { ...base, ShardIteratorType: position.type, StartingSequenceNumber: position.sequenceNumber };
    case "AT_TIMESTAMP":
      return { ...base, ShardIteratorType: position.type, Timestamp: position.timestamp };
    default:
      return { ...base, ShardIteratorType: position.type };
  }
}

/** The SDK decodes `Data` from base64; the Lambda event carries it base64 again. */
function fromSdkRecord(record: _Record): StreamRecord {
  return {
    sequenceNumber: record.SequenceNumber ?? "",
    partitionKey: record.PartitionKey ?? "",
    data: Buffer.from(record.Data ?? new Uint8Array()).toString("base64"),
    arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
  };
}
