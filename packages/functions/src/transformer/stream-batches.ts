import type { StreamBatch, StreamRecord } from "@freshet/core";
import type { KinesisStreamRecord } from "aws-lambda";

/**
 * Groups a Lambda Kinesis event into per-shard batches in delivery order. Lambda sends one
 * shard per invocation; grouping anyway keeps object keys correct if that ever changes.
 */
export function streamBatchesOf(records: readonly KinesisStreamRecord[]): StreamBatch[] {
  const batches: { streamArn: string; shardId: string; records: StreamRecord[] }[] = [];
  const arrivalOf = sharedDates();
  let batch: (typeof batches)[number] | undefined;
  for (const record of records) {
    const streamArn = record.eventSourceARN;
    // Consecutive records almost always share their shard: look further only when they do not.
    if (!batch || batch.streamArn !== streamArn || !inShard(record.eventID, batch.shardId)) {
      const shardId = shardIdOf(record.eventID);
      batch = batches.find((b) => b.shardId === shardId && b.streamArn === streamArn);
      if (!batch) batches.push((batch = { streamArn, shardId, records: [] }));
    }
    batch.records.push({
      data: Buffer.from(record.kinesis.data, "base64"),
      sequenceNumber: record.kinesis.sequenceNumber,
      partitionKey: record.kinesis.partitionKey,
      arrivedAt: arrivalOf(record.kinesis.approximateArrivalTimestamp * 1000),
      dataBase64: record.kinesis.data,
    });
  }
  return batches;
}

/** The shard of an event ID (`<shard>:<sequence number>`); "shard" when it names none. */
function shardIdOf(eventId: string): string {
  return eventId.slice(0, eventId.lastIndexOf(":")) || "shard";
}

/** `shardIdOf(eventId) === shardId`, without cutting the ID. */
function inShard(eventId: string, shardId: string): boolean {
  return shardId !== "shard" && eventId.lastIndexOf(":") === shardId.length && eventId.startsWith(shardId);
}

/** One Date per run of equal arrival times: records of a batch mostly share them. Never mutated. */
function sharedDates(): (epochMs: number) => Date {
  let last: Date | undefined;
  return (epochMs) => {
    if (last === undefined || last.getTime() !== epochMs) last = new Date(epochMs);
    return last;
  };
}
