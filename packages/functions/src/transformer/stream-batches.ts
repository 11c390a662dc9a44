import type { StreamBatch, StreamRecord } from "@freshet/core";
import type { KinesisStreamRecord } from "aws-lambda";

/**
 * Groups a Lambda Kinesis event into per-shard batches in delivery order. Lambda sends one
 * shard per invocation; grouping anyway keeps object keys correct if that ever changes.
 */
export function streamBatchesOf(records: readonly KinesisStreamRecord[]): StreamBatch[] {
  const batches = new Map<string, { streamArn: string; shardId: string; records: StreamRecord[] }>();
  for (const record of records) {
    const shardId = record.eventID.slice(0, record.eventID.lastIndexOf(":")) || "shard";
    const id = `${record.eventSourceARN}|${shardId}`;
    let batch = batches.get(id);
    if (!batch) batches.set(id, (batch = { streamArn: record.eventSourceARN, shardId, records: [] }));
    batch.records.push({
      data: Buffer.from(record.kinesis.data, "base64"),
      sequenceNumber: record.kinesis.sequenceNumber,
      partitionKey: record.kinesis.partitionKey,
      arrivedAt: new Date(record.kinesis.approximateArrivalTimestamp * 1000),
      dataBase64: record.kinesis.data,
    });
  }
  return [...batches.values()];
}
